"""Applying for a service: detail → consent (the registry data ``/prefill`` shows) → form → submit → face → decision."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mobileapp import forms, i18n
from mobileapp.api import ApiClient, ApiError, Case, Eligibility, Prefill, ServiceDetail, new_idempotency_key
from mobileapp.formats import registry_value


@dataclass
class ConsentItem:
    """One row of the consent screen: a registry item, its masked value as text, the department holding it."""

    key: str
    label: str
    value: str
    department: str
    updated_at: str | None
    purpose: str = ""


def consent_items(prefill: Prefill, language: str = i18n.DEFAULT_LANGUAGE) -> list[ConsentItem]:
    return [
        ConsentItem(
            key=item["key"],
            label=item["label"],
            value=registry_value(item["value"], language),
            department=item["department"],
            updated_at=item["updated_at"],
            purpose=item["purpose"],
        )
        for item in prefill["items"]
    ]


class ApplyController:
    """One application: detail → consent → form → submit (idempotent) → face → decision.

    ``submit`` sends nothing unless ``consent`` is ticked, ignores a second call while one is in flight (double
    taps), and reuses the attempt's ``Idempotency-Key`` when retrying after a network failure, so a request that
    reached the server but whose answer was lost does not create a second case.
    """

    def __init__(self, api: ApiClient, code: str) -> None:
        self.api = api
        self.code = code
        self.detail: ServiceDetail | None = None
        self.fields: list[forms.FieldSpec] = []
        self.prefill: list[ConsentItem] = []
        self.consent_text = ""
        self.consent = False
        self.values: dict[str, Any] = {}
        self.errors: dict[str, str] = {}
        self.case: Case | None = None
        self.in_flight = False
        self.attempt_key: str | None = None
        self.submissions = 0  # requests actually sent (tests read it)
        self.eligibility: Eligibility | None = None
        # save and resume (controllers/drafts.py): the draft this application continues, and the values the server
        # keeps (identifiers shown masked) that are sent back as shown, past the client's pattern check
        self.draft_id: int | None = None
        self.kept: dict[str, Any] = {}

    async def load(self) -> ServiceDetail:
        self.detail = await self.api.service(self.code)
        self.fields = forms.parse_schema(self.detail["form"])
        for spec in self.fields:
            if spec.default is not None and spec.name not in self.values:
                self.values[spec.name] = spec.default
        return self.detail

    async def load_prefill(self) -> list[ConsentItem]:
        prefill = await self.api.prefill(self.code)
        self.prefill = consent_items(prefill, self.api.language)
        self.consent_text = prefill["consent_text"]
        return self.prefill

    async def check_eligibility(self) -> Eligibility:
        self.eligibility = await self.api.eligibility(self.code)
        return self.eligibility

    @property
    def requires_face(self) -> bool:
        return bool(self.detail and self.detail["requires_face"])

    def validate(self, language: str = i18n.DEFAULT_LANGUAGE) -> dict[str, Any] | None:
        kept = {name: value for name, value in self.kept.items() if self.values.get(name) == value}
        fields = [spec for spec in self.fields if spec.name not in kept]
        values, self.errors = forms.collect(fields, self.values, language)
        return None if self.errors else {**values, **kept}

    async def submit(self, language: str = i18n.DEFAULT_LANGUAGE) -> Case | None:
        """Create the case. Returns None when nothing was sent (no consent, invalid form, already in flight)."""
        if self.in_flight:
            return None
        if not self.consent:
            self.errors = {"consent": i18n.translate("consent.need", language)}
            return None
        values = self.validate(language)
        if values is None:
            return None
        self.in_flight = True
        if self.attempt_key is None:
            self.attempt_key = new_idempotency_key()
        try:
            self.submissions += 1
            self.case = await self.api.create_case(
                self.code, values, consent=True, idempotency_key=self.attempt_key, draft=self.draft_id
            )
        except ApiError as exc:
            if exc.status != 0:  # the server answered: the next attempt is a new one
                self.attempt_key = None
            if exc.status == 404 and exc.code == "not_found" and self.draft_id is not None:
                self.draft_id = None  # the draft was deleted elsewhere: the next tap submits without it
            if exc.fields:
                self.errors = {k: v for k, v in exc.field_messages().items() if k != "non_field_errors"}
            raise
        finally:
            self.in_flight = False
        self.attempt_key = None
        self.draft_id = None  # the server deleted it with the case
        return self.case
