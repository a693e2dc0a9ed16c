"""The catalogue side of bundles (一件事一次办): one entry per bundle, its shared form and the one consent screen.

The consent of a bundle lists every department's items once, grouped by department, with the members that use
each item and why; the prefill reads them through each member's own :class:`~backend.cases.context.Context` (so
each read is logged to the resident's data-access log under that member, as a single service's prefill is)."""

from __future__ import annotations

from typing import Any

from backend.accounts.departments import departments_by_code
from backend.accounts.models import Department, User
from backend.cases.bundles import member_services, requires_face
from backend.cases.bundling import shared_form
from backend.cases.discovery import all_bundles
from backend.cases.plugins import ServiceBundle
from backend.core.i18n import Text
from backend.registries.items import ITEMS

from .services import prefill


def _department(departments: dict[str, Department], code: str) -> str:
    department = departments.get(code)
    return department.name if department else code


def bundle_summary(bundle: ServiceBundle, departments: dict[str, Department]) -> dict[str, Any]:
    services = member_services(bundle)
    return {
        "code": bundle.code,
        "name": str(bundle.name),
        "name_en": bundle.name.en,
        "category": str(bundle.category),
        "summary": str(bundle.summary),
        "requires_face": requires_face(bundle),
        "members": [
            {
                "service": m.service,
                "name": str(services[m.service].name),
                "department": _department(departments, services[m.service].department),
                "department_code": services[m.service].department,
                "mode": str(services[m.service].mode),
                "time_limit_days": services[m.service].time_limit_days,
                "requires_face": services[m.service].requires_face,
                "after": list(m.after),
            }
            for m in bundle.members
        ],
    }


def consent_by_department(bundle: ServiceBundle, departments: dict[str, Department]) -> list[dict[str, Any]]:
    """Every registry item any member reads, once per department, with the members that read it and why."""
    grouped: dict[str, dict[str, dict[str, Any]]] = {}
    for member in bundle.members:
        service = member_services(bundle)[member.service]
        for use in service.data:
            spec = ITEMS[use.key]
            item = grouped.setdefault(spec.department, {}).setdefault(
                use.key, {"key": use.key, "label": str(spec.label), "purposes": [], "services": []}
            )
            item["purposes"].append(str(use.purpose))
            item["services"].append(member.service)
    return [
        {"department": _department(departments, code), "department_code": code, "items": list(items.values())}
        for code, items in grouped.items()
    ]


def bundle_detail(bundle: ServiceBundle) -> dict[str, Any]:
    departments = departments_by_code()
    return {
        **bundle_summary(bundle, departments),
        "form": shared_form(bundle, member_services(bundle)),
        "consent": consent_by_department(bundle, departments),
    }


def bundle_list() -> list[dict[str, Any]]:
    departments = departments_by_code()
    return [bundle_summary(bundle, departments) for bundle in all_bundles().values()]


def bundle_prefill(user: User, bundle: ServiceBundle) -> dict[str, Any]:
    """The one consent screen: each department's values (masked), each item once, and one consent sentence naming
    every department."""
    departments = departments_by_code()
    grouped: dict[str, dict[str, dict[str, Any]]] = {}
    for member in bundle.members:
        for item in prefill(user, member_services(bundle)[member.service])["items"]:
            fresh: dict[str, Any] = {**item, "purposes": []}
            shown = grouped.setdefault(item["department_code"], {}).setdefault(item["key"], fresh)
            shown["purposes"].append(item["purpose"])
    for shown_items in grouped.values():
        for shown_item in shown_items.values():
            shown_item["purpose"] = "；".join(dict.fromkeys(shown_item.pop("purposes")))
    names = "、".join(_department(departments, code) for code in grouped)
    names_en = ", ".join(
        (departments[code].name_en or departments[code].name_zh) if code in departments else code for code in grouped
    )
    return {
        "bundle": bundle.code,
        "departments": [
            {"department": _department(departments, code), "department_code": code, "items": list(items.values())}
            for code, items in grouped.items()
        ],
        "consent_text": str(
            Text(
                f"我同意{names}为办理「{bundle.name.zh}」调取以上部门数据，仅用于本次办理。",
                f"I agree that {names_en} read the data above to handle “{bundle.name.en}”, for this application only.",
            )
        ),
    }
