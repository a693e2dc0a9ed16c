"""CasesController and CaseController: my cases (filter, load more), a case returned, fixed, resubmitted,
withdrawn and rated — offered only when the server's ``actions`` say so."""

from __future__ import annotations

import pytest

from mobileapp.controllers.apply import ApplyController
from mobileapp.controllers.cases import CaseController, CasesController, returned_note
from tests.mobileapp.conftest import run, staff_decide, verified_state
from tests.personas import LI_ZHIQIANG, ZHANG_JIANGUO

pytestmark = pytest.mark.django_db(transaction=True)

ZHANG = ZHANG_JIANGUO.phone
LI = LI_ZHIQIANG.phone


def test_returned_case_is_fixed_and_resubmitted_then_withdrawn_and_rated(city) -> None:
    state = verified_state(city, LI)
    child = next(r for r in city["data"]["residents"] if r["name"] == "李沐阳")
    apply = ApplyController(state.api, "primary-school-enrolment")
    run(apply.load())
    apply.values, apply.consent = {"child_id_number": child["id_number"]}, True
    case = run(apply.submit())
    assert case["status"] == "in_review" and case["due_at"]

    staff_decide(city["url"], "13700000002", case["id"], "return", "请核对孩子身份证号")
    ctrl = CaseController(state.api, case["id"])
    run(ctrl.load())
    assert ctrl.status == "returned" and ctrl.can_resubmit and ctrl.can_withdraw
    assert not ctrl.can_rate and not ctrl.needs_face
    assert returned_note(ctrl.case) == "请核对孩子身份证号"
    run(ctrl.load_form())
    # The server never echoes the full ID number; sent back unchanged, the masked value means "keep it".
    assert ctrl.values == {"child_id_number": child["id_number"][:6] + "********" + child["id_number"][-4:]}
    ctrl.values["child_id_number"] = "123"
    assert run(ctrl.resubmit()) is None and "child_id_number" in ctrl.errors  # the schema's pattern
    ctrl.values["child_id_number"] = child["id_number"]
    resubmitted = run(ctrl.resubmit())
    assert resubmitted["status"] == "in_review" and ctrl.case is resubmitted
    assert not ctrl.can_resubmit

    listing = CasesController(state.api)
    assert [c["reference_no"] for c in run(listing.load())] == [case["reference_no"]]

    run(ctrl.withdraw())
    assert ctrl.status == "withdrawn" and ctrl.can_rate and not ctrl.can_withdraw
    rated = run(ctrl.rate(5, "很方便"))
    assert rated["rating"]["score"] == 5 and ctrl.case["rating"]["comment"] == "很方便" and not ctrl.can_rate
    with pytest.raises(ValueError):
        run(ctrl.rate(6))


def test_a_pending_face_case_offers_the_face_check(city) -> None:
    state = verified_state(city, ZHANG)
    case = run(state.api.create_case("provident-fund-withdrawal", {"reason": "rent", "amount": "100"}, consent=True))
    ctrl = CaseController(state.api, case["id"])
    run(ctrl.load())
    assert ctrl.needs_face and ctrl.can_withdraw and not ctrl.can_resubmit
    assert ctrl.service_code == "provident-fund-withdrawal"


def test_load_more_keeps_the_status_filter(city) -> None:
    """ "More" on a filtered list brings the next page of *that* filter (it used to fetch unfiltered pages)."""
    from backend.accounts.models import User
    from backend.cases import services

    state = verified_state(city, ZHANG)
    user = User.objects.get(phone="+86" + ZHANG)
    services.submit(user, "public-rental-housing", {}, True, None)  # in review
    for _ in range(22):  # one open application per household: the others are rejected at once
        services.submit(user, "public-rental-housing", {}, True, None)
    listing = CasesController(state.api)
    assert len(run(listing.load(status="rejected"))) == 20 and listing.count == 22 and listing.next
    assert len(run(listing.load_more())) == 22
    assert {c["status"] for c in listing.cases} == {"rejected"}
    assert not listing.next and run(listing.load_more()) == listing.cases
    assert [c["status"] for c in run(listing.load(status="in_review"))] == ["in_review"]
    run(listing.load())
    assert listing.count == 23
