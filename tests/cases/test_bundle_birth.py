"""新生儿出生一件事 (``birth-of-a-child``): the newborn's household registration (a public-security clerk reviews it),
then the medical insurance enrolment, then the social security card, each waiting for the one before. 刘芳 is the
mother on birth certificate O410126001 (王小禾, born 20 days ago); 李德福 is named on no certificate."""

from __future__ import annotations

from typing import Any

import pytest

from backend.cases.models import Case
from tests import personas

pytestmark = pytest.mark.django_db

CODE = "birth-of-a-child"
NEWBORN, INSURANCE, CARD = "newborn-household-registration", "medical-insurance-enrolment", "social-security-card"
CERTIFICATE = "O410126001"


def members(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["service"]: m for m in bundle["members"]}


def apply(person: Any, form: dict[str, Any]) -> Any:
    return person.client.post(f"/api/v1/bundles/{CODE}/apply", {"form": form, "consent": True}, format="json")


def test_the_certificate_is_asked_once_for_all_three(demo) -> None:
    from rest_framework.test import APIClient

    detail = APIClient().get(f"/api/v1/bundles/{CODE}").json()
    assert list(detail["form"]["properties"]) == ["certificate_no", "delivery"]
    assert detail["form"]["required"] == ["certificate_no"] and detail["requires_face"] is False
    assert [(m["service"], m["after"]) for m in detail["members"]] == [
        (NEWBORN, []),
        (INSURANCE, [NEWBORN]),
        (CARD, [INSURANCE]),
    ]


def test_the_dependants_wait_while_the_public_security_clerk_reviews(acting) -> None:
    mother = acting(personas.LIU_FANG)
    response = apply(mother, {"certificate_no": CERTIFICATE})
    assert response.status_code == 201, response.content
    bundle = response.json()
    ref = bundle["reference_no"]
    state = members(bundle)
    assert state[NEWBORN]["status"] == "in_review" and state[NEWBORN]["department_code"] == "public_security"
    assert state[INSURANCE]["status"] == state[CARD]["status"] == "waiting"
    assert bundle["status"] == "in_progress" and Case.objects.count() == 1  # nothing run ahead of the registration

    police = personas.HOUSEHOLD_CLERK.login()
    queue = police.get("/api/v1/staff/cases").json()["results"]
    assert [c["reference_no"] for c in queue] == [state[NEWBORN]["reference_no"]]
    decided = police.post(f"/api/v1/staff/cases/{state[NEWBORN]['case_id']}/decide", {"action": "approve"})
    assert decided.status_code == 200, decided.content

    bundle = mother.client.get(f"/api/v1/me/bundles/{ref}").json()
    state = members(bundle)
    assert [state[code]["status"] for code in (NEWBORN, INSURANCE, CARD)] == ["approved"] * 3
    assert bundle["status"] == "completed"
    assert Case.objects.get(service_code=CARD).form == {"certificate_no": CERTIFICATE, "delivery": "mail"}
    assert all(state[code]["decision_rows"] for code in (NEWBORN, INSURANCE, CARD))
    order = [e["service"] for e in bundle["timeline"] if e["action"] == "member_submitted"]
    assert order == [NEWBORN, INSURANCE, CARD]


def test_a_refused_registration_holds_insurance_and_card(acting) -> None:
    elder = acting(personas.LI_DEFU)  # named on no birth certificate
    bundle = apply(elder, {"certificate_no": "O410126004"}).json()
    state = members(bundle)
    assert state[NEWBORN]["status"] == "rejected" and state[NEWBORN]["reason_code"] == "not_parent"
    assert state[INSURANCE]["status"] == "held"
    assert state[CARD]["status"] == "held"  # held because the member it waits for is held
    assert bundle["status"] == "action_required"
    done = elder.client.post(f"/api/v1/me/bundles/{bundle['reference_no']}/continue").json()
    assert done["status"] == "partially_completed"
    assert {m["status"] for m in done["members"][1:]} == {"skipped"} and Case.objects.count() == 1


def test_a_malformed_certificate_number_writes_nothing(acting) -> None:
    mother = acting(personas.LIU_FANG)
    response = apply(mother, {"certificate_no": "123"})
    assert response.status_code == 400 and "certificate_no" in response.json()["error"]["fields"]
    response = apply(mother, {"certificate_no": CERTIFICATE, "delivery": "drone"})
    assert response.status_code == 400 and "delivery" in response.json()["error"]["fields"]
    assert not Case.objects.exists()
