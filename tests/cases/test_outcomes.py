"""Typed outcomes (cases/outcomes.py): each stores the decision dict exactly as the untyped modules did (the API's
``decision`` and the outside conformance check read it), renders its own display rows in the reader's language, and
can be rebuilt from what ``Case.outcomes`` stores; through the API every case carries ``decision_rows``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from backend.cases import outcomes
from backend.cases.models import Case
from backend.cases.sdk import Assignment, GenericOutcome, Payout, Row, SubsidySchedule, Text, WaitlistNumber
from tests.cases.conftest import counter_verify

SCHOOL = Assignment(
    "郑州市金水区第一小学", "A", 2026, Text("分配学校", "School"), place_key="school", year_key="enrolment_year"
)
CASES = [
    (
        Payout(Decimal("4500"), "************1234", reason="rent", reason_label=Text("租房", "Rent")),
        {"type": "payout", "amount": "4500.00", "to_account_masked": "************1234", "reason": "rent"},
        [("到账金额", "¥4500.00"), ("收款账户", "************1234"), ("提取原因", "租房")],
        [("Amount paid", "¥4500.00"), ("To account", "************1234"), ("Reason", "Rent")],
    ),
    (
        SubsidySchedule(Decimal("2000.00"), 36),
        {"type": "subsidy", "monthly_amount": "2000.00", "months": 36, "total": "72000.00"},
        [("每月补贴", "¥2000.00"), ("补贴期限", "36 个月"), ("补贴总额", "¥72000.00")],
        [("Monthly subsidy", "¥2000.00"), ("Duration", "36 months"), ("Total", "¥72000.00")],
    ),
    (
        SCHOOL,
        {"type": "assignment", "school": "郑州市金水区第一小学", "category": "A", "enrolment_year": 2026},
        [("分配学校", "郑州市金水区第一小学"), ("类别", "A类"), ("年度", "2026")],
        [("School", "郑州市金水区第一小学"), ("Category", "Category A"), ("Year", "2026")],
    ),
    (
        WaitlistNumber(17),
        {"type": "waitlist", "waitlist_number": 17},
        [("轮候号", "17")],
        [("Waitlist number", "17")],
    ),
    (
        GenericOutcome([Row(Text("申请说明", "Details"), "修缮屋顶")], type="approval", values={"details": "修缮屋顶"}),
        {"type": "approval", "details": "修缮屋顶"},
        [("申请说明", "修缮屋顶")],
        [("Details", "修缮屋顶")],
    ),
]


def pairs(rows: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [(row["label"], row["value"]) for row in rows]


@pytest.mark.parametrize(("outcome", "decision", "zh", "en"), CASES, ids=lambda c: type(c).__name__)
def test_outcome_stores_the_same_decision_and_renders_rows_in_both_languages(outcome, decision, zh, en) -> None:
    assert outcome.as_dict() == decision
    stored = [outcome.stored()]
    with translation.override("zh-hans"):
        assert pairs(outcomes.decision_rows(stored, decision)) == zh
    with translation.override("en"):
        assert pairs(outcomes.decision_rows(stored, decision)) == en
        # A case decided before Case.outcomes existed: the rows come from the decision's `type` (a payout's
        # reason label was never stored in the decision, so that one row is missing there).
        if not isinstance(outcome, GenericOutcome):
            legacy = [row for row in en if row[0] != "Reason"]
            assert pairs(outcomes.decision_rows([], decision)) == legacy


def test_a_plain_dict_from_an_older_module_still_works() -> None:
    results = outcomes.as_outcomes({"type": "approval", "permit_no": "X-1", "fee": 12})
    assert outcomes.decision_of(results) == {"type": "approval", "permit_no": "X-1", "fee": 12}
    assert pairs(outcomes.rows_of(results)) == [("permit_no", "X-1"), ("fee", "12")]


def test_a_list_of_outcomes_merges_and_clashes_are_refused() -> None:
    due = dt.date(2026, 1, 31)
    both = [Payout(Decimal("10"), "**12", expected_date=due), WaitlistNumber(3)]
    assert outcomes.decision_of(both) == {
        "type": "payout",
        "amount": "10.00",
        "to_account_masked": "**12",
        "expected_date": "2026-01-31",
        "waitlist_number": 3,
    }
    with pytest.raises(Exception, match="amount"):
        outcomes.decision_of([Payout(Decimal("1")), Payout(Decimal("2"))])


def test_rejections_have_no_rows() -> None:
    assert outcomes.decision_rows([], {"reason_code": "x", "reason": {"zh": "不", "en": "no"}}) == []
    assert outcomes.decision_rows([], None) == []


# -- through the API -------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_api_returns_decision_rows_with_the_unchanged_decision(resident, clerk) -> None:
    applicant = resident("13800000012")
    case = applicant.apply("deed-tax-subsidy")
    decided = counter_verify(clerk("housing"), case)
    assert decided["status"] == "approved"
    assert set(decided["decision"]) == {"type", "amount", "to_account_masked"}
    assert pairs(applicant.case(case["id"])["decision_rows"]) == [
        ("到账金额", "¥4400.00"),
        ("收款账户", decided["decision"]["to_account_masked"]),
    ]
    english = applicant.client.get(f"/api/v1/cases/{case['id']}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert [row["label"] for row in english["decision_rows"]] == ["Amount paid", "To account"]
    assert Case.objects.get(pk=case["id"]).outcomes[0]["kind"] == "payout"


@pytest.mark.django_db
def test_staff_view_and_certificate_rows(resident, clerk) -> None:
    case = resident("13800000003").apply("primary-school-enrolment", {"child_id_number": "410105202009010571"})
    education = clerk("education")
    assert education.get(f"/api/v1/staff/cases/{case['id']}").json()["decision_rows"] == []
    decided = education.post(f"/api/v1/staff/cases/{case['id']}/decide", {"action": "approve"}).json()
    assert set(decided["decision"]) == {
        "type",
        "school",
        "category",
        "enrolment_year",
        "certificate_id",
        "certificate_code",
    }
    labels = [row["label"] for row in decided["decision_rows"]]
    assert labels == ["分配学校", "类别", "年度", "电子证照", "证照编号"]
    assert decided["decision_rows"][1]["value"] == "A类"
    assert decided["decision_rows"][3]["value"] == "小学入学登记确认书"
    assert decided["decision_rows"][4]["value"] == decided["decision"]["certificate_code"]
