"""A service that wants the principal in person (``requires_principal_presence``), filed by a delegate (issue 14):
two face checks on the delegate's phone, the delegate's own face and then the principal's against the principal's
enrolled face, each a FaceEvent naming whose face it was and who operated; the case is decided only after both.

李志强 (13800000003, registry photo biden_1) lets 张建国 (13800000001, registry photo obama_1), a relative from
another household whose relation a clerk confirmed, act for him. The service is written on the SDK only and
registered for the test like an installed package.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backend.accounts.models import User
from backend.cases import discovery, sdk
from backend.cases.models import Case
from backend.delegation.models import ConfirmedRelation
from backend.faceauth.models import FaceChallenge, FaceEvent, FaceLock
from backend.notifications.models import Notification
from tests.cases.conftest import counter_verify
from tests.delegation.in_person import CODE, switched_on
from tests.personas import HOUSING_CLERK

pytestmark = pytest.mark.django_db

PHOTOS = Path(__file__).resolve().parents[2] / "fixtures" / "photos"
ZHANG, LI_ZHIQIANG, LI_DEFU = "13800000001", "13800000003", "13800000016"


@pytest.fixture
def in_person(monkeypatch: pytest.MonkeyPatch, settings) -> Iterator[sdk.ServiceModule]:
    yield from switched_on(monkeypatch, settings)


def error(response: Any) -> str:
    return response.json()["error"]["code"]


def user(phone: str) -> User:
    found = User.objects.get_by_phone("+86" + phone)
    assert found is not None
    return found


def mandate_between(principal: Any, delegate: Any) -> dict[str, str]:
    """A clerk confirmed the relation; the principal invites, the delegate accepts with his own face."""
    ConfirmedRelation.objects.create(
        principal=user(principal.record["phone"]),
        delegate=user(delegate.record["phone"]),
        kinship="兄弟",
        evidence="户口簿、出生证明",
        confirmed_by=HOUSING_CLERK.account(),
    )
    invited = principal.client.post("/api/v1/delegations", {"phone": delegate.record["phone"]}, format="json")
    assert invited.status_code == 201, invited.content
    mandate = invited.json()["id"]
    token = challenge(delegate.client, {"purpose": "delegation", "mandate": mandate}).json()["challenge_id"]
    assert verify(delegate.client, token, "obama_2.jpg").json()["verified"] is True
    accepted = delegate.client.post(f"/api/v1/delegations/{mandate}/accept", {"face_token": token}, format="json")
    assert accepted.status_code == 200, accepted.content
    return {"HTTP_X_ACTING_FOR": str(mandate)}


def challenge(client: Any, body: dict[str, Any], **headers: str) -> Any:
    return client.post("/api/v1/face/challenges", body, format="json", **headers)


def verify(client: Any, token: str, photo: str, **headers: str) -> Any:
    with open(PHOTOS / photo, "rb") as image:
        return client.post(
            "/api/v1/face/verify", {"challenge_id": token, "image": image}, format="multipart", **headers
        )


@pytest.fixture
def family(resident, in_person) -> tuple[Any, Any, dict[str, str]]:
    """(李志强 the principal, 张建国 the delegate, the X-Acting-For header); both enrolled their faces."""
    li, zhang = resident(LI_ZHIQIANG), resident(ZHANG)
    li.enrol("biden_2.jpg")
    zhang.enrol("obama_2.jpg")
    return li, zhang, mandate_between(li, zhang)


def file_case(zhang: Any, acting: dict[str, str]) -> dict[str, Any]:
    case = zhang.apply(CODE, **acting)
    assert case["status"] == "pending_face" and case["requires_face"] is True
    assert case["principal_face_required"] is False
    return case


def delegate_check(zhang: Any, case: dict[str, Any], acting: dict[str, str]) -> dict[str, Any]:
    issued = challenge(zhang.client, {"purpose": "case", "case": case["id"]}, **acting)
    assert issued.status_code == 201, issued.content
    verified = verify(zhang.client, issued.json()["challenge_id"], "obama_3.jpg", **acting)
    assert verified.status_code == 200 and verified.json()["verified"] is True, verified.content
    return verified.json()["case"]


def principal_challenge(zhang: Any, case: dict[str, Any], acting: dict[str, str]) -> Any:
    return challenge(zhang.client, {"purpose": "case", "case": case["id"], "face": "principal"}, **acting)


# -- the two checks --------------------------------------------------------------------------------------------------
def test_the_delegates_face_then_the_principals_decide_the_case(family) -> None:
    li, zhang, acting = family
    case = file_case(zhang, acting)

    after_delegate = delegate_check(zhang, case, acting)
    assert after_delegate["status"] == "pending_face"  # not decided on the delegate's face alone
    assert after_delegate["principal_face_required"] is True and "face_check" in after_delegate["actions"]
    assert after_delegate["timeline"][-1]["action"] == "delegate_face_verified"
    assert after_delegate["timeline"][-1]["actor"] == "代办人 张*国"

    issued = principal_challenge(zhang, case, acting)
    assert issued.status_code == 201, issued.content
    stored = FaceChallenge.objects.get(pk=FaceChallenge.objects.latest("created_at").pk)
    assert stored.user == user(LI_ZHIQIANG) and stored.operator == user(ZHANG) and stored.on_behalf_of is None
    verified = verify(zhang.client, issued.json()["challenge_id"], "biden_1.jpg", **acting)
    assert verified.status_code == 200 and verified.json()["verified"] is True, verified.content
    decided = verified.json()["case"]
    assert decided["status"] == "approved" and decided["principal_face_required"] is False

    # both checks are recorded: whose face, and who operated
    passes = FaceEvent.objects.filter(kind="verify_pass", purpose="case", target=case["id"]).order_by("at", "pk")
    assert [(e.user.phone, e.actor.phone if e.actor else None) for e in passes] == [
        ("+86" + ZHANG, None),
        ("+86" + LI_ZHIQIANG, "+86" + ZHANG),
    ]
    actions = [entry["action"] for entry in li.case(case["id"])["timeline"]]
    assert actions == ["submitted", "delegate_face_verified", "face_verified", "decided"]
    # the principal sees it and is told of both face checks made for him
    assert [c["id"] for c in li.client.get("/api/v1/cases").json()["results"]] == [case["id"]]
    notices = Notification.objects.filter(user=user(LI_ZHIQIANG), kind="delegation.used")
    assert sum("完成了办件的刷脸核验" in n.body for n in notices) == 2


def test_the_principals_face_failing_leaves_the_case_waiting(family) -> None:
    _li, zhang, acting = family
    case = file_case(zhang, acting)
    delegate_check(zhang, case, acting)
    token = principal_challenge(zhang, case, acting).json()["challenge_id"]

    # the delegate shows his own face again instead of the principal's
    refused = verify(zhang.client, token, "obama_1.jpg", **acting)
    assert refused.status_code == 200 and refused.json()["verified"] is False, refused.content
    assert "advice" in refused.json() and "case" not in refused.json()
    assert Case.objects.get(pk=case["id"]).status == "pending_face"
    failed = FaceEvent.objects.get(kind="verify_fail")
    assert failed.user == user(LI_ZHIQIANG) and failed.actor == user(ZHANG)
    # the failure counts against the principal's face, not the delegate's
    assert FaceLock.objects.get(user=user(LI_ZHIQIANG)).failures == 1
    assert not FaceLock.objects.filter(user=user(ZHANG), failures__gt=0).exists()

    # the real principal then passes with the same challenge (a failure does not spend it)
    passed = verify(zhang.client, token, "biden_1.jpg", **acting)
    assert passed.json()["verified"] is True and passed.json()["case"]["status"] == "approved"


# -- the order -------------------------------------------------------------------------------------------------------
def test_the_principals_face_cannot_come_first(family) -> None:
    _li, zhang, acting = family
    case = file_case(zhang, acting)
    first = principal_challenge(zhang, case, acting)
    assert first.status_code == 409 and error(first) == "delegate_face_first"
    assert not FaceChallenge.objects.filter(purpose="case").exists()


def test_the_principal_in_his_own_app_cannot_come_first(family) -> None:
    li, zhang, acting = family
    case = file_case(zhang, acting)
    own = challenge(li.client, {"purpose": "case", "case": case["id"]})
    assert own.status_code == 409 and error(own) == "delegate_face_first"


def test_a_second_delegate_check_is_refused(family) -> None:
    _li, zhang, acting = family
    case = file_case(zhang, acting)
    spare = challenge(zhang.client, {"purpose": "case", "case": case["id"]}, **acting).json()["challenge_id"]
    delegate_check(zhang, case, acting)

    again = challenge(zhang.client, {"purpose": "case", "case": case["id"]}, **acting)
    assert again.status_code == 409 and error(again) == "principal_face_required"
    # a delegate challenge issued before the first check passed is refused at verification, and not spent
    late = verify(zhang.client, spare, "obama_3.jpg", **acting)
    assert late.status_code == 409 and error(late) == "principal_face_required", late.content
    assert FaceChallenge.objects.get(purpose="case", used_at__isnull=True).operator is None
    assert Case.objects.get(pk=case["id"]).events.filter(action="delegate_face_verified").count() == 1


def test_the_principal_may_give_the_second_check_in_his_own_app(family) -> None:
    li, zhang, acting = family
    case = file_case(zhang, acting)
    delegate_check(zhang, case, acting)
    assert li.face_check(case, "biden_1.jpg")["status"] == "approved"
    last = FaceEvent.objects.filter(kind="verify_pass").latest("at")
    assert last.user == user(LI_ZHIQIANG) and last.actor is None


def test_the_counter_settles_both_checks(family, clerk) -> None:
    """The principal in person at the counter: the clerk's check of his ID card replaces both face checks."""
    _li, zhang, acting = family
    case = file_case(zhang, acting)
    assert counter_verify(clerk("housing"), case)["status"] == "approved"


