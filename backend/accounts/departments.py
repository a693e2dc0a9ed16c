"""The city's departments: reference data every service, registry and event category points to by code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import DEFAULT_DB_ALIAS

if TYPE_CHECKING:
    from .models import Department

DEPARTMENTS: list[tuple[str, str, str]] = [
    ("housing", "住房保障局", "Housing Security Bureau"),
    ("education", "教育局", "Education Bureau"),
    ("provident_fund", "住房公积金管理中心", "Housing Provident Fund Center"),
    ("city_management", "城市管理局", "City Management Bureau"),
    ("public_security", "公安局", "Public Security Bureau"),
    ("natural_resources", "自然资源和规划局", "Natural Resources and Planning Bureau"),
    ("civil_affairs", "民政局", "Civil Affairs Bureau"),
    ("tax", "税务局", "Tax Bureau"),
    ("health", "卫生健康委员会", "Health Commission"),
    ("medical_insurance", "医疗保障局", "Healthcare Security Administration"),
    ("social_security", "人力资源和社会保障局", "Human Resources and Social Security Bureau"),
]


def ensure_departments(using: str = DEFAULT_DB_ALIAS) -> None:
    """Create the departments that are missing (idempotent; names of existing ones are left as edited)."""
    from .models import Department

    for code, name_zh, name_en in DEPARTMENTS:
        Department.objects.using(using).get_or_create(code=code, defaults={"name_zh": name_zh, "name_en": name_en})


def departments_by_code() -> dict[str, Department]:
    """All departments in one query: a city has a few dozen, and every catalogue response names several."""
    from .models import Department

    return {d.code: d for d in Department.objects.all()}
