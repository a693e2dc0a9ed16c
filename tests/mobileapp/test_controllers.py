"""The app's plain-Python state and controllers (what the screens call), against the live backend."""

from __future__ import annotations

import asyncio
import socket

import pytest

from mobileapp import forms
from mobileapp.api import ApiClient, ApiError, NetworkError
from mobileapp.state import (
    TOKEN_KEY,
    ApplyController,
    AppState,
    CaseController,
    CasesController,
    CatalogueController,
    FaceController,
    MemoryStorage,
    describe_decision,
    failed_rules,
    returned_note,
    rule_text,
)
from tests.mobileapp.conftest import photo, run, staff_decide

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Demo-Pass-2026"
ZHANG = "13800000001"
LI = "13800000003"
LIU = "13800000006"  # 刘芳: only 2 months contributed, photo rose_leslie_1


def _state(city, storage: MemoryStorage | None = None, language: str = "zh-CN") -> AppState:
    return AppState(ApiClient(city["url"], language=language), storage or MemoryStorage())


def _verified(city, phone: str) -> AppState:
    state = _state(city)
    run(state.login(phone, PASSWORD))
    record = city["residents"][phone]
    run(state.bind_real_name(record["name"], record["id_number"]))
    return state


def test_session_settings_persist_and_a_stale_token_is_dropped(city) -> None:
    storage = MemoryStorage()
    state = _state(city, storage)
    profile = run(state.login(ZHANG, PASSWORD))
    assert state.logged_in and profile["phone"] == "138****0001"
    assert storage.data[TOKEN_KEY] == state.api.token
    run(state.set_language("en"))
    run(state.set_elder_mode(True))

    again = _state(city, storage)  # the app opened again on the same device
    run(again.restore())
    assert again.logged_in and again.language == "en" and again.elder_mode is True
    assert again.t("tab.home") == "Home"

    run(again.logout())
    assert TOKEN_KEY not in storage.data and not again.logged_in
    stale = MemoryStorage()
    stale.data[TOKEN_KEY] = "not-a-real-token"
    third = _state(city, stale)
    run(third.restore())
    assert not third.logged_in and TOKEN_KEY not in stale.data


def test_the_apps_language_is_the_language_of_its_pushes(city) -> None:
    """Pushes are read outside the app: switching the app's language tells the server, and so does a login from
    an app already set to English."""
    from backend.accounts.models import User

    state = _state(city)
    run(state.login(ZHANG, PASSWORD))
    user = User.objects.get(phone="+86" + ZHANG)
    assert user.language == "zh-hans"
    run(state.set_language("en"))
    user.refresh_from_db()
    assert user.language == "en" and state.profile["language"] == "en"
    run(state.set_language("zh-CN"))
    user.refresh_from_db()
    assert user.language == "zh-hans"

    english = _state(city, language="en")
    run(english.login(ZHANG, PASSWORD))
    user.refresh_from_db()
    assert user.language == "en"


def test_catalogue_groups_by_category_and_department(city) -> None:
    state = _verified(city, LI)
    catalogue = CatalogueController(state.api)
    run(catalogue.load())
    by_department = {label: [s["code"] for s in items] for _, label, items in catalogue.groups("department")}
    assert "primary-school-enrolment" in by_department["教育局"]
    assert sum(len(items) for _, _, items in catalogue.groups("category")) == len(catalogue.services)
    eligible = run(catalogue.load_eligible())
    assert "deed-tax-subsidy" in {s["code"] for s in eligible}


def test_nothing_is_sent_without_consent_or_with_an_invalid_form(city) -> None:
    state = _verified(city, ZHANG)
    apply = ApplyController(state.api, "provident-fund-withdrawal")
    run(apply.load())
    assert [f.name for f in apply.fields] == ["reason", "amount"]
    reason = apply.fields[0]
    assert reason.kind == "enum" and [c.value for c in reason.choices] == ["rent", "purchase"]
    assert forms.localized(reason.choices[0].label, "zh-CN") == "租房"

    prefill = run(apply.load_prefill())
    assert {i.key for i in prefill} >= {"provident_fund.account", "property.owned"}
    assert all(i.department for i in prefill)
    assert apply.consent_text

    apply.values = {"reason": "rent", "amount": "4500.00"}
    assert run(apply.submit()) is None and "consent" in apply.errors
    apply.consent = True
    apply.values = {"reason": "rent", "amount": "lots"}
    assert run(apply.submit()) is None and "amount" in apply.errors
    assert apply.submissions == 0
    assert run(state.api.cases())["count"] == 0


def test_double_tap_submits_once_and_face_check_gives_a_payout(city) -> None:
    state = _verified(city, ZHANG)
    apply = ApplyController(state.api, "provident-fund-withdrawal")
    run(apply.load())
    apply.values = {"reason": "rent", "amount": "4500.00"}
    apply.consent = True

    async def double_tap():
        return await asyncio.gather(apply.submit(), apply.submit())

    first, second = run(double_tap())
    assert second is None and first["status"] == "pending_face"
    assert apply.submissions == 1
    assert run(state.api.cases())["count"] == 1

    face = FaceController(state.api, case_id=first["id"])
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
    case = result["case"]
    view = describe_decision(case)
    assert view.status == "approved"
    assert ("decision.payout", "¥4500.00") in view.rows
    assert any(key == "decision.to_account" and "0012" in value for key, value in view.rows)


