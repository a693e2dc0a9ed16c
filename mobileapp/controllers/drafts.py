"""Save and resume (草稿): an application's answers kept on the server, listed under "my cases", resumed on any
device, deleted by the server 30 days after the last change (it sends a notice).

:class:`DraftController` rides along one :class:`ApplyController`: "保存草稿 / Save draft" and leaving the form
with changes save the answers (never the consent: it is given on submission); a resumed draft fills the form and
submitting it deletes the draft with the case. :class:`DraftsController` is the list on "my cases".
"""

from __future__ import annotations

import weakref
from typing import Any

from mobileapp import forms
from mobileapp.api import ApiClient, ApiError, Draft
from mobileapp.controllers.apply import ApplyController
from mobileapp.controllers.paging import PagedList

MAX_STRING = 1000  # the server's bound for a string in a draft without a schema maxLength


def draft_values(specs: list[forms.FieldSpec], raw: dict[str, Any]) -> dict[str, Any]:
    """What the resident entered so far, in the shape a draft takes: complete or not, but of the field's type.

    Empty fields are left out; a half-typed text is kept as typed (its pattern is checked on submission); a choice
    or number that is not one yet is left out rather than refused (the field keeps it on screen)."""
    values: dict[str, Any] = {}
    for spec in specs:
        value = raw.get(spec.name)
        if value is None or value == "":
            continue
        if spec.kind == "boolean":
            values[spec.name] = bool(value)
        elif spec.kind == "enum":
            choice = next((c.value for c in spec.choices if str(c.value) == str(value)), None)
            if choice is not None:
                values[spec.name] = choice
        elif spec.kind in ("number", "integer") and not spec.decimal_string:
            number, error = forms.convert(forms.FieldSpec(spec.name, spec.label, spec.kind), value)
            if error is None and number is not None:
                values[spec.name] = number
        else:
            text = str(value).strip()
            limit = min(spec.max_length or MAX_STRING, MAX_STRING)
            if text and len(text) <= limit:
                values[spec.name] = text
    return values


class DraftController:
    """Saving one application as a draft, and resuming it. Double taps are ignored while a save is in flight."""

    def __init__(self, apply: ApplyController, draft: Draft | None = None) -> None:
        self.apply = apply
        self.draft: Draft | None = draft
        self.saved: dict[str, Any] = dict(draft["form"]) if draft else {}
        self.in_flight = False
        self.saves = 0  # requests actually sent (tests read it)

    @property
    def api(self) -> ApiClient:
        return self.apply.api

    @classmethod
    async def resume(cls, api: ApiClient, draft_id: int) -> DraftController:
        """The application of ``draft_id`` with its answers filled in (identifiers as the server shows them)."""
        draft = await api.draft(draft_id)
        apply = ApplyController(api, draft["service"])
        await apply.load()
        apply.values.update(draft["form"])
        apply.kept = dict(draft["form"])  # sent back unchanged, the server restores what it keeps sealed
        apply.draft_id = draft["id"]
        keeper = _KEEPERS[apply] = cls(apply, draft)
        return keeper

    def values(self) -> dict[str, Any]:
        return draft_values(self.apply.fields, self.apply.values)

    @property
    def dirty(self) -> bool:
        """Changed since the last save (or since it was opened): leaving the form then saves."""
        return self.apply.case is None and self.values() != self.saved

    async def save(self) -> Draft | None:
        """Create or update the draft; None when a save is already in flight. A draft saved on another device in
        the meantime is not overwritten: :class:`ApiError` ``draft_changed``, and the screen offers to reopen it."""
        if self.in_flight:
            return None
        self.in_flight = True
        values = self.values()
        try:
            self.saves += 1
            if self.draft is None:
                self.draft = await self.api.create_draft(self.apply.code, values)
            else:
                try:
                    self.draft = await self.api.update_draft(self.draft["id"], values, self.draft["updated_at"])
                except ApiError as exc:
                    if exc.status != 404:
                        raise
                    self.draft = await self.api.create_draft(self.apply.code, values)  # deleted meanwhile
        finally:
            self.in_flight = False
        self.saved = values
        self.apply.draft_id = self.draft["id"]
        self.apply.kept = {**self.apply.kept, **self.draft["form"]}
        return self.draft

    async def save_if_changed(self) -> Draft | None:
        """On leaving the form: save when something changed; never raises (leaving must not be blocked)."""
        if not self.dirty:
            return None
        try:
            return await self.save()
        except ApiError:
            return None

    async def reopen(self) -> Draft:
        """After ``draft_changed``: take what the other device saved."""
        if self.draft is None:
            raise LookupError("no draft")
        self.draft = await self.api.draft(self.draft["id"])
        self.apply.values = dict(self.draft["form"])
        self.apply.kept = dict(self.draft["form"])
        self.saved = dict(self.draft["form"])
        return self.draft


class DraftsController:
    """The resident's drafts for "my cases" (the one changed last first), and deleting one."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api
        self.list: PagedList[Draft] = PagedList(lambda page: self.api.drafts(page=page))

    @property
    def drafts(self) -> list[Draft]:
        return self.list.items

    async def load(self) -> list[Draft]:
        return await self.list.load()

    async def delete(self, draft_id: int) -> list[Draft]:
        await self.api.delete_draft(draft_id)
        return await self.load()


_KEEPERS: weakref.WeakKeyDictionary[ApplyController, DraftController] = weakref.WeakKeyDictionary()


def keeper_of(apply: ApplyController) -> DraftController:
    """The one :class:`DraftController` of an application: going back to the service detail and into the form
    again continues the same draft instead of saving a second one."""
    keeper = _KEEPERS.get(apply)
    if keeper is None:
        keeper = _KEEPERS[apply] = DraftController(apply)
    return keeper
