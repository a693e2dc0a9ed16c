"""A way past a failed face check: book an in-person identity check (窗口核验身份) for the case.

After a refused face check whose advice names ``counter_appointment`` (or at once, when the resident chooses to go
to the counter), the app lists the slots where the case can have its identity checked (the case's department's
hall or a general one: the server decides which) and books one. A clerk then checks the original ID card and the
case goes on as after a face check."""

from __future__ import annotations

from mobileapp.api import ApiClient, ApiError, Booking, NotAvailable, Slot, new_idempotency_key


class CounterCheckController:
    """The slots for one case's identity check and its booking. Each attempt keeps its ``Idempotency-Key`` until
    the server answers, so a retry after a network failure cannot book twice."""

    def __init__(self, api: ApiClient, case_id: int) -> None:
        self.api = api
        self.case_id = case_id
        self.available = True
        self.slots: list[Slot] = []
        #: The case's active identity-check booking, if it has one (then no slots are offered).
        self.booking: Booking | None = None
        self.in_flight = False
        self.keys: dict[int, str] = {}

    async def load(self) -> None:
        try:
            self.booking = await booked_check(self.api, self.case_id)
            self.slots = [] if self.booking else (await self.api.appointment_slots(case=self.case_id))["results"]
            self.available = True
        except NotAvailable:
            self.available = False

    async def book(self, slot_id: int) -> Booking | None:
        """Book the identity check in this slot; None while another booking is on its way."""
        if self.in_flight:
            return None
        self.in_flight = True
        key = self.keys.setdefault(slot_id, new_idempotency_key())
        try:
            booking = await self.api.book_identity_check(slot_id, self.case_id, idempotency_key=key)
        except ApiError as exc:
            if exc.status != 0:  # answered: the next tap is a new attempt
                self.keys.pop(slot_id, None)
            raise
        finally:
            self.in_flight = False
        self.keys.pop(slot_id, None)
        self.booking = booking
        self.slots = []
        return booking


async def booked_check(api: ApiClient, case_id: int) -> Booking | None:
    """The case's active identity-check booking (for the case screen), or None."""
    try:
        page = await api.appointments(case=case_id)
    except NotAvailable:
        return None
    active = [b for b in page["results"] if b["purpose"] == "identity_check" and b["status"] == "booked"]
    return active[0] if active else None
