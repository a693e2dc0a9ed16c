"""Appointments at a counter: open slots (a service's first, when asked from "ask a clerk"), my bookings,
booking and cancelling."""

from __future__ import annotations

from mobileapp.api import ApiClient, ApiError, Booking, NotAvailable, Slot, new_idempotency_key


class AppointmentsController:
    """``available`` is False when the server has no appointments API yet (the screen shows "coming soon").

    Each slot's booking attempt keeps its ``Idempotency-Key`` until the server answers, so a retry after a network
    failure cannot book twice."""

    def __init__(self, api: ApiClient, service: str | None = None) -> None:
        self.api = api
        self.service = service
        self.available = True
        self.slots: list[Slot] = []
        self.mine: list[Booking] = []
        self.in_flight = False
        self.keys: dict[int, str] = {}

    async def load(self) -> None:
        try:
            self.slots = (await self.api.appointment_slots(service=self.service))["results"] if self.service else []
            if not self.slots:
                self.slots = (await self.api.appointment_slots())["results"]
            self.available = True
        except NotAvailable:
            self.available = False
            return
        try:
            self.mine = [b for b in (await self.api.appointments())["results"] if b["status"] != "cancelled"]
        except NotAvailable:
            self.mine = []

    async def book(self, slot_id: int) -> Booking | None:
        """Book a place; None while another booking is on its way."""
        if self.in_flight:
            return None
        self.in_flight = True
        key = self.keys.setdefault(slot_id, new_idempotency_key())
        try:
            booking = await self.api.book(slot_id, idempotency_key=key)
        except ApiError as exc:
            if exc.status != 0:  # answered: the next tap is a new attempt
                self.keys.pop(slot_id, None)
            raise
        finally:
            self.in_flight = False
        self.keys.pop(slot_id, None)
        return booking

    async def cancel(self, booking_id: int) -> Booking:
        return await self.api.cancel_appointment(booking_id)
