"""Applying for a bundle (一件事一次办): one consent per department, one form, one submission, one face check, one
reference with every member's result. Like :class:`~mobileapp.controllers.apply.ApplyController`, nothing is sent
before the consent is ticked and the form is valid, a double tap sends once, and a retry after a lost answer reuses
the attempt's Idempotency-Key."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mobileapp import forms, i18n
from mobileapp.api import ApiClient, ApiError, BundleApplication, BundleDetail, new_idempotency_key
from mobileapp.controllers.apply import ConsentItem
from mobileapp.formats import registry_value


@dataclass
class DepartmentConsent:
    """The consent screen's block for one department: the items it holds, with the masked values."""

    department: str
    department_code: str
    items: list[ConsentItem] = field(default_factory=list)


class BundleController:
    def __init__(self, api: ApiClient, code: str) -> None:
        self.api = api
        self.code = code
        self.detail: BundleDetail | None = None
        self.fields: list[forms.FieldSpec] = []
        self.consent_blocks: list[DepartmentConsent] = []
        self.consent_text = ""
        self.consent = False
        self.values: dict[str, Any] = {}
        self.errors: dict[str, str] = {}
        self.application: BundleApplication | None = None
        self.in_flight = False
        self.attempt_key: str | None = None
        self.submissions = 0

    async def load(self) -> BundleDetail:
        self.detail = await self.api.bundle(self.code)
        self.fields = forms.parse_schema(self.detail["form"])
        for spec in self.fields:
            if spec.default is not None and spec.name not in self.values:
                self.values[spec.name] = spec.default
        return self.detail

    async def load_prefill(self) -> list[DepartmentConsent]:
        prefill = await self.api.bundle_prefill(self.code)
        self.consent_blocks = [
            DepartmentConsent(
                block["department"],
                block["department_code"],
                [
                    ConsentItem(
                        key=item["key"],
                        label=item["label"],
                        value=registry_value(item["value"], self.api.language),
                        department=item["department"],
                        updated_at=item["updated_at"],
                        purpose=item["purpose"],
                    )
                    for item in block["items"]
                ],
            )
            for block in prefill["departments"]
        ]
        self.consent_text = prefill["consent_text"]
        return self.consent_blocks

    @property
    def requires_face(self) -> bool:
        return bool(self.detail and self.detail["requires_face"])

    async def submit(self, language: str = i18n.DEFAULT_LANGUAGE) -> BundleApplication | None:
        """Apply once for every member. None when nothing was sent (no consent, invalid form, already in flight)."""
        if self.in_flight:
            return None
        if not self.consent:
            self.errors = {"consent": i18n.translate("consent.need", language)}
            return None
        values, self.errors = forms.collect(self.fields, self.values, language)
        if self.errors:
            return None
        self.in_flight = True
        if self.attempt_key is None:
            self.attempt_key = new_idempotency_key()
        try:
            self.submissions += 1
            self.application = await self.api.apply_bundle(
                self.code, values, consent=True, idempotency_key=self.attempt_key
            )
        except ApiError as exc:
            if exc.status != 0:
                self.attempt_key = None
            if exc.fields:
                self.errors = {k: v for k, v in exc.field_messages().items() if k != "non_field_errors"}
            raise
        finally:
            self.in_flight = False
        self.attempt_key = None
        return self.application


class BundleResultController:
    """One bundle application after submission: refresh, continue without a failed member, withdraw the whole."""

    def __init__(self, api: ApiClient, application: BundleApplication) -> None:
        self.api = api
        self.application = application

    @property
    def reference_no(self) -> str:
        return self.application["reference_no"]

    async def refresh(self) -> BundleApplication:
        self.application = await self.api.my_bundle(self.reference_no)
        return self.application

    async def continue_rest(self) -> BundleApplication:
        self.application = await self.api.continue_bundle(self.reference_no)
        return self.application

    async def withdraw(self) -> BundleApplication:
        self.application = await self.api.withdraw_bundle(self.reference_no)
        return self.application


class MyBundlesController:
    """The resident's bundle applications (一件事), newest first: shown above their cases, each leading to its one
    result. A server without bundles answers NotAvailable (the caller shows the cases alone)."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api
        self.items: list[BundleApplication] = []

    async def load(self) -> list[BundleApplication]:
        self.items = (await self.api.my_bundles())["results"]
        return self.items