# -- who may answer --------------------------------------------------------------------------------------------------
def test_only_the_operator_answers_a_challenge_he_operates(family) -> None:
    li, zhang, acting = family
    case = file_case(zhang, acting)
    delegate_check(zhang, case, acting)
    token = principal_challenge(zhang, case, acting).json()["challenge_id"]
    # the principal's face, but the delegate operates this challenge: not the principal's to answer
    assert verify(li.client, token, "biden_1.jpg").status_code == 404
    assert Case.objects.get(pk=case["id"]).status == "pending_face"


def test_the_principals_face_only_while_acting(family) -> None:
    li, zhang, acting = family
    case = file_case(zhang, acting)
    own = challenge(li.client, {"purpose": "case", "case": case["id"], "face": "principal"})
    assert own.status_code == 400 and error(own) == "validation_error"
    assert "face" in own.json()["error"]["fields"]
    bad = challenge(zhang.client, {"purpose": "case", "case": case["id"], "face": "grandma"}, **acting)
    assert bad.status_code == 400 and "face" in bad.json()["error"]["fields"]
    assert not FaceChallenge.objects.filter(purpose="case").exists()


# -- a principal without a face -----------------------------------------------------------------------------------
def test_a_principal_without_an_enrolled_face_is_sent_to_the_counter(resident, in_person) -> None:
    """李德福 (born 1948) has no registry photo and so no enrolled face: the delegate is told at once."""
    li_defu, zhang = resident(LI_DEFU), resident(ZHANG)
    zhang.enrol("obama_2.jpg")
    acting = mandate_between(li_defu, zhang)
    refused = zhang.client.post(
        "/api/v1/cases", {"service": CODE, "form": {}, "consent": True}, format="json", **acting
    )
    assert refused.status_code == 403 and error(refused) == "principal_presence_required"
    assert "窗口" in refused.json()["error"]["message"]
    english = zhang.client.post(
        "/api/v1/cases",
        {"service": CODE, "form": {}, "consent": True},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
        **acting,
    )
    assert "counter" in english.json()["error"]["message"]
    assert not Case.objects.exists()


