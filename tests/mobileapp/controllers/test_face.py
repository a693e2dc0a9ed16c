"""FaceController: enrol first, a challenge, one still or one photo per liveness action; single-use challenges."""

from __future__ import annotations

import pytest

from mobileapp.api import ApiError
from mobileapp.controllers.apply import ApplyController
from mobileapp.controllers.face import FaceController
from tests.mobileapp.conftest import photo, run, verified_state
from tests.personas import ZHANG_JIANGUO

pytestmark = pytest.mark.django_db(transaction=True)

ZHANG = ZHANG_JIANGUO.phone


def test_enrol_then_the_face_check_decides_the_case(city) -> None:
    state = verified_state(city, ZHANG)
    apply = ApplyController(state.api, "provident-fund-withdrawal")
    run(apply.load())
    apply.values, apply.consent = {"reason": "rent", "amount": "4500.00"}, True
    case = run(apply.submit())

    face = FaceController(state.api, case_id=case["id"])
    with pytest.raises(ApiError) as not_enrolled:
        run(face.start())
    assert not_enrolled.value.code == "face_not_enrolled"
    profile = run(state.enrol_face(photo("obama_2.jpg"), "obama_2.jpg"))
    assert profile["face_enrolled"] is True

    challenge = run(face.start())
    assert face.frames_needed == max(1, len(challenge["actions"]))
    face.add_frame("obama_3.jpg", photo("obama_3.jpg"))
    assert face.ready
    result = run(face.verify())
    assert result["verified"] is True
    assert result["case"]["status"] == "approved" and result["case"]["id"] == case["id"]


def test_a_failed_face_check_needs_a_new_challenge(city) -> None:
    state = verified_state(city, ZHANG)
    run(state.enrol_face(photo("obama_2.jpg"), "obama_2.jpg"))
    case = run(
        state.api.create_case("talent-housing-subsidy", {"degree": "master", "employer": "郑州某公司"}, consent=True)
    )
    face = FaceController(state.api, case_id=case["id"])
    run(face.start())
    face.add_frame("biden_2.jpg", photo("biden_2.jpg"))  # someone else's face
    result = run(face.verify())
    assert result["verified"] is False and result["attempts_left"] >= 0
    assert face.challenge is None and face.frames == []  # single-use: the screen starts a fresh one


def test_liveness_challenge_asks_one_photo_per_action_and_sends_frames(city, settings) -> None:
    settings.FACE_LIVENESS = "active"
    state = verified_state(city, ZHANG)
    run(state.enrol_face(photo("obama_2.jpg"), "obama_2.jpg"))
    case = run(state.api.create_case("provident-fund-withdrawal", {"reason": "rent", "amount": "100"}, consent=True))
    face = FaceController(state.api, case_id=case["id"])
    challenge = run(face.start())
    assert challenge["actions"]  # e.g. ["blink", "turn_left"]
    assert face.frames_needed == len(challenge["actions"])
    face.add_frame("obama_2.jpg", photo("obama_2.jpg"))
    assert not face.ready and run(face.verify()) is None  # nothing sent with too few frames
    for _ in range(face.frames_needed - 1):
        face.add_frame("obama_3.jpg", photo("obama_3.jpg"))
    assert face.ready
    try:
        result = run(face.verify())
    except ApiError as exc:  # the server read the frames and found no live moves: its own words, not a format error
        assert exc.code != "validation_error", exc.message
    else:
        assert result["verified"] is False  # still photos show no blink or head turn
