"""Mass assignment: fields a resident may not set are ignored (or refused), never applied."""

from __future__ import annotations

import pytest

from backend.accounts.models import User
from backend.cases.models import Case
from tests.personas import EDUCATION_CLERK, ZHANG_ZIHAN
from tests.security.conftest import ATTACKER, TALENT, VICTIM

pytestmark = pytest.mark.django_db

FORGED = {
    "status": "approved",
    "decision": {"type": "payout", "amount": "99999.00"},
    "reference_no": "ZZ-FORGED-1",
    "applicant": 1,
    "resident": 1,
    "department": 1,
    "mode": "instant",
    "due_at": "2000-01-01T00:00:00Z",
    "decided_by": 1,
    "identity_verified_by": "face",
}


def test_case_creation_ignores_forged_fields(world) -> None:
    victim = world["victim"]
    response = victim.client.post(
        "/api/v1/cases", {"service": "talent-housing-subsidy", "form": TALENT, "consent": True, **FORGED}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(pk=body["id"])
    assert case.status == "pending_face" and case.decision is None and case.decided_by is None
    assert case.reference_no != "ZZ-FORGED-1" and case.mode == "commitment" and case.due_at is None
    assert case.applicant == User.objects.get(phone="+86" + VICTIM)
    assert case.identity_verified_by == ""


def test_unknown_form_fields_are_refused(world) -> None:
    response = world["victim"].client.post(
        "/api/v1/cases",
        {"service": "talent-housing-subsidy", "form": {**TALENT, "monthly_amount": "9000.00"}, "consent": True},
        format="json",
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "validation_error"


def test_patch_cannot_set_status_or_decision(world) -> None:
    victim = world["victim"]
    case = victim.objects["case"]  # pending_face: not returned, PATCH is refused whatever it carries
    response = victim.client.patch(f"/api/v1/cases/{case}", {"form": TALENT, **FORGED}, format="json")
    assert response.status_code == 409, response.content
    assert Case.objects.get(pk=case).status == "pending_face"


def test_patch_of_a_returned_case_only_reads_the_form(world, demo) -> None:
    victim = world["victim"]
    child = ZHANG_ZIHAN.id_number  # 张子涵, in the victim's household, of school age
    applied = victim.acting.apply("primary-school-enrolment", {"child_id_number": child})
    assert applied["status"] == "in_review", applied
    education = EDUCATION_CLERK.login()
    returned = education.post(f"/api/v1/staff/cases/{applied['id']}/decide", {"action": "return", "reason": "补正"})
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    response = victim.client.patch(
        f"/api/v1/cases/{applied['id']}", {"form": {"child_id_number": child}, **FORGED}, format="json"
    )
    assert response.status_code == 200, response.content
    case = Case.objects.get(pk=applied["id"])
    assert case.status == "in_review"  # the rules ran again: back to the clerk, not "approved"
    assert case.decision is None and case.reference_no == applied["reference_no"]
    assert case.due_at is not None and case.due_at.year > 2000


def test_event_report_ignores_forged_fields(world) -> None:
    victim = world["victim"]
    category = victim.client.get("/api/v1/events/categories").json()[0]["code"]
    attacker_id = User.objects.get(phone="+86" + ATTACKER).pk
    response = victim.client.post(
        "/api/v1/events",
        {
            "category": category,
            "lat": "34.7862",
            "long": "113.6685",
            "description": "路灯不亮",
            "status": "closed",
            "reporter": attacker_id,
            "department": "public_security",
            "due_at": "2000-01-01T00:00:00Z",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    from backend.cityevents.models import EventReport

    report = EventReport.objects.get(pk=response.json()["id"])
    assert report.status == "received"
    assert report.reporter == User.objects.get(phone="+86" + VICTIM)


def test_booking_ignores_forged_fields(world) -> None:
    from backend.appointments.models import Booking

    victim = world["victim"]
    slots = victim.client.get("/api/v1/appointments/slots").json()
    slots = slots["results"] if isinstance(slots, dict) else slots
    slot = next(s for s in slots if s["remaining"] > 1 and s["id"] != victim.objects["booked_slot"])
    attacker_id = User.objects.get(phone="+86" + ATTACKER).pk
    response = victim.client.post(
        "/api/v1/appointments", {"slot": slot["id"], "user": attacker_id, "status": "attended"}, format="json"
    )
    assert response.status_code in {200, 201}, response.content
    booking = Booking.objects.get(pk=response.json()["id"])
    assert booking.user == User.objects.get(phone="+86" + VICTIM) and booking.status == "booked"


def test_profile_patch_only_sets_the_language(world) -> None:
    """PATCH /me changes the push language and nothing else: not the role, staff flag, phone or department."""
    forged = {"role": "supervisor", "is_staff": True, "is_superuser": True, "phone": "+86" + ATTACKER, "department": 1}
    response = world["victim"].client.patch("/api/v1/me", {"language": "en", **forged}, format="json")
    assert response.status_code == 200 and response.json()["role"] == "resident"
    user = User.objects.get(phone="+86" + VICTIM)
    assert (user.language, user.role, user.is_staff, user.is_superuser, user.department_id) == (
        "en",
        "resident",
        False,
        False,
        None,
    )
