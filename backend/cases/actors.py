"""Who acted on a case, in both languages: the timeline stores the Chinese label as the record, and screens render
the same description in the reader's language."""

from __future__ import annotations

from backend.accounts.models import User
from backend.core.i18n import Text
from backend.core.masking import mask_name

SYSTEM = Text("系统", "System")
APPLICANT = Text("申请人", "Applicant")


def describe(actor: User | None, applicant_id: int | None = None) -> Text:
    """The system, a clerk (or supervisor) with their department, the applicant, or (亲情代办) a family member who
    acted for the applicant (a resident who is not ``applicant_id``), by masked name."""
    if actor is None:
        return SYSTEM
    if actor.is_clerk or actor.is_supervisor:
        name = actor.display_name or actor.username
        department = actor.department if actor.department_id else None
        zh = f"{department.name_zh if department else ''} {name}".strip()
        en = f"{(department.name_en or department.name_zh) if department else ''} {name}".strip()
        return Text(zh, en)
    if applicant_id is not None and actor.pk != applicant_id:
        name = mask_name(actor.display_name)
        return Text(f"代办人 {name}".strip(), f"Delegate {name}".strip())
    return APPLICANT
