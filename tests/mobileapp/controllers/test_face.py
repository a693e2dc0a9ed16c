"""FaceController: enrol first, a challenge, one still or one photo per liveness action; single-use challenges."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

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
    # What the screen shows: advice in plain words and the ways on, never a score.
    assert face.advice == result["advice"] and face.advice["message"]
    assert face.advice["next"] == ["retry", "counter_appointment"] and face.can_retry and face.counter_offered
    assert all(isinstance(v, (str, list)) for v in face.advice.values())


def test_a_photo_that_cannot_be_judged_brings_advice_and_keeps_the_challenge(city) -> None:
    state = verified_state(city, ZHANG)
    run(state.enrol_face(photo("obama_2.jpg"), "obama_2.jpg"))
    case = run(
        state.api.create_case("talent-housing-subsidy", {"degree": "master", "employer": "郑州某公司"}, consent=True)
    )
    face = FaceController(state.api, case_id=case["id"])
    run(face.start())
    with Image.open(io.BytesIO(photo("obama_3.jpg"))) as image:  # a selfie in a dark room
        dark = Image.fromarray((np.asarray(image.convert("RGB"), dtype=np.float64) * 0.04).astype(np.uint8))
    out = io.BytesIO()
    dark.save(out, "JPEG", quality=85)
    face.add_frame("dark.jpg", out.getvalue())
    with pytest.raises(ApiError) as refused:
        run(face.verify())
    assert refused.value.code == "no_face" and refused.value.advice is not None
    assert face.advice is not None and face.advice["code"] == "too_dark" and "光线太暗" in face.advice["message"]
    assert face.challenge is not None  # not counted: the same challenge is tried again


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


def _expire_challenges() -> None:
    """Time passing (the challenge's lifetime, FACE_CHALLENGE_TTL_SECONDS), written where the server reads it."""
    from datetime import timedelta

    from django.utils import timezone

    from backend.faceauth.models import FaceChallenge

    FaceChallenge.objects.update(expires_at=timezone.now() - timedelta(seconds=1))


def test_a_still_taken_after_the_challenge_expired_is_sent_again_under_a_fresh_one(city) -> None:
    """适老化: no short time limits. A resident who takes longer than the challenge lasts to pick a photo is not
    asked for it again when no liveness moves are needed."""
    state = verified_state(city, ZHANG)
    run(state.enrol_face(photo("obama_2.jpg"), "obama_2.jpg"))
    case = run(state.api.create_case("provident-fund-withdrawal", {"reason": "rent", "amount": "100"}, consent=True))
    face = FaceController(state.api, case_id=case["id"])
    first = run(face.start())
    assert first["actions"] == []
    _expire_challenges()
    face.add_frame("obama_3.jpg", photo("obama_3.jpg"))
    result = run(face.verify())
    assert result is not None and result["verified"] is True


def test_liveness_frames_after_the_challenge_expired_are_taken_again(city, settings) -> None:
    settings.FACE_LIVENESS = "active"
    state = verified_state(city, ZHANG)
    run(state.enrol_face(photo("obama_2.jpg"), "obama_2.jpg"))
    case = run(state.api.create_case("provident-fund-withdrawal", {"reason": "rent", "amount": "100"}, consent=True))
    face = FaceController(state.api, case_id=case["id"])
    run(face.start())
    _expire_challenges()
    for _ in range(face.frames_needed):
        face.add_frame("obama_3.jpg", photo("obama_3.jpg"))
    with pytest.raises(ApiError) as expired:
        run(face.verify())
    assert expired.value.code == "challenge_expired" and face.challenge is None  # the screen starts a fresh one
