"""CounterCheckController: after a refused face check, the slots for the case's identity check at the counter, one
booking per attempt, and the case screen's controller sees the booking."""

from __future__ import annotations

import asyncio

import pytest

from mobileapp.api import ApiError
from mobileapp.controllers.apply import ApplyController
from mobileapp.controllers.cases import CaseController
from mobileapp.controllers.counter import CounterCheckController
from mobileapp.controllers.face import FaceController
from tests.mobileapp.conftest import photo, run, verified_state
from tests.personas import ZHANG_JIANGUO

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_refused_face_check_leads_to_a_counter_booking(city) -> None:
    state = verified_state(city, ZHANG_JIANGUO.phone)
    run(state.enrol_face(photo("obama_2.jpg"), "obama_2.jpg"))
    apply = ApplyController(state.api, "provident-fund-withdrawal")
    run(apply.load())
    apply.values, apply.consent = {"reason": "rent", "amount": "4500.00"}, True
    case = run(apply.submit())
    face = FaceController(state.api, case_id=case["id"])
    run(face.start())
    face.add_frame("biden_2.jpg", photo("biden_2.jpg"))  # someone else's face: refused
    assert run(face.verify())["verified"] is False and face.counter_offered

    counter = CounterCheckController(state.api, case["id"])
    run(counter.load())
    assert counter.available and counter.booking is None and counter.slots
    assert {s["service"] for s in counter.slots} <= {"provident-fund-withdrawal", "identity-check"}
    slot = counter.slots[0]

    async def double_tap():
        return await asyncio.gather(counter.book(slot["id"]), counter.book(slot["id"]))

    booked, ignored = run(double_tap())
    assert ignored is None and booked is not None  # the second tap while the first is on its way does nothing
    assert booked["purpose"] == "identity_check" and booked["case"] == case["id"] and booked["bring"]
    assert counter.keys == {} and counter.slots == []

    again = CounterCheckController(state.api, case["id"])
    run(again.load())
    assert again.booking is not None and again.booking["id"] == booked["id"] and again.slots == []
    with pytest.raises(ApiError) as twice:
        run(again.book(slot["id"]))
    assert twice.value.code == "already_booked"

    detail = CaseController(state.api, case["id"])
    run(detail.load())
    assert detail.needs_face and detail.counter_booking is not None
    assert detail.counter_booking["id"] == booked["id"]
    assert any(e["action"] == "counter_booked" for e in detail.case["timeline"])
