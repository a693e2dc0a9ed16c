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
    proactive_scan: bool = False,
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
        proactive_scan=proactive_scan,
    )


def record_accesses(logs: list[DataAccessLog]) -> None:
    """Write many reads at once (the 免申即享 scan logs thousands of residents per run): one INSERT per batch."""
    DataAccessLog.objects.bulk_create(logs, batch_size=1000)
