"""Running a service's rules into a rule trace: each rule, pass/fail, the registry values it used."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from backend.core.i18n import Text

from .context import Context
from .plugins import Rule, ServiceModule


def jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Text):
        return value.as_dict()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    return value


@dataclass
class Evaluation:
    trace: list[dict[str, Any]]
    failed: Rule | None

    @property
    def passed(self) -> bool:
        return self.failed is None

    def rejection(self) -> dict[str, Any]:
        assert self.failed is not None
        entry = next(e for e in self.trace if e["code"] == self.failed.code)
        return {"reason_code": self.failed.code, "reason": entry["message"]}


def evaluate(service: ServiceModule, ctx: Context) -> Evaluation:
    """Check every rule (the trace is complete even after a failure); the first failure is the reason."""
    trace: list[dict[str, Any]] = []
    failed: Rule | None = None
    for rule in service.rules(ctx):
        check = rule.check(ctx)
        message = check.note or (rule.fail_message if check.passed is False else None)
        trace.append(
            {
                "code": rule.code,
                "label": rule.label.as_dict(),
                "passed": check.passed,
                "values": jsonable(check.values),
                "message": message.as_dict() if message else None,
            }
        )
        if check.passed is False and failed is None:
            failed = rule
    return Evaluation(trace, failed)
