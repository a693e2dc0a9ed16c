"""What the decision block says about a case: the outcome rows and the failed rules of its rule trace. Plain Python
(no Flet); ``screens/outcome.py`` draws it.

The rows come from the server (``decision_rows``, issue 13): each service's typed outcome renders its own rows in
the reader's language, so a service added later shows its result here with no change to the app. Only a server from
before ``decision_rows`` makes this module read the five seed services' ``decision`` members itself
(:func:`legacy_rows`); that fallback is all the app still knows about any service's outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mobileapp import i18n
from mobileapp.api import Case, Decision, RuleCheck
from mobileapp.formats import money


@dataclass
class DecisionView:
    """What the decision screen shows, derived from the case's ``decision_rows``, ``decision`` and ``status``."""

    status: str
    headline_key: str
    rows: list[tuple[str, str]] = field(default_factory=list)  # (label, value), ready to show
    reason: str = ""
    reason_code: str = ""
    certificate: int | None = None


def describe_decision(case: Case, language: str = i18n.DEFAULT_LANGUAGE) -> DecisionView:
    status = case["status"]
    decision = case["decision"] or {}
    view = DecisionView(status=status, headline_key=f"decision.{status}")
    rows = case.get("decision_rows")
    if rows is not None:
        view.rows = [(row["label"], row["value"]) for row in rows]
    else:
        view.rows = legacy_rows(decision, language)
    view.certificate = decision.get("certificate_id")
    # A rejection's words; a payout's ``reason`` member is the form's reason code, not words for the resident.
    view.reason = (decision.get("reason") or "") if "reason_code" in decision else ""
    view.reason_code = decision.get("reason_code") or ""
    return view


def legacy_rows(decision: Decision, language: str = i18n.DEFAULT_LANGUAGE) -> list[tuple[str, str]]:
    """The rows of a server without ``decision_rows``, read from the seed services' members."""

    def t(key: str, **params: object) -> str:
        return i18n.translate(key, language, **params)

    if "reason_code" in decision:
        return []
    rows: list[tuple[str, str]] = []
    if "amount" in decision:  # a payout
        rows.append((t("decision.payout"), money(decision["amount"])))
        if decision.get("to_account_masked"):
            rows.append((t("decision.to_account"), decision["to_account_masked"]))
    if "monthly_amount" in decision:  # a monthly subsidy
        rows.append((t("decision.monthly"), money(decision["monthly_amount"])))
        if "months" in decision:
            rows.append((t("decision.months"), t("decision.months_value", n=decision["months"])))
        if "total" in decision:
            rows.append((t("decision.total"), money(decision["total"])))
    if decision.get("school"):  # a school place
        rows.append((t("decision.school"), decision["school"]))
        if decision.get("category"):
            rows.append((t("decision.category"), decision["category"]))
    if "waitlist_number" in decision:
        rows.append((t("decision.waitlist"), str(decision["waitlist_number"])))
    if decision.get("certificate_id"):
        rows.append((t("decision.certificate"), "✓"))
    return rows


def failed_rules(trace: list[RuleCheck]) -> list[RuleCheck]:
    """The failed checks of a rule trace (a case's ``rule_trace`` or ``/eligibility``'s), in the server's order."""
    return [rule for rule in trace if rule["passed"] is False]


def rule_text(rule: RuleCheck) -> str:
    """The server's words for a check: its message (why it failed), else its label (what it checks)."""
    return rule["message"] or rule["label"]
