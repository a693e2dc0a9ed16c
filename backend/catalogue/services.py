"""Catalogue domain functions: search, the consent screen's prefill, and the form values of an eligibility question.

The views in :mod:`backend.catalogue.api` only read the request and render; what the rules may read, what is logged
in the data-access log and which values count as valid are decided here, next to the case engine they share them
with (the registry context of :mod:`backend.cases.context`, the form check of :mod:`backend.cases.forms`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, TypedDict

from django.utils.translation import gettext_lazy as _

from backend.accounts.departments import departments_by_code
from backend.accounts.models import User
from backend.cases.context import Context
from backend.cases.discovery import all_services
from backend.cases.evaluation import jsonable
from backend.cases.forms import form_errors, without_required
from backend.cases.plugins import ServiceModule
from backend.cases.services import require_resident
from backend.core.errors import DomainError
from backend.registries.items import ITEMS
from backend.registries.models import ActorType

from .cache import DepartmentNames


class PrefillItem(TypedDict):
    """One registry value on the consent screen (``PrefillItemSerializer`` describes it in the schema)."""

    key: str
    label: str
    department: str
    department_code: str
    purpose: str
    value: Any  # the item's display value made JSON-safe: its type is the registry item's
    updated_at: dt.datetime | None


class Prefill(TypedDict):
    service: str
    items: list[PrefillItem]
    consent_text: str


def _matches(service: ServiceModule, query: str, departments: Mapping[str, DepartmentNames]) -> bool:
    department = departments.get(service.department)
    haystack = [
        service.code,
        service.name.zh,
        service.name.en,
        service.summary.zh,
        service.summary.en,
        service.category.zh,
        service.category.en,
        *service.keywords,
        department.zh if department else "",
        department.en if department else "",
    ]
    query = query.casefold()
    return any(query in text.casefold() for text in haystack if text)


def search(
    departments: Mapping[str, DepartmentNames], *, q: str = "", category: str = "", department: str = ""
) -> list[ServiceModule]:
    """The registered services matching ``q`` (names in both languages, summary, keywords, department),
    ``category`` (its name in either language) and ``department`` (code or name); empty criteria match all."""
    found = list(all_services().values())
    if q := q.strip():
        found = [s for s in found if _matches(s, q, departments)]
    if category := category.strip():
        found = [s for s in found if category in {s.category.zh, s.category.en}]
    if department := department.strip():
        found = [s for s in found if department == s.department or department in departments.get(s.department, ())]
    return found


def prefill(user: User, service: ServiceModule) -> Prefill:
    """The consent screen: the registry values ``service`` would use, masked, with department and freshness.

    The values are read through the same :class:`~backend.cases.context.Context` a decision uses (declared items
    only) and the reads are written to the resident's data-access log, purpose "授权确认页预览": showing a resident
    their own data is a read by the departments like any other."""
    resident = require_resident(user)
    ctx = Context(
        service,
        resident,
        user=user,
        purpose=f"授权确认页预览 {service.name.zh}",
        actor=user,
        actor_type=ActorType.RESIDENT,
    )
    departments = departments_by_code()
    items: list[PrefillItem] = []
    for use in service.data:
        spec = ITEMS[use.key]
        value = ctx.item(use.key)
        items.append(
            {
                "key": use.key,
                "label": str(spec.label),
                "department": departments[spec.department].name,
                "department_code": spec.department,
                "purpose": str(use.purpose),
                "value": jsonable(spec.display(value)),
                "updated_at": spec.updated_at(value),
            }
        )
    ctx.log_access()
    return {
        "service": service.code,
        "items": items,
        "consent_text": str(
            _("我同意%(dept)s为办理本事项调取以上部门数据，仅用于本次办理。")
            % {"dept": departments[service.department].name}
        ),
    }


def partial_form(service: ServiceModule, values: Mapping[str, Any]) -> dict[str, Any]:
    """The form fields among ``values`` (an eligibility question's query parameters, e.g. ``reason=rent``), validated
    like a real application's; the fields not given are simply not judged yet. Other keys are ignored."""
    properties: Iterable[str] = service.form.get("properties", {})
    form = {key: values[key] for key in properties if key in values}
    if fields := form_errors(without_required(service.form), form):
        raise DomainError("validation_error", _("申请表填写有误，请检查后重试。"), fields=fields)
    return form
