"""A way past a failed face check in the drawn app (issue 14 item 3; a real Flet page without a browser against the
live backend): at once, or after the allowed failed attempts, the app offers both other paths, a counter booking and
a family member (亲情代办); the refusal's words name no score."""

from __future__ import annotations

import re

import pytest

from mobileapp import routes
from mobileapp.controllers.delegation import DelegationController
from mobileapp.screens.counter import CounterCheckScreen
from mobileapp.screens.face import FaceScreen
from tests.mobileapp.conftest import photo, run
from tests.mobileapp.test_acting_for import LI_NA, ZHANG, accept, act_for, app_for, identifiers, tap, texts

pytestmark = pytest.mark.django_db(transaction=True)

PFW = "provident-fund-withdrawal"
#: A number with decimals or a percentage: what a distance or a similarity would look like on the screen.
SCORE = re.compile(r"\d+[.,]\d+|\d+\s*%")


def pending_case(app) -> dict:
    run(app.api.face_enrol(photo("obama_2.jpg"), "obama_2.jpg"))
    case = run(app.api.create_case(PFW, {"reason": "rent", "amount": "4500.00"}, consent=True))
    assert case["status"] == "pending_face"
    return case


def test_at_once_the_resident_goes_to_the_counter_and_finds_the_delegate_path_there(city) -> None:
    app = app_for(city, ZHANG)
    case = pending_case(app)
    run(app.go("face", case=case))
    assert isinstance(app.current, FaceScreen) and "face_go_counter" in identifiers(app)  # before any attempt
    tap(app, "face_go_counter")
    assert isinstance(app.current, CounterCheckScreen)
    assert any(i.startswith("counter_slot_") for i in identifiers(app))  # the counter: one tap books
    assert "counter_delegate" in identifiers(app) and any("亲情代办" in t for t in texts(app))
    tap(app, "counter_delegate")
    assert isinstance(app.current, routes.DelegationScreen)


def test_after_a_refusal_and_after_the_allowed_failed_attempts_both_other_paths_and_no_score(city) -> None:
    app = app_for(city, ZHANG)
    case = pending_case(app)
    run(app.go("face", case=case))
    screen = app.current
    assert isinstance(screen, FaceScreen)
    run(screen.use([("biden_2.jpg", photo("biden_2.jpg"))]))  # someone else's face: refused
    assert app.current is screen and screen.failed and screen.ctrl.counter_offered
    assert {"face_failed", "face_other_paths", "face_counter", "face_delegate"} <= identifiers(app)
    words = " ".join(texts(app))
    assert "窗口" in words and "家人" in words and not SCORE.search(words), words

    for _ in range(4):  # up to the allowed failed attempts (FACE_LOCK_MAX_FAILURES, 5): the check is locked
        run(screen.use([("biden_2.jpg", photo("biden_2.jpg"))]))
    assert app.current is screen and screen.locked and screen.error is None
    shown = identifiers(app)
    assert {"face_locked", "face_counter", "face_delegate"} <= shown
    words = " ".join(texts(app))
    assert "窗口" in words and not SCORE.search(words), words
    tap(app, "face_delegate")
    assert isinstance(app.current, routes.DelegationScreen)

    run(app.go("face", case=case))  # opened again while locked: the same two paths, not an error
    assert app.current.locked and app.current.error is None and "face_counter" in identifiers(app)
    tap(app, "face_counter")
    assert isinstance(app.current, CounterCheckScreen)


def test_a_delegate_is_not_offered_a_delegate(city, new_client) -> None:
    """Acting for 李娜, 张建国's refused check offers the counter only: he is already her delegate."""
    app = app_for(city, ZHANG)
    li_na = new_client(LI_NA, verify=True)
    mandate = run(DelegationController(li_na).invite(ZHANG))
    assert mandate is not None
    run(app.api.face_enrol(photo("obama_2.jpg"), "obama_2.jpg"))
    accept(app.api, mandate["id"], "obama_3.jpg")
    act_for(app, mandate["id"])
    case = run(app.api.create_case(PFW, {"reason": "rent", "amount": "100.00"}, consent=True))
    run(app.go("face", case=case))
    run(app.current.use([("biden_2.jpg", photo("biden_2.jpg"))]))
    assert "face_counter" in identifiers(app) and "face_delegate" not in identifiers(app)
