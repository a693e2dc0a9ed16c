"""How services are shown to residents (DESIGN §3.4)."""

from __future__ import annotations

from typing import Any

from backend.accounts.models import Department
from backend.cases.plugins import ServiceModule
from backend.registries.items import ITEMS


def departments_by_code() -> dict[str, Department]:
    """All departments in one query: a city has a few dozen, and every catalogue response names several."""
    return {d.code: d for d in Department.objects.all()}


def _name(departments: dict[str, Department], code: str) -> str:
    department = departments.get(code)
    return department.name if department else code


def service_summary(service: ServiceModule, departments: dict[str, Department]) -> dict[str, Any]:
    return {
        "code": service.code,
        "name": str(service.name),
        "name_en": service.name.en,
        "department": _name(departments, service.department),
        "department_code": service.department,
        "category": str(service.category),
        "mode": str(service.mode),
        "requires_face": service.requires_face,
        "time_limit_days": service.time_limit_days,
        "summary": str(service.summary),
    }


def service_detail(service: ServiceModule, departments: dict[str, Department]) -> dict[str, Any]:
    return {
        **service_summary(service, departments),
        "post_check_days": service.post_check_days,
        "steps": [str(step) for step in service.steps],
        "form": service.form,
        "data_items": [
            {
                "key": use.key,
                "label": str(ITEMS[use.key].label),
                "department": _name(departments, ITEMS[use.key].department),
                "department_code": ITEMS[use.key].department,
                "purpose": str(use.purpose),
            }
            for use in service.data
        ],
        "issues_certificate": service.certificate_title is not None,
    }
