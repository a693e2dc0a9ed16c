"""What the decision block says (mobileapp/decisions.py) for each of the five seed services, from real cases:
payouts, a monthly subsidy, a waitlist number, a school place, a revocation and a rejection with its rule. The rows
are the server's ``decision_rows`` (issue 13); a server without them gets the app's own reading of the seed
services' decision members (:func:`legacy_rows`)."""

from __future__ import annotations

import pytest

from mobileapp import api
from mobileapp.controllers.face import FaceController
from mobileapp.decisions import describe_decision, failed_rules, legacy_rows, rule_text
from tests.mobileapp.conftest import photo, run, staff_decide, verified_state
from tests.mobileapp.shapes import assert_shape

pytestmark = pytest.mark.django_db(transaction=True)

HOUSING_CLERK, EDUCATION_CLERK = "13700000001", "13700000002"


def _face_check(state, case: api.Case, selfie: str) -> api.Case:
    face = FaceController(state.api, case_id=case["id"])
    run(face.start())
    face.add_frame(selfie, photo(selfie))
    return run(face.verify())["case"]


def _view(case: api.Case) -> tuple:
    assert_shape(case, api.Case)  # the decision members too (api.Decision)
    view = describe_decision(case)
    return view.status, view.headline_key, view.rows, view.reason_code, view.certificate is not None


def certificate(title: str, case: api.Case) -> list[tuple[str, str]]:
    """The rows of the e-certificate an approval issued (its code is random)."""
    assert case["decision"] is not None
    return [("电子证照", title), ("证照编号", case["decision"]["certificate_code"])]


def test_the_seed_services_decisions(city) -> None:
    zhang = verified_state(city, "13800000001")
    run(zhang.enrol_face(photo("obama_2.jpg"), "obama_2.jpg"))
    withdrawal = run(
        zhang.api.create_case("provident-fund-withdrawal", {"reason": "rent", "amount": "4500.00"}, consent=True)
    )
    assert _view(_face_check(zhang, withdrawal, "obama_3.jpg")) == (
        "approved",
        "decision.approved",
        [("到账金额", "¥4500.00"), ("收款账户", "***************0012"), ("提取原因", "租房")],
        "",
        False,
    )

    talent = run(
        zhang.api.create_case("talent-housing-subsidy", {"degree": "master", "employer": "郑州某公司"}, consent=True)
    )
    talent = _face_check(zhang, talent, "obama_3.jpg")
    subsidy_rows = [("每月补贴", "¥2000.00"), ("补贴期限", "36 个月"), ("补贴总额", "¥72000.00")]
    subsidy_rows += certificate("人才住房补贴资格确认书", talent)
    assert _view(talent) == (
        "approved",
        "decision.approved",
        subsidy_rows,
        "",
        True,
    )
    staff_decide(city["url"], HOUSING_CLERK, talent["id"], "revoke", "承诺不实")
    revoked = run(zhang.api.case(talent["id"]))
    assert _view(revoked) == ("revoked", "decision.revoked", subsidy_rows, "", True)
    assert describe_decision(revoked).reason == ""

    rental = run(zhang.api.create_case("public-rental-housing", {}, consent=True))
    assert _view(rental) == ("in_review", "decision.in_review", [], "", False)
    staff_decide(city["url"], HOUSING_CLERK, rental["id"], "approve")
    rental = run(zhang.api.case(rental["id"]))
    assert _view(rental) == (
        "approved",
        "decision.approved",
        [("轮候号", "1"), *certificate("公租房轮候登记凭证", rental)],
        "",
        True,
    )

    li = verified_state(city, "13800000003")
    run(li.enrol_face(photo("biden_2.jpg"), "biden_2.jpg"))
    deed = run(li.api.create_case("deed-tax-subsidy", {}, consent=True))
    assert _view(_face_check(li, deed, "biden_2.jpg")) == (
        "approved",
        "decision.approved",
        [("到账金额", "¥20000.00"), ("收款账户", "***************0038")],
        "",
        False,
    )
    child = next(r for r in city["data"]["residents"] if r["name"] == "李沐阳")
    school = run(li.api.create_case("primary-school-enrolment", {"child_id_number": child["id_number"]}, consent=True))
    staff_decide(city["url"], EDUCATION_CLERK, school["id"], "approve")
    school = run(li.api.case(school["id"]))
    assert school["decision"] is not None
    year = str(school["decision"]["enrolment_year"])
    assert _view(school) == (
        "approved",
        "decision.approved",
        [
            ("分配学校", "郑州市郑东新区如意湖小学"),
            ("类别", "A类"),
            ("年度", year),
            *certificate("小学入学登记确认书", school),
        ],
        "",
        True,
    )


def test_rejection_shows_the_failed_rule_in_plain_words(city) -> None:
    liu = verified_state(city, "13800000006")  # 刘芳: only 2 months contributed
    run(liu.enrol_face(photo("rose_leslie_2.jpg"), "rose_leslie_2.jpg"))
    case = run(liu.api.create_case("provident-fund-withdrawal", {"reason": "rent", "amount": "1000"}, consent=True))
    decided = _face_check(liu, case, "rose_leslie_2.jpg")
    assert _view(decided) == ("rejected", "decision.rejected", [], "insufficient_contribution", False)
    view = describe_decision(decided)
    assert view.reason == "连续缴存不满3个月，暂不能租房提取。"  # the server's words
    failed = failed_rules(decided["rule_trace"])
    assert [r["code"] for r in failed] == ["insufficient_contribution"]
    assert rule_text(failed[0]) == view.reason
    assert len(decided["rule_trace"]) > len(failed)  # the passed checks are not shown as failures


def test_a_server_without_decision_rows_gets_the_apps_own_reading() -> None:
    """The fallback for servers from before issue 13 (no ``decision_rows``): the seed services' members."""
    subsidy: api.Decision = {
        "type": "subsidy",
        "monthly_amount": "2000.00",
        "months": 36,
        "total": "72000.00",
        "certificate_id": 3,
    }
    assert legacy_rows(subsidy) == [
        ("每月补贴", "¥2000.00"),
        ("补贴期限", "36 个月"),
        ("补贴总额", "¥72000.00"),
        ("电子证照已生成", "✓"),
    ]
    assert legacy_rows({"type": "waitlist", "waitlist_number": 7}, "en") == [("Waitlist number", "7")]
    assert legacy_rows({"reason_code": "too_frequent", "reason": "90天内已办理过"}) == []
