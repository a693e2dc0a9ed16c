"""What the decision block says about a case: the outcome rows of its ``decision`` and the failed rules of its
rule trace. Plain Python (no Flet); ``screens/decision.py`` draws it.

The rows are read from the members the seed services write (``api.Decision``). This is the one place that knows
them: when the server renders display rows itself, this module is what gets replaced.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mobileapp.api import Case, RuleCheck
from mobileapp.formats import money


@dataclass
class DecisionView:
    """What the decision screen shows, derived from the case's ``decision`` and ``status`` only."""

    status: str
    headline_key: str
    rows: list[tuple[str, str]] = field(default_factory=list)  # (i18n key, value)
    reason: str = ""
    reason_code: str = ""
    certificate: int | None = None


def describe_decision(case: Case) -> DecisionView:
    status = case["status"]
    decision = case["decision"] or {}
    view = DecisionView(status=status, headline_key=f"decision.{status}")
    if "amount" in decision:  # a payout
        view.rows.append(("decision.payout", money(decision["amount"])))
        if decision.get("to_account_masked"):
            view.rows.append(("decision.to_account", decision["to_account_masked"]))
    if "monthly_amount" in decision:  # a monthly subsidy
        view.rows.append(("decision.monthly", money(decision["monthly_amount"])))
        if "months" in decision:
            view.rows.append(("decision.months", str(decision["months"])))
        if "total" in decision:
            view.rows.append(("decision.total", money(decision["total"])))
    if decision.get("school"):  # a school place
        view.rows.append(("decision.school", decision["school"]))
        if decision.get("category"):
            view.rows.append(("decision.category", decision["category"]))
    if "waitlist_number" in decision:
        view.rows.append(("decision.waitlist", str(decision["waitlist_number"])))
    view.certificate = decision.get("certificate_id")
    view.reason = decision.get("reason") or ""
    view.reason_code = decision.get("reason_code") or ""
    return view


def failed_rules(trace: list[RuleCheck]) -> list[RuleCheck]:
    """The failed checks of a rule trace (a case's ``rule_trace`` or ``/eligibility``'s), in the server's order."""
    return [rule for rule in trace if rule["passed"] is False]


def rule_text(rule: RuleCheck) -> str:
    """The server's words for a check: its message (why it failed), else its label (what it checks)."""
    return rule["message"] or rule["label"]
