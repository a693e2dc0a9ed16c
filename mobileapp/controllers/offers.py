"""免申即享 offers: the list (open ones first), one offer with its why and data, confirm and decline.

The server decides everything (who qualifies, the rules at confirmation, paying once); the controller keeps what
the screens show and turns the answer of a confirmation into where to go next: the face check when the case waits
for it, else the decision.
"""

from __future__ import annotations

from mobileapp.api import ApiClient, ApiError, Case, NotAvailable, Offer


class OffersController:
    def __init__(self, api: ApiClient) -> None:
        self.api = api
        self.items: list[Offer] = []
        self.available = True  # False against a server without 免申即享

    async def load(self) -> list[Offer]:
        try:
            page = await self.api.offers()
        except NotAvailable:
            self.available, self.items = False, []
            return self.items
        self.items = sorted(page["results"], key=lambda o: o["status"] != "offered")  # open first, else newest
        return self.items

    @property
    def open(self) -> list[Offer]:
        return [offer for offer in self.items if offer["status"] == "offered"]


class OfferController:
    def __init__(self, api: ApiClient, offer_id: int) -> None:
        self.api = api
        self.offer_id = offer_id
        self.offer: Offer | None = None
        self.case: Case | None = None
        self.error: ApiError | None = None

    async def load(self) -> Offer:
        self.offer = await self.api.offer(self.offer_id)
        return self.offer

    @property
    def can_answer(self) -> bool:
        return self.offer is not None and self.offer["status"] == "offered"

    async def confirm(self) -> Case | None:
        """确认领取. The case (``pending_face`` when the service needs the face check), or None with ``error`` set
        (the offer expired or was declined meanwhile); a confirmed offer answers its case again."""
        self.error = None
        try:
            answer = await self.api.confirm_offer(self.offer_id)
        except ApiError as exc:
            if exc.status != 409:
                raise
            self.error = exc
            await self.load()
            return None
        self.offer, self.case = answer["offer"], answer["case"]
        return self.case

    async def decline(self) -> Offer | None:
        """不需要: the offer, closed; None with ``error`` set when it can no longer be declined."""
        self.error = None
        try:
            self.offer = await self.api.decline_offer(self.offer_id)
        except ApiError as exc:
            if exc.status != 409:
                raise
            self.error = exc
            await self.load()
            return None
        return self.offer


def next_route(case: Case) -> str:
    """Where the app goes after a confirmation: the face check first when the case waits for it."""
    return "face" if case["status"] == "pending_face" else "decision"
