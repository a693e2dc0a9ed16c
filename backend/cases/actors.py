"""Who acted on a case, in both languages: the timeline stores the Chinese label as the record, and screens render
the same description in the reader's language."""

from __future__ import annotations

from backend.accounts.models import User
from backend.core.i18n import Text

SYSTEM = Text("系统", "System")
APPLICANT = Text("申请人", "Applicant")


def describe(actor: User | None) -> Text:
    """The system, a clerk (or supervisor) with their department, or the applicant."""
    if actor is None:
        return SYSTEM
    if actor.is_clerk or actor.is_supervisor:
        name = actor.display_name or actor.username
        department = actor.department if actor.department_id else None
        zh = f"{department.name_zh if department else ''} {name}".strip()
        en = f"{(department.name_en or department.name_zh) if department else ''} {name}".strip()
        return Text(zh, en)
    return APPLICANT
