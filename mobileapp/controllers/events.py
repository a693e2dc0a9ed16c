"""City problem reports (一网统管): the categories, my reports, a new report (photo and/or position)."""

from __future__ import annotations

from mobileapp.api import (
    ApiClient,
    ApiError,
    EventCategory,
    EventDetail,
    EventReport,
    NotAvailable,
    new_idempotency_key,
)


class EventsController:
    """``available`` is False when the server has no city-events API yet (the screen shows "coming soon").

    A report carries an ``Idempotency-Key`` per attempt: a retry after a network failure reuses it (the first
    request may have arrived), any answer from the server ends the attempt."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api
        self.available = True
        self.categories: list[EventCategory] = []
        self.mine: list[EventReport] = []
        self.in_flight = False
        self.attempt_key: str | None = None

    async def load(self) -> None:
        try:
            self.categories = await self.api.event_categories()
            self.available = True
        except NotAvailable:
            self.available = False
            return
        try:
            self.mine = (await self.api.my_events())["results"]
        except NotAvailable:
            self.mine = []

    async def report(
        self,
        category: str,
        description: str,
        *,
        position: tuple[float, float] | None = None,
        address: str = "",
        photo: tuple[str, bytes] | None = None,
    ) -> EventDetail | None:
        """Send one report; None when one is already on its way (a double tap)."""
        if self.in_flight:
            return None
        self.in_flight = True
        if self.attempt_key is None:
            self.attempt_key = new_idempotency_key()
        try:
            report = await self.api.report_event(
                category,
                description.strip(),
                lat=position[0] if position else None,
                long=position[1] if position else None,
                address=address.strip(),
                photo=photo[1] if photo else None,
                photo_name=photo[0] if photo else "photo.jpg",
                idempotency_key=self.attempt_key,
            )
        except ApiError as exc:
            if exc.status != 0:
                self.attempt_key = None
            raise
        finally:
            self.in_flight = False
        self.attempt_key = None
        return report