def test_a_failed_face_check_needs_a_new_challenge(city) -> None:
    state = _verified(city, ZHANG)
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


def test_rejection_shows_the_failed_rule_in_plain_words(city) -> None:
    state = _verified(city, LIU)
    run(state.enrol_face(photo("rose_leslie_2.jpg"), "rose_leslie_2.jpg"))
    apply = ApplyController(state.api, "provident-fund-withdrawal")
    run(apply.load())
    apply.values, apply.consent = {"reason": "rent", "amount": "1000"}, True
    case = run(apply.submit())
    face = FaceController(state.api, case_id=case["id"])
    run(face.start())
    face.add_frame("rose_leslie_2.jpg", photo("rose_leslie_2.jpg"))
    decided = run(face.verify())["case"]
    view = describe_decision(decided)
    assert view.status == "rejected" and view.reason_code == "insufficient_contribution"
    assert view.reason  # the server's words
    failed = failed_rules(decided["rule_trace"])
    assert [r["code"] for r in failed] == ["insufficient_contribution"]
    assert rule_text(failed[0])


def test_returned_case_is_fixed_and_resubmitted_then_withdrawn_and_rated(city) -> None:
    state = _verified(city, LI)
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
    assert returned_note(ctrl.case) == "请核对孩子身份证号"
    run(ctrl.load_form())
    # The server never echoes the full ID number; sent back unchanged, the masked value means "keep it".
    assert ctrl.values == {"child_id_number": child["id_number"][:6] + "********" + child["id_number"][-4:]}
    ctrl.values["child_id_number"] = "123"
    assert run(ctrl.resubmit()) is None and "child_id_number" in ctrl.errors  # the schema's pattern
    ctrl.values["child_id_number"] = child["id_number"]
    resubmitted = run(ctrl.resubmit())
    assert resubmitted["status"] == "in_review"

    listing = CasesController(state.api)
    assert [c["reference_no"] for c in run(listing.load())] == [case["reference_no"]]

    run(ctrl.withdraw())
    assert ctrl.status == "withdrawn" and ctrl.can_rate and not ctrl.can_withdraw
    run(ctrl.rate(5, "很方便"))
    assert ctrl.case["rating"]["score"] == 5 and not ctrl.can_rate


def test_a_network_failure_keeps_the_attempts_key_so_a_retry_cannot_duplicate(city) -> None:
    state = _verified(city, ZHANG)
    apply = ApplyController(state.api, "public-rental-housing")
    run(apply.load())
    apply.consent = True

    live = state.api
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead_port = sock.getsockname()[1]
    apply.api = ApiClient(f"http://127.0.0.1:{dead_port}", token=live.token, timeout=3)
    with pytest.raises(NetworkError):
        run(apply.submit())
    key = apply.attempt_key
    assert key  # kept for the retry of the same attempt

    # the lost request had in fact reached the server: the retry with the same key returns that case
    reached = run(live.create_case("public-rental-housing", {}, consent=True, idempotency_key=key))
    apply.api = live
    retried = run(apply.submit())
    assert retried["id"] == reached["id"]
    assert run(live.cases())["count"] == 1
    assert apply.attempt_key is None  # the next tap is a new attempt


def test_forms_from_json_schema_need_no_app_release() -> None:
    schema = {
        "type": "object",
        "required": ["degree", "amount", "people"],
        "properties": {
            "degree": {
                "type": "string",
                "enum": ["bachelor", "master"],
                "title": "学历 Degree",
                "x-labels": {"bachelor": "本科 Bachelor", "master": "硕士 Master"},
            },
            "amount": {"type": "number", "minimum": 0, "maximum": 4500, "title": "金额 Amount"},
            "people": {"type": "integer", "title": "人数"},
            "note": {"type": "string", "maxLength": 5, "title": "备注"},
            "agree": {"type": "boolean", "title": "同意"},
        },
    }
    specs = forms.parse_schema(schema)
    assert [s.kind for s in specs] == ["enum", "number", "integer", "string", "boolean"]
    assert forms.localized(specs[0].choices[1].label, "en") == "Master"
    values, errors = forms.collect(
        specs, {"degree": "master", "amount": "4500.5", "people": "2.5", "note": "太长了太长了"}
    )
    assert set(errors) == {"amount", "people", "note"}
    values, errors = forms.collect(specs, {"degree": "master", "amount": "4500", "people": "3", "agree": True})
    assert errors == {} and values == {"degree": "master", "amount": 4500, "people": 3, "agree": True}
    assert forms.display_value(specs[0], "master") == "硕士 Master"


def test_liveness_challenge_asks_one_photo_per_action_and_sends_frames(city, settings) -> None:
    settings.FACE_LIVENESS = "active"
    state = _verified(city, ZHANG)
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
