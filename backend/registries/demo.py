"""Demo registry data, built relative to today (the rules are evaluated on today's date)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings

from backend.demo.city import build_demo_registry

from .importer import import_registry
from .models import ProvidentWithdrawal

FIXTURES = settings.BASE_DIR / "fixtures"


def _forget_stale_withdrawals(data: dict[str, list[dict[str, Any]]]) -> None:
    """Withdrawals have no natural key and the demo dates move with today: on a later day, the demo's earlier
    imported withdrawals (not those paid by cases) are replaced instead of piling up."""
    wanted = {
        (w["account_no"], dt.date.fromisoformat(w["date"]), w["reason"], Decimal(w["amount"]))
        for w in data.get("provident_withdrawals", [])
    }
    accounts = {w["account_no"] for w in data.get("provident_withdrawals", [])}
    for w in ProvidentWithdrawal.objects.filter(account__account_no__in=accounts, case_reference="").select_related(
        "account"
    ):
        if (w.account.account_no, w.date, w.reason, w.amount) not in wanted:
            w.delete()


def load(today: dt.date, log: Callable[[str], None]) -> None:
    data = build_demo_registry(today)
    _forget_stale_withdrawals(data)
    for line in import_registry(data, FIXTURES).lines():
        log(line)