def test_a_principal_who_withdrew_his_face_meanwhile(family) -> None:
    li, zhang, acting = family
    case = file_case(zhang, acting)
    delegate_check(zhang, case, acting)
    assert li.client.delete("/api/v1/face/enrol").status_code == 204
    refused = principal_challenge(zhang, case, acting)
    assert refused.status_code == 409 and error(refused) == "principal_face_not_enrolled"
    assert "窗口" in refused.json()["error"]["message"]
    english = zhang.client.post(
        "/api/v1/face/challenges",
        {"purpose": "case", "case": case["id"], "face": "principal"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
        **acting,
    )
    assert "counter" in english.json()["error"]["message"]
    assert Case.objects.get(pk=case["id"]).status == "pending_face"


def test_other_services_still_take_the_delegates_face_alone(family) -> None:
    """Nothing changes for a service without the attribute: one check, the delegate's."""
    _li, zhang, acting = family
    case = zhang.apply("provident-fund-withdrawal", {"reason": "rent", "amount": "100.00"}, **acting)
    assert case["status"] == "pending_face" and case["principal_face_required"] is False
    assert delegate_check(zhang, case, acting)["status"] in {"approved", "rejected"}


def test_a_service_without_its_own_face_check_still_takes_both_when_delegated(family, monkeypatch) -> None:
    """``requires_principal_presence`` alone: filed by the principal it is decided at once, filed by a delegate it
    waits for the two face checks."""
    li, zhang, acting = family
    monkeypatch.setattr(type(discovery.get_service(CODE)), "requires_face", False)
    own = li.apply(CODE)
    assert own["status"] == "approved" and own["requires_face"] is False
    delegated = zhang.apply(CODE, **acting)
    assert delegated["status"] == "pending_face" and delegated["requires_face"] is True
    assert delegate_check(zhang, delegated, acting)["principal_face_required"] is True
