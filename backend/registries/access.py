"""Recording registry reads. Every pull of a person's registry data goes through :func:`record_access`."""

from __future__ import annotations

from collections.abc import Iterable

from backend.accounts.models import Department, User

from .models import ActorType, DataAccessLog, Resident


def record_access(
    *,
    subject: Resident,
    department: Department | str,
    items: Iterable[str],
    purpose: str,
    actor: User | None = None,
    actor_type: str = ActorType.SYSTEM,
    case_id: int | None = None,
    case_reference: str = "",
) -> DataAccessLog:
    if isinstance(department, str):
        department = Department.objects.get(code=department)
    return DataAccessLog.objects.create(
        subject=subject,
        department=department,
        items=sorted(set(items)),
        purpose=purpose,
        actor=actor,
        actor_type=actor_type,
        case_id=case_id,
        case_reference=case_reference,
    )
