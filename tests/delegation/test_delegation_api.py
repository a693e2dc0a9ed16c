"""Family delegation (亲情代办) through HTTP: invite → accept with the delegate's face → act for the principal.

The demo household HH-JS-001: 李娜 (13800000002, no registry photo) invites her husband 张建国 (13800000001,
registry photo obama_1.jpg), who enrols and accepts with real photos, then applies for her.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from backend.cases.models import Case
from backend.delegation.models import Mandate, MandateStatus, MandateUse
from backend.demo.city import build_demo_registry
from backend.faceauth.models import FaceChallenge, FaceEvent
from backend.notifications.models import Notification
from backend.registries.models import DataAccessLog

PHOTOS = Path(__file__).resolve().parents[2] / "fixtures" / "photos"
ZHANG, LI_NA, LI_ZHIQIANG = "13800000001", "13800000002", "13800000003"
PFW = "provident-fund-withdrawal"
RENTAL = "public-rental-housing"

pytestmark = pytest.mark.django_db


def error(response: Any) -> str:
    return response.json()["error"]["code"]


def face_token(client: Any, payload: dict[str, Any], photo: str = "obama_2.jpg") -> str:
    challenge = client.post("/api/v1/face/challenges", payload, format="json")
    assert challenge.status_code == 201, challenge.content
    token = challenge.json()["challenge_id"]
    with open(PHOTOS / photo, "rb") as image:
        verify = client.post("/api/v1/face/verify", {"challenge_id": token, "image": image}, format="multipart")
    assert verify.status_code == 200 and verify.json()["verified"] is True, verify.content
    return token


@pytest.fixture
def family(resident) -> tuple[Any, Any]:
    """(李娜, 张建国), both real-name verified; 张建国 has enrolled his face."""
    li_na, zhang = resident(LI_NA), resident(ZHANG)
    zhang.enrol("obama_2.jpg")
    return li_na, zhang


def invite(principal: Any, phone: str, **body: Any) -> Any:
    return principal.client.post("/api/v1/delegations", {"phone": phone, **body}, format="json")


@pytest.fixture
def mandate(family) -> dict[str, Any]:
    """An active mandate 李娜 → 张建国, for every service."""
    li_na, zhang = family
    invited = invite(li_na, "+86 138 0000 0001")
    assert invited.status_code == 201, invited.content
    body = invited.json()
    assert body["status"] == "invited" and body["relation"] == "household" and body["scope"] == ["all"]
    assert body["delegate"] == {"name": "张*国", "phone": "138****0001"}
    token = face_token(zhang.client, {"purpose": "delegation", "mandate": body["id"]})
    accepted = zhang.client.post(f"/api/v1/delegations/{body['id']}/accept", {"face_token": token}, format="json")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "active"
    return accepted.json()


def acting(mandate: dict[str, Any]) -> dict[str, str]:
    return {"HTTP_X_ACTING_FOR": str(mandate["id"])}


# -- the happy path --------------------------------------------------------------------------------------------------
def test_a_delegate_applies_for_the_principal_with_their_own_face(family, mandate) -> None:
    li_na, zhang = family
    lists = zhang.client.get("/api/v1/delegations").json()
    assert [m["id"] for m in lists["as_delegate"]] == [mandate["id"]] and lists["as_principal"] == []
    assert [m["id"] for m in li_na.client.get("/api/v1/delegations").json()["as_principal"]] == [mandate["id"]]
    event = Mandate.objects.get(pk=mandate["id"]).accepted_face_event
    assert event is not None and event.user.phone == "+86" + ZHANG and event.kind == "verify_pass"

    submitted = zhang.client.post(
        "/api/v1/cases",
        {"service": PFW, "form": {"reason": "rent", "amount": "100.00"}, "consent": True},
        format="json",
        **acting(mandate),
    )
    assert submitted.status_code == 201, submitted.content
    case = submitted.json()
    assert case["status"] == "pending_face"
    # the face check of a delegated application is the delegate's face (李娜 has none enrolled)
    token = zhang.client.post(
        "/api/v1/face/challenges", {"purpose": "case", "case": case["id"]}, format="json", **acting(mandate)
    )
    assert token.status_code == 201, token.content
    with open(PHOTOS / "obama_3.jpg", "rb") as image:
        verified = zhang.client.post(
            "/api/v1/face/verify",
            {"challenge_id": token.json()["challenge_id"], "image": image},
            format="multipart",
            **acting(mandate),
        )
    assert verified.status_code == 200 and verified.json()["verified"] is True, verified.content
    assert verified.json()["case"]["status"] == "rejected"  # 李娜's provident fund account is closed: decided

    stored = Case.objects.get(pk=case["id"])
    assert stored.applicant.phone == "+86" + LI_NA and stored.submitted_by.phone == "+86" + ZHANG
    # the case, its consent (consent_at with submitted_by: who consented) and the face check record both people
    assert stored.consent_at is not None
    check = FaceChallenge.objects.get(purpose="case", target=case["id"])
    assert check.user == stored.submitted_by and check.on_behalf_of == stored.applicant
    assert FaceEvent.objects.filter(challenge=check, kind="verify_pass", user=stored.submitted_by).exists()
    assert stored.events.filter(action="submitted").get().actor_id == stored.submitted_by_id
    timeline = li_na.client.get(f"/api/v1/cases/{case['id']}").json()["timeline"]
    assert timeline[0]["action"] == "submitted" and timeline[0]["actor"] == "代办人 张*国"
    # the principal sees it in her own list; the delegate sees it while acting, not in his own list
    assert [c["id"] for c in li_na.client.get("/api/v1/cases").json()["results"]] == [case["id"]]
    assert [c["id"] for c in zhang.client.get("/api/v1/cases", **acting(mandate)).json()["results"]] == [case["id"]]
    assert zhang.client.get("/api/v1/cases").json()["results"] == []
    # the access log shows the delegate as the reader of her data
    reads = DataAccessLog.objects.filter(case_id=case["id"])
    assert reads.exists() and {(r.actor_id, r.actor_type) for r in reads} == {(stored.submitted_by_id, "delegate")}
    shown = li_na.client.get("/api/v1/me/data-access").json()["results"][0]
    assert shown["actor_type"] == "delegate" and shown["actor"] == "代办人 张*国"
    # she is told of every use
    notices = Notification.objects.filter(user=stored.applicant, kind="delegation.used")
    assert notices.count() == 2  # the submission and the face check
    assert any(case["reference_no"] in n.body and "张建国代您提交了办件申请" in n.body for n in notices)
    assert MandateUse.objects.filter(mandate_id=mandate["id"]).count() == 4  # submit, challenge, verify, list


def test_the_principal_is_told_of_a_withdrawal_made_for_her(family, mandate) -> None:
    li_na, zhang = family
    body = {"service": RENTAL, "form": {}, "consent": True}
    case = zhang.client.post("/api/v1/cases", body, format="json", **acting(mandate)).json()
    withdrawn = zhang.client.post(f"/api/v1/cases/{case['id']}/withdraw", **acting(mandate))
    assert withdrawn.status_code == 200, withdrawn.content
    bodies = list(
        Notification.objects.filter(user__phone="+86" + LI_NA, kind="delegation.used").values_list("body", flat=True)
    )
    assert any("张建国代您撤回了办件" in b and case["reference_no"] in b for b in bodies), bodies
    assert li_na.client.get(f"/api/v1/cases/{case['id']}").json()["status"] == "withdrawn"


def test_the_eligibility_check_names_the_delegate_as_reader(family, mandate) -> None:
    _li_na, zhang = family
    response = zhang.client.get(f"/api/v1/services/{RENTAL}/eligibility", **acting(mandate))
    assert response.status_code == 200, response.content
    log = DataAccessLog.objects.filter(subject__phone="+86" + LI_NA).latest("at")
    assert log.actor_type == "delegate" and log.actor.phone == "+86" + ZHANG


def test_either_side_ends_it(family, mandate) -> None:
    li_na, zhang = family
    ended = li_na.client.post(f"/api/v1/delegations/{mandate['id']}/end")
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    assert Notification.objects.filter(user__phone="+86" + ZHANG, kind="delegation.ended").exists()
    again = zhang.client.post(f"/api/v1/delegations/{mandate['id']}/end")
    assert again.status_code == 409 and error(again) == "invalid_transition"


def test_the_delegate_ends_it_too_and_the_principal_is_told(family, mandate) -> None:
    _li_na, zhang = family
    ended = zhang.client.post(f"/api/v1/delegations/{mandate['id']}/end")
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    assert Notification.objects.filter(user__phone="+86" + LI_NA, kind="delegation.ended").exists()
    assert zhang.client.get("/api/v1/cases", **acting(mandate)).status_code == 403


def test_the_end_date_defaults_to_one_year(family, mandate) -> None:
    stored = Mandate.objects.get(pk=mandate["id"])
    assert dt.timedelta(days=364) < stored.ends_at - stored.created_at <= dt.timedelta(days=366)


def test_decline(family) -> None:
    li_na, zhang = family
    body = invite(li_na, ZHANG).json()
    declined = zhang.client.post(f"/api/v1/delegations/{body['id']}/decline")
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert li_na.client.post(f"/api/v1/delegations/{body['id']}/decline").status_code == 404  # not hers to decline


def test_renewal_is_a_new_invitation_that_replaces_the_old_mandate(family, mandate) -> None:
    li_na, zhang = family
    renewal = invite(li_na, ZHANG, scope=[RENTAL])
    assert renewal.status_code == 201, renewal.content
    assert invite(li_na, ZHANG).status_code == 409  # one invitation at a time: mandate_exists
    # renewal asks again: the new mandate waits for his acceptance and cannot be used; the old one still works
    assert renewal.json()["status"] == "invited"
    unused = zhang.client.get("/api/v1/cases", **acting(renewal.json()))
    assert unused.status_code == 403 and error(unused) == "mandate_inactive"
    assert zhang.client.get("/api/v1/cases", **acting(mandate)).status_code == 200
    assert Notification.objects.filter(user__phone="+86" + ZHANG, kind="delegation.invited").count() == 2
    token = face_token(zhang.client, {"purpose": "delegation", "mandate": renewal.json()["id"]})
    zhang.client.post(f"/api/v1/delegations/{renewal.json()['id']}/accept", {"face_token": token}, format="json")
    assert Mandate.objects.get(pk=mandate["id"]).status == MandateStatus.ENDED
    assert Mandate.objects.get(pk=renewal.json()["id"]).status == MandateStatus.ACTIVE


# -- refusals --------------------------------------------------------------------------------------------------------
def test_no_relation_outside_the_household(resident, family) -> None:
    li_na, _zhang = family
    resident(LI_ZHIQIANG)
    refused = invite(li_na, LI_ZHIQIANG)
    assert refused.status_code == 403 and error(refused) == "no_relation"
    unknown = invite(li_na, "13912345678")  # no such account: the same answer
    assert unknown.status_code == 403 and error(unknown) == "no_relation"
    assert not Mandate.objects.exists()


def test_accepting_needs_the_delegates_own_fresh_face_check(family) -> None:
    li_na, zhang = family
    body = invite(li_na, ZHANG).json()
    missing = zhang.client.post(f"/api/v1/delegations/{body['id']}/accept", {"face_token": "nope"}, format="json")
    assert missing.status_code == 404
    login_token = face_token(zhang.client, {"purpose": "login"})  # a face check for something else
    other = zhang.client.post(f"/api/v1/delegations/{body['id']}/accept", {"face_token": login_token}, format="json")
    assert other.status_code == 404
    # the principal cannot accept her own invitation, even with a token
    token = face_token(zhang.client, {"purpose": "delegation", "mandate": body["id"]})
    assert (
        li_na.client.post(f"/api/v1/delegations/{body['id']}/accept", {"face_token": token}, format="json").status_code
        == 404
    )
    assert Mandate.objects.get(pk=body["id"]).status == MandateStatus.INVITED


def test_an_ended_mandate_cannot_be_used(family, mandate) -> None:
    li_na, zhang = family
    li_na.client.post(f"/api/v1/delegations/{mandate['id']}/end")
    refused = zhang.client.get("/api/v1/cases", **acting(mandate))
    assert refused.status_code == 403 and error(refused) == "mandate_inactive"


def test_an_expired_mandate_cannot_be_used(family, mandate) -> None:
    _li_na, zhang = family
    Mandate.objects.filter(pk=mandate["id"]).update(ends_at=timezone.now() - dt.timedelta(seconds=1))
    refused = zhang.client.get("/api/v1/cases", **acting(mandate))
    assert refused.status_code == 403 and error(refused) == "mandate_inactive"
    assert Mandate.objects.get(pk=mandate["id"]).status == MandateStatus.EXPIRED


def test_an_invitation_not_yet_accepted_cannot_be_used(family) -> None:
    li_na, zhang = family
    body = invite(li_na, ZHANG).json()
    refused = zhang.client.get("/api/v1/cases", HTTP_X_ACTING_FOR=str(body["id"]))
    assert refused.status_code == 403 and error(refused) == "mandate_inactive"


def test_a_service_outside_the_scope(family) -> None:
    li_na, zhang = family
    body = invite(li_na, ZHANG, scope=[RENTAL]).json()
    token = face_token(zhang.client, {"purpose": "delegation", "mandate": body["id"]})
    zhang.client.post(f"/api/v1/delegations/{body['id']}/accept", {"face_token": token}, format="json")
    refused = zhang.client.post(
        "/api/v1/cases",
        {"service": PFW, "form": {"reason": "rent", "amount": "100.00"}, "consent": True},
        format="json",
        **acting(body),
    )
    assert refused.status_code == 403 and error(refused) == "outside_mandate"
    outside = zhang.client.get(f"/api/v1/services/{PFW}/eligibility", **acting(body))
    assert outside.status_code == 403 and error(outside) == "outside_mandate"
    # her own case of another service is not shown to him
    own = li_na.apply(PFW, {"reason": "rent", "amount": "100.00"})
    assert zhang.client.get(f"/api/v1/cases/{own['id']}", **acting(body)).status_code == 404
    assert zhang.client.get("/api/v1/cases", **acting(body)).json()["results"] == []
    assert not Case.objects.filter(submitted_by__isnull=False).exists()


def test_a_delegate_cannot_read_another_principals_data(resident, family, mandate) -> None:
    _li_na, zhang = family
    other = resident(LI_ZHIQIANG)
    theirs = other.apply(PFW, {"reason": "rent", "amount": "100.00"})
    assert theirs["status"] == "pending_face"
    other.enrol("biden_2.jpg")
    their_token = other.client.post("/api/v1/face/challenges", {"purpose": "case", "case": theirs["id"]}, format="json")
    assert their_token.status_code == 201, their_token.content
    # every endpoint a delegate may call, with the other person's case or challenge: 404, nothing changed
    assert zhang.client.get(f"/api/v1/cases/{theirs['id']}", **acting(mandate)).status_code == 404
    assert zhang.client.post(f"/api/v1/cases/{theirs['id']}/withdraw", **acting(mandate)).status_code == 404
    patch = zhang.client.patch(f"/api/v1/cases/{theirs['id']}", {"form": {}}, format="json", **acting(mandate))
    assert patch.status_code == 404
    challenge = zhang.client.post(
        "/api/v1/face/challenges", {"purpose": "case", "case": theirs["id"]}, format="json", **acting(mandate)
    )
    assert challenge.status_code == 404
    with open(PHOTOS / "biden_1.jpg", "rb") as image:  # even with the right face, their challenge is not his
        verify = zhang.client.post(
            "/api/v1/face/verify",
            {"challenge_id": their_token.json()["challenge_id"], "image": image},
            format="multipart",
            **acting(mandate),
        )
    assert verify.status_code == 404
    assert theirs["id"] not in [c["id"] for c in zhang.client.get("/api/v1/cases", **acting(mandate)).json()["results"]]
    assert Case.objects.get(pk=theirs["id"]).status == theirs["status"]
    assert not DataAccessLog.objects.filter(case_id=theirs["id"], actor_type="delegate").exists()
    # and no one else's mandate works for him
    other_mandate = Mandate.objects.create(
        principal=Case.objects.get(pk=theirs["id"]).applicant,
        delegate=Case.objects.get(pk=theirs["id"]).applicant.__class__.objects.get(phone="+86" + LI_NA),
        relation="clerk_confirmed",
        scope=["all"],
        status="active",
        starts_at=timezone.now(),
        ends_at=timezone.now() + dt.timedelta(days=1),
    )
    assert zhang.client.get("/api/v1/cases", HTTP_X_ACTING_FOR=str(other_mandate.pk)).status_code == 404


def test_other_endpoints_refuse_the_header(family, mandate) -> None:
    _li_na, zhang = family
    for method, path in [("get", "/api/v1/me"), ("get", "/api/v1/delegations"), ("get", "/api/v1/notifications")]:
        refused = getattr(zhang.client, method)(path, **acting(mandate))
        assert refused.status_code == 403 and error(refused) == "not_while_acting", path
    enrol = zhang.client.delete("/api/v1/face/enrol", **acting(mandate))
    assert enrol.status_code == 403 and error(enrol) == "not_while_acting"


def test_a_sixth_mandate(import_data) -> None:
    from tests.factories import login, resident_record

    people = [
        resident_record(f"家人{i}", dt.date(1980 + i, 1, 5), 600 + i, household_id="HH-BIG", phone=f"1660000070{i}")
        for i in range(7)
    ]
    import_data({"residents": people})
    clients = []
    for record in people:
        client = login(record["phone"])
        bound = client.post("/api/v1/me/real-name", {"name": record["name"], "id_number": record["id_number"]})
        assert bound.status_code == 200, bound.content
        clients.append(client)
    for record in people[1:6]:
        assert clients[0].post("/api/v1/delegations", {"phone": record["phone"]}, format="json").status_code == 201
    sixth = clients[0].post("/api/v1/delegations", {"phone": people[6]["phone"]}, format="json")
    assert sixth.status_code == 409 and error(sixth) == "too_many_mandates"
    # and a sixth principal for one delegate
    for client in clients[2:6]:
        assert client.post("/api/v1/delegations", {"phone": people[6]["phone"]}, format="json").status_code == 201
    clients[1].post("/api/v1/delegations", {"phone": people[6]["phone"]}, format="json")
    assert Mandate.objects.filter(delegate__phone="+86" + people[6]["phone"]).count() == 5
    refused = clients[0].post("/api/v1/delegations", {"phone": people[6]["phone"]}, format="json")
    assert refused.status_code == 409 and error(refused) == "too_many_mandates"


def test_bad_input(family) -> None:
    li_na, _zhang = family
    assert error(invite(li_na, "")) == "validation_error"
    assert error(invite(li_na, LI_NA)) == "validation_error"  # herself
    assert error(invite(li_na, ZHANG, scope=["no-such-service"])) == "validation_error"
    far = (timezone.now() + dt.timedelta(days=400)).isoformat()
    assert error(invite(li_na, ZHANG, ends_at=far)) == "validation_error"
    assert not Mandate.objects.exists()


# -- guardianship ----------------------------------------------------------------------------------------------------
def test_a_guardian_acts_for_a_child_of_the_household_without_acceptance(demo, family) -> None:
    li_na, _zhang = family
    records = build_demo_registry(timezone.localdate())["residents"]
    kid = next(r for r in records if r["name"] == "张子涵")
    created = li_na.client.post("/api/v1/delegations/guardianship", {"id_number": kid["id_number"]}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "active" and created.json()["relation"] == "guardian"
    again = li_na.client.post("/api/v1/delegations/guardianship", {"id_number": kid["id_number"]}, format="json")
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"]
    grandmother = next(r for r in records if r["name"] == "高秀英")  # an adult of the household, no guardianship
    refused = li_na.client.post("/api/v1/delegations/guardianship", {"id_number": grandmother["id_number"]})
    assert refused.status_code == 403 and error(refused) == "no_relation"


def test_a_guardian_acts_for_a_registered_adult_ward_of_another_household(family, import_data) -> None:
    from backend.registries.models import Resident as RegistryPerson
    from tests.factories import resident_record

    li_na, _zhang = family
    ward = resident_record("王小明", dt.date(1970, 3, 3), 611, household_id="HH-WARD", phone=None, password=None)
    import_data({"residents": [ward]})
    refused = li_na.client.post("/api/v1/delegations/guardianship", {"id_number": ward["id_number"]}, format="json")
    assert refused.status_code == 403 and error(refused) == "no_relation"
    RegistryPerson.objects.with_id_number(ward["id_number"]).update(
        guardian=RegistryPerson.objects.get(phone="+86" + LI_NA)
    )
    created = li_na.client.post("/api/v1/delegations/guardianship", {"id_number": ward["id_number"]}, format="json")
    assert created.status_code == 201, created.content
    mandate = created.json()
    assert mandate["relation"] == "guardian" and mandate["principal"] == {"name": "王*明", "phone": ""}
    # the ward's managed account cannot log in; the guardian applies for the ward
    principal = Mandate.objects.get(pk=mandate["id"]).principal
    assert not principal.has_usable_password()
    case = li_na.client.post(
        "/api/v1/cases", {"service": RENTAL, "form": {}, "consent": True}, format="json", **acting(mandate)
    )
    assert case.status_code == 201, case.content
    stored = Case.objects.get(pk=case.json()["id"])
    assert stored.applicant == principal and stored.submitted_by.phone == "+86" + LI_NA
    bad = li_na.client.post("/api/v1/delegations/guardianship", {"id_number": "123"}, format="json")
    assert bad.status_code == 400 and error(bad) == "invalid_id_number"
