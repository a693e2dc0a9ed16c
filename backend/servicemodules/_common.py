"""Small helpers shared by the built-in service modules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from backend.cases.context import Context
from backend.cases.models import OPEN_STATUSES, Case, Status

AMOUNT_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": r"^\d{1,9}(\.\d{1,2})?$",
    "title": "金额（元） Amount (yuan)",
}


def money(value: Any) -> Decimal:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return Decimal("0.00")


def within_last(day: dt.date, today: dt.date, days: int) -> bool:
    """ "Within the last N days": after today − N. A date exactly N days ago is no longer within."""
    return today - dt.timedelta(days=days) < day <= today


def has_other_case(ctx: Context, service_code: str, *, including_approved: bool = False, **match: Any) -> bool:
    """Is there another case of this service, still open (or, with ``including_approved``, also granted), that
    matches ``match`` (``household_id=…``, ``resident=…``, ``subject_index__in=…``)?

    The "one application at a time" rules of the service modules all ask this; the case being decided (when the
    rules run for a submitted case) is never its own "other"."""
    statuses = [*OPEN_STATUSES, Status.APPROVED] if including_approved else list(OPEN_STATUSES)
    others = Case.objects.filter(service_code=service_code, status__in=statuses, **match)
    if ctx.case is not None:
        others = others.exclude(pk=ctx.case.pk)
    return others.exists()
