"""Small helpers shared by the built-in service modules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

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
