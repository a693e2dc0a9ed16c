"""Every rule and reason code of DESIGN §3.7 through the HTTP API, on the demo registry data.

Residents with a registry photo pass a real face check (their `_2` selfie); residents without one are verified by
a clerk at the counter, the product's alternative path. The demo data is built relative to today, so the boundary
cases (exactly 3 months, exactly 90 days, born 1 September / 31 August, income exactly 2500.00) hold on any date.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from backend.cases.models import Payout, SubsidyClaim
from backend.registries.models import DataAccessLog, ProvidentFundAccount, ProvidentWithdrawal
from tests import personas
from tests.cases.conftest import counter_verify
from tests.personas import CHEN_SIQI, LI_MUYANG, LIU_YINUO, ZHANG_JIANGUO, ZHANG_ZIHAN

pytestmark = pytest.mark.django_db

PFW = "provident-fund-withdrawal"
DEED = "deed-tax-subsidy"
SCHOOL = "primary-school-enrolment"
RENTAL = "public-rental-housing"
TALENT = "talent-housing-subsidy"

ZHANG = ZHANG_JIANGUO.phone  # obama_1: renter, exactly 3 months, last rent withdrawal exactly 90 days ago
LI_ZHIQIANG = personas.LI_ZHIQIANG.phone  # biden_1: first home bought 30 days ago
WANG_LEI = personas.WANG_LEI.phone  # kit_harington_1: second home bought 60 days ago
LIU_FANG = personas.LIU_FANG.phone  # rose_leslie_1: 2 months, household income 2500.01
CHEN_GANG = personas.CHEN_GANG.phone  # alex_lacamoire_1: frozen account, no school district
ZHAO_MING = personas.ZHAO_MING.phone  # lin_manuel_miranda_1: home bought 400 days ago

SELFIE = {
    ZHANG: "obama_2.jpg",
    LI_ZHIQIANG: "biden_2.jpg",
    WANG_LEI: "kit_harington_2.jpg",
    LIU_FANG: "rose_leslie_2.jpg",
    CHEN_GANG: "alex_lacamoire_1.png",
    ZHAO_MING: "lin_manuel_miranda_1.png",
}

CHILD_31_AUG_Y6 = ZHANG_ZIHAN.id_number  # 张子涵, household of 张建国: youngest eligible
CHILD_1_SEP_Y7 = LI_MUYANG.id_number  # 李沐阳, household of 李志强: oldest eligible
CHILD_31_AUG_Y7 = LIU_YINUO.id_number  # 刘一诺, household of 刘芳: one day too old
CHILD_NO_DISTRICT = CHEN_SIQI.id_number  # 陈思琪, household of 陈刚


def face_apply(resident, phone: str, service: str, form: dict | None = None) -> dict:
    person = resident(phone)
    person.enrol(SELFIE[phone].replace("_2", "_1"))
    case = person.apply(service, form)
    assert case["status"] == "pending_face"
    return person.face_check(case, SELFIE[phone])


def counter_apply(resident, clerk, phone: str, service: str, department: str, form: dict | None = None) -> dict:
    case = resident(phone).apply(service, form)
    assert case["status"] == "pending_face"
    return counter_verify(clerk(department), case)


def rejected_with(case: dict, code: str) -> None:
    assert case["status"] == "rejected", case
    assert case["decision"]["reason_code"] == code
    assert case["decision"]["reason"]  # plain words for the resident
    failed = [r for r in case["rule_trace"] if r["passed"] is False]
    assert failed and failed[0]["code"] == code


# -- provident fund withdrawal -------------------------------------------------------------------------------------
def test_rent_withdrawal_at_the_boundaries_is_paid_and_recorded(resident) -> None:
    account = ProvidentFundAccount.objects.get(resident__phone="+86" + ZHANG)
    balance = account.balance
    case = face_apply(resident, ZHANG, PFW, {"reason": "rent", "amount": "4500.00"})
    assert case["status"] == "approved", case
    assert case["decision"]["amount"] == "4500.00"
    assert case["decision"]["to_account_masked"].endswith(account.bank_card[-4:])
    assert account.bank_card not in str(case)
    account.refresh_from_db()
    assert account.balance == balance - Decimal("4500.00")
    assert ProvidentWithdrawal.objects.filter(account=account, case_reference=case["reference_no"]).count() == 1
    assert Payout.objects.get(case_id=case["id"]).amount == Decimal("4500.00")
    trace = {r["code"]: r for r in case["rule_trace"]}
    assert trace["insufficient_contribution"]["values"]["months_contributed"] == 3  # exactly 3 passes
    assert trace["too_frequent"]["passed"] is True  # exactly 90 days ago passes
    # Every decision lists the registry items it read in the access log.
    logs = DataAccessLog.objects.filter(case_id=case["id"])
    assert {tuple(log.items) for log in logs} == {
        ("provident_fund.account", "provident_fund.withdrawals"),
        ("property.owned",),
    }


def test_second_rent_withdrawal_is_too_frequent(resident) -> None:
    person = resident(ZHANG)
    person.enrol("obama_1.jpg")
    first = person.face_check(person.apply(PFW, {"reason": "rent", "amount": "1000.00"}), "obama_2.jpg")
    assert first["status"] == "approved"
    second = person.face_check(person.apply(PFW, {"reason": "rent", "amount": "100.00"}), "obama_3.jpg")
    rejected_with(second, "too_frequent")
    assert Payout.objects.count() == 1


def test_rent_over_4500_exceeds_limit(resident) -> None:
    rejected_with(face_apply(resident, ZHANG, PFW, {"reason": "rent", "amount": "4500.01"}), "amount_exceeds_limit")
    assert Payout.objects.count() == 0


def test_two_months_is_insufficient(resident) -> None:
    rejected_with(
        face_apply(resident, LIU_FANG, PFW, {"reason": "rent", "amount": "100.00"}), "insufficient_contribution"
    )


def test_frozen_account_is_not_active(resident) -> None:
    rejected_with(face_apply(resident, CHEN_GANG, PFW, {"reason": "rent", "amount": "100.00"}), "account_not_active")


def test_closed_account_is_not_active(resident, clerk) -> None:
    case = counter_apply(resident, clerk, "13800000002", PFW, "provident_fund", {"reason": "rent", "amount": "100.00"})
    rejected_with(case, "account_not_active")


def test_home_owner_cannot_withdraw_for_rent(resident) -> None:
    rejected_with(face_apply(resident, WANG_LEI, PFW, {"reason": "rent", "amount": "100.00"}), "owns_property")


def test_rent_withdrawal_89_days_after_the_last_is_too_frequent(resident, clerk) -> None:
    case = counter_apply(resident, clerk, "13800000011", PFW, "provident_fund", {"reason": "rent", "amount": "100.00"})
    rejected_with(case, "too_frequent")


def test_rent_over_balance_exceeds_limit(resident, clerk) -> None:
    case = counter_apply(resident, clerk, "13800000010", PFW, "provident_fund", {"reason": "rent", "amount": "2000.01"})
    rejected_with(case, "amount_exceeds_limit")


def test_purchase_withdrawal_after_a_recent_purchase(resident) -> None:
    case = face_apply(resident, LI_ZHIQIANG, PFW, {"reason": "purchase", "amount": "30000.00"})
    assert case["status"] == "approved", case
    assert case["decision"]["amount"] == "30000.00"


def test_purchase_of_a_second_home_counts(resident) -> None:
    assert face_apply(resident, WANG_LEI, PFW, {"reason": "purchase", "amount": "1000.00"})["status"] == "approved"


def test_purchase_400_days_ago_is_not_recent(resident) -> None:
    rejected_with(
        face_apply(resident, ZHAO_MING, PFW, {"reason": "purchase", "amount": "100.00"}), "no_recent_purchase"
    )


def test_purchase_over_the_price_exceeds_limit(resident, clerk) -> None:
    form = {"reason": "purchase", "amount": "120000.01"}
    rejected_with(counter_apply(resident, clerk, "13800000014", PFW, "provident_fund", form), "amount_exceeds_limit")


# -- deed-tax subsidy --------------------------------------------------------------------------------------------------
def test_deed_tax_subsidy_is_capped_and_paid_once_per_property(resident, clerk) -> None:
    person = resident(LI_ZHIQIANG)
    person.enrol("biden_1.jpg")
    first = person.face_check(person.apply(DEED), "biden_2.jpg")
    assert first["status"] == "approved", first
    assert first["decision"]["amount"] == "20000.00"  # 50% of 45000.00 is above the cap
    again = person.face_check(person.apply(DEED), "biden_2.jpg")
    rejected_with(again, "already_claimed")
    # The co-owner of the same home cannot claim it again either.
    rejected_with(counter_apply(resident, clerk, "13800000004", DEED, "housing"), "already_claimed")
    assert SubsidyClaim.objects.count() == 1 and Payout.objects.count() == 1


def test_deed_tax_subsidy_is_half_the_tax(resident, clerk) -> None:
    case = counter_apply(resident, clerk, "13800000012", DEED, "housing")
    assert case["status"] == "approved" and case["decision"]["amount"] == "4400.00"


@pytest.mark.parametrize("phone", [WANG_LEI, ZHAO_MING])
def test_second_home_or_old_purchase_has_no_eligible_property(resident, phone: str) -> None:
    rejected_with(face_apply(resident, phone, DEED), "no_eligible_property")


def test_no_deed_tax_paid_has_no_eligible_property(resident, clerk) -> None:
    rejected_with(counter_apply(resident, clerk, "13800000013", DEED, "housing"), "no_eligible_property")


# -- primary school enrolment ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("phone", "child", "category"),
    [(ZHANG, CHILD_31_AUG_Y6, "B"), (LI_ZHIQIANG, CHILD_1_SEP_Y7, "A")],
)
def test_enrolment_boundaries_and_category(resident, clerk, phone: str, child: str, category: str) -> None:
    case = resident(phone).apply(SCHOOL, {"child_id_number": child})
    assert case["status"] == "in_review", case
    assert case["due_at"] and case["working_days_left"] == 10
    education = clerk("education")
    staff_view = education.get(f"/api/v1/staff/cases/{case['id']}").json()
    assert staff_view["proposal"]["category"] == category
    decided = education.post(f"/api/v1/staff/cases/{case['id']}/decide", {"action": "approve", "reason": ""})
    assert decided.status_code == 200, decided.content
    assert decided.json()["decision"]["category"] == category
    assert decided.json()["decision"]["school"]


def test_enrolment_one_day_too_old(resident) -> None:
    rejected_with(resident(LIU_FANG).apply(SCHOOL, {"child_id_number": CHILD_31_AUG_Y7}), "age_out_of_range")


def test_enrolment_of_another_households_child(resident) -> None:
    rejected_with(resident(ZHANG).apply(SCHOOL, {"child_id_number": CHILD_1_SEP_Y7}), "not_guardian")


def test_enrolment_without_school_district(resident) -> None:
    rejected_with(resident(CHEN_GANG).apply(SCHOOL, {"child_id_number": CHILD_NO_DISTRICT}), "no_school_district")


# -- public rental housing ---------------------------------------------------------------------------------------------
def test_rental_income_exactly_2500_reaches_review_and_gets_a_waitlist_number(resident, clerk) -> None:
    case = resident(ZHANG).apply(RENTAL)
    assert case["status"] == "in_review", case
    housing = clerk("housing")
    first = housing.post(f"/api/v1/staff/cases/{case['id']}/decide", {"action": "approve"}).json()
    second_case = resident("13800000010").apply(RENTAL)
    second = housing.post(f"/api/v1/staff/cases/{second_case['id']}/decide", {"action": "approve"}).json()
    assert first["decision"]["waitlist_number"] + 1 == second["decision"]["waitlist_number"]


def test_rental_income_2500_01_is_too_high(resident) -> None:
    rejected_with(resident(LIU_FANG).apply(RENTAL), "income_too_high")


def test_rental_household_member_owns_property(resident) -> None:
    rejected_with(resident("13800000009").apply(RENTAL), "owns_property")


def test_rental_one_open_application_per_household(resident) -> None:
    assert resident(ZHANG).apply(RENTAL)["status"] == "in_review"
    rejected_with(resident("13800000002").apply(RENTAL), "duplicate_application")


# -- talent housing subsidy -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("degree", "monthly"), [("bachelor", "1000.00"), ("master", "2000.00"), ("doctor", "3000.00")])
def test_talent_subsidy_is_approved_on_commitment(resident, degree: str, monthly: str) -> None:
    case = face_apply(resident, LIU_FANG, TALENT, {"degree": degree, "employer": "郑州大学"})
    assert case["status"] == "approved", case
    assert case["decision"]["monthly_amount"] == monthly and case["decision"]["months"] == 36
    assert case["post_check_due"]
