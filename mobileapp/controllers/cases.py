"""My cases: the list (with a status filter and "load more") and one case — withdraw, fix and resubmit after a
return, rating. What the resident may do is the server's ``actions``; the app never derives it from the status."""

from __future__ import annotations

from typing import Any

from mobileapp import forms, i18n
from mobileapp.api import ApiClient, ApiError, Booking, Case, CaseAction, CaseStatus, ServiceDetail
from mobileapp.controllers.counter import booked_check
from mobileapp.controllers.paging import PagedList


def returned_note(case: Case) -> str:
    """The clerk's note of the latest return for correction (from the timeline)."""
    for entry in reversed(case["timeline"]):
        if entry["status"] == "returned":
            return entry["note"]
    return ""


class CasesController:
    """The resident's cases, newest first, optionally of one status."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api
        self.status: CaseStatus | None = None
        self.list: PagedList[Case] = PagedList(lambda page: self.api.cases(page=page, status=self.status))

    @property
    def cases(self) -> list[Case]:
        return self.list.items

    @property
    def count(self) -> int:
        return self.list.count

    @property
    def next(self) -> str | None:
        return self.list.next

    async def load(self, status: CaseStatus | None = None) -> list[Case]:
        self.status = status
        return await self.list.load()

    async def load_more(self) -> list[Case]:
        if not self.list.has_more:
            return self.cases
        return await self.list.load_more()


class CaseController:
    """One case: detail, withdraw, resubmit after a return, rating. Double taps are ignored while in flight."""

    def __init__(self, api: ApiClient, case_id: int) -> None:
        self.api = api
        self.case_id = case_id
        self.case: Case | None = None
        self.detail: ServiceDetail | None = None
        self.fields: list[forms.FieldSpec] = []
        self.values: dict[str, Any] = {}
        self.errors: dict[str, str] = {}
        self.in_flight = False
        #: The booked in-person identity check of a case waiting for its face check (窗口核验身份), if any.
        self.counter_booking: Booking | None = None

    @property
    def status(self) -> str:
        return self.case["status"] if self.case else ""

    @property
    def service_code(self) -> str:
        return self.case["service"] if self.case else ""

    def allows(self, action: CaseAction) -> bool:
        return self.case is not None and action in self.case["actions"]

    @property
    def can_withdraw(self) -> bool:
        return self.allows("withdraw")

    @property
    def can_rate(self) -> bool:
        return self.allows("rate")

    @property
    def can_resubmit(self) -> bool:
        return self.allows("resubmit")

    @property
    def needs_face(self) -> bool:
        return self.allows("face_check")

    async def load(self) -> Case:
        self.case = await self.api.case(self.case_id)
        self.counter_booking = await booked_check(self.api, self.case_id) if self.needs_face else None
        return self.case

    async def load_form(self) -> list[forms.FieldSpec]:
        """The service's form schema with the case's submitted values, for a resubmission."""
        self.detail = await self.api.service(self.service_code)
        self.fields = forms.parse_schema(self.detail["form"])
        self.values = dict(self.case["form"]) if self.case else {}
        return self.fields

    async def withdraw(self) -> Case | None:
        if self.in_flight:
            return None
        self.in_flight = True
        try:
            self.case = await self.api.withdraw_case(self.case_id)
        finally:
            self.in_flight = False
        return self.case

    async def resubmit(self, language: str = i18n.DEFAULT_LANGUAGE) -> Case | None:
        values, self.errors = forms.collect(self.fields, self.values, language)
        if self.errors or self.in_flight:
            return None
        self.in_flight = True
        try:
            self.case = await self.api.update_case_form(self.case_id, values)
        except ApiError as exc:
            if exc.fields:
                self.errors = {k: v for k, v in exc.field_messages().items() if k != "non_field_errors"}
            raise
        finally:
            self.in_flight = False
        return self.case

    async def rate(self, score: int, comment: str = "") -> Case | None:
        """Rate once, after a final status; returns the case as it is now (with its rating)."""
        if not 1 <= score <= 5:
            raise ValueError(score)
        if self.in_flight:
            return None
        self.in_flight = True
        try:
            await self.api.rate_case(self.case_id, score, comment)
        finally:
            self.in_flight = False
        return await self.load()
