"""What the decision block says (mobileapp/decisions.py) for each of the five seed services, from real cases:
payouts, a monthly subsidy, a waitlist number, a school place, a revocation and a rejection with its rule."""

from __future__ import annotations

import pytest

from mobileapp import api
from mobileapp.controllers.face import FaceController
from mobileapp.decisions import describe_decision, failed_rules, rule_text
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


def test_the_seed_services_decisions(city) -> None:
    zhang = verified_state(city, "13800000001")
    run(zhang.enrol_face(photo("obama_2.jpg"), "obama_2.jpg"))
    withdrawal = run(
        zhang.api.create_case("provident-fund-withdrawal", {"reason": "rent", "amount": "4500.00"}, consent=True)
    )
    assert _view(_face_check(zhang, withdrawal, "obama_3.jpg")) == (
        "approved",
        "decision.approved",
        [("decision.payout", "¥4500.00"), ("decision.to_account", "***************0012")],
        "",
        False,
    )

    talent = run(
        zhang.api.create_case("talent-housing-subsidy", {"degree": "master", "employer": "郑州某公司"}, consent=True)
    )
    subsidy_rows = [("decision.monthly", "¥2000.00"), ("decision.months", "36"), ("decision.total", "¥72000.00")]
    assert _view(_face_check(zhang, talent, "obama_3.jpg")) == (
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
    assert _view(run(zhang.api.case(rental["id"]))) == (
        "approved",
        "decision.approved",
        [("decision.waitlist", "1")],
        "",
        True,
    )

    li = verified_state(city, "13800000003")
    run(li.enrol_face(photo("biden_2.jpg"), "biden_2.jpg"))
    deed = run(li.api.create_case("deed-tax-subsidy", {}, consent=True))
    assert _view(_face_check(li, deed, "biden_2.jpg")) == (
        "approved",
        "decision.approved",
        [("decision.payout", "¥20000.00"), ("decision.to_account", "***************0038")],
        "",
        False,
    )
    child = next(r for r in city["data"]["residents"] if r["name"] == "李沐阳")
    school = run(li.api.create_case("primary-school-enrolment", {"child_id_number": child["id_number"]}, consent=True))
    staff_decide(city["url"], EDUCATION_CLERK, school["id"], "approve")
    assert _view(run(li.api.case(school["id"]))) == (
        "approved",
        "decision.approved",
        [("decision.school", "郑州市郑东新区如意湖小学"), ("decision.category", "A")],
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
