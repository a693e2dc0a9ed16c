"""A way past a failed face check (issue 14 item 3): the resident books an in-person identity check for the case
that waits for its face check, and a clerk of the case's department confirms it at the counter.

Real database, real HTTP: 刘芳's talent housing subsidy (住房保障局, waiting for its face check) is the case; the
halls are made here so that which slots suit the case is known."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rest_framework.test import APIClient

from backend.accounts.models import Department
from backend.appointments.models import Booking, BookingStatus, Slot, Venue, VenueKind
from backend.cases.models import Case, CaseEvent, Status
from backend.faceauth.models import FaceEvent, FaceEventKind
from backend.notifications.models import Notification
from tests import personas
from tests.appointments.conftest import HOURS, make_slot

pytestmark = pytest.mark.django_db

TALENT = "talent-housing-subsidy"


def hall(code: str, department: str | None, services: list[str], kind: str = VenueKind.HALL) -> Venue:
    return Venue.objects.create(
        code=code, name=f"{code} 大厅", address=f"郑州市{code}路1号", kind=kind, services=services, opening_hours=HOURS,
        department=Department.objects.get(code=department) if department else None,
    )  # fmt: skip


@pytest.fixture
def halls(demo) -> dict[str, Slot]:
    """One slot in each kind of place: suitable (the department's hall, a general hall's identity check) and not
    (another department's hall, a clinic, a general hall's other service)."""
    day = dt.timedelta(days=2)
    return {
        "own": make_slot(hall("housing-hall", "housing", [TALENT]), day),
        "general": make_slot(hall("general-hall", None, ["identity-check", "business-licence"]), day),
        "general_other": make_slot(Venue.objects.get(code="general-hall"), day, service="business-licence"),
        "other_department": make_slot(hall("education-hall", "education", [TALENT]), day),
        "clinic": make_slot(hall("id-clinic", None, ["identity-check"], VenueKind.CLINIC), day),
    }


@pytest.fixture
def liu(acting) -> personas.Acting:
    return acting(personas.LIU_FANG)


@pytest.fixture
def case(liu) -> dict[str, Any]:
    case = liu.apply(TALENT, {"degree": "master", "employer": "郑州大学"})
    assert case["status"] == "pending_face"
    return case


def book(client: APIClient, slot: Slot | int, case_id: Any, **extra: Any):
    body = {"slot": slot if isinstance(slot, int) else slot.pk, "case": case_id, "purpose": "identity_check", **extra}
    return client.post("/api/v1/appointments", body, format="json")


def slot_ids(client: APIClient, case_id: Any) -> set[int]:
    response = client.get("/api/v1/appointments/slots", {"case": case_id})
    assert response.status_code == 200, response.content
    return {s["id"] for s in response.json()["results"]}


def nothing_written(case_id: int, slot: Slot) -> None:
    slot.refresh_from_db()
    assert slot.booked == 0
    assert not Booking.objects.filter(case_id=case_id).exists()
    assert not CaseEvent.objects.filter(case_id=case_id, action="counter_booked").exists()


# -- the resident books ----------------------------------------------------------------------------------------------
def test_slots_for_a_case_are_its_department_and_general_halls(liu, case, halls) -> None:
    assert slot_ids(liu.client, case["id"]) == {halls["own"].pk, halls["general"].pk}
    halls["own"].booked = halls["own"].capacity
    halls["own"].save()
    assert slot_ids(liu.client, case["id"]) == {halls["general"].pk}  # a full slot is not offered


def test_booking_an_identity_check_notes_the_case_and_tells_what_to_bring(liu, case, halls) -> None:
    response = book(liu.client, halls["own"], case["id"])
    assert response.status_code == 201, response.content
    booking = response.json()
    assert booking["purpose"] == "identity_check" and booking["case"] == case["id"]
    assert booking["bring"] == ["本人身份证原件"]
    assert liu.client.get("/api/v1/appointments", {"case": case["id"]}).json()["results"][0]["id"] == booking["id"]

    line = CaseEvent.objects.get(case_id=case["id"], action="counter_booked")
    assert "身份证原件" in line.note and "original ID card" in line.note_en
    assert line.actor.phone.endswith(personas.LIU_FANG.phone)
    timeline = liu.case(case["id"])["timeline"]
    assert any(e["action"] == "counter_booked" for e in timeline)

    notice = Notification.objects.get(user=line.actor, kind="appointment.identity_check")
    when = f"{halls['own'].starts_at.astimezone(dt.timezone(dt.timedelta(hours=8))):%Y-%m-%d %H:%M}"
    assert when in notice.body and "身份证原件" in notice.body
    assert when in notice.body_en and "original ID card" in notice.body_en
    assert notice.target == {"type": "case", "id": case["id"], "reference_no": case["reference_no"]}
    assert Case.objects.get(pk=case["id"]).status == Status.PENDING_FACE  # waits for the clerk

    again = book(liu.client, halls["general"], case["id"])
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_booked"


def test_another_residents_case_is_404_whatever_the_slot(acting, case, halls) -> None:
    other = acting(personas.ZHANG_JIANGUO)
    for slot in (halls["own"], 999999):
        response = book(other.client, slot, case["id"])
        assert response.status_code == 404, response.content
    assert slot_ids(other.client, case["id"]) == set()  # a filter: another's case has no slots, as a missing one
    nothing_written(case["id"], halls["own"])


def test_a_case_not_waiting_for_its_identity_check_is_409(liu, case, halls, clerk) -> None:
    verified = clerk("housing").post(
        f"/api/v1/staff/cases/{case['id']}/verify-identity", {"note": "已查验身份证原件"}, format="json"
    )
    assert verified.status_code == 200, verified.content
    response = book(liu.client, halls["own"], case["id"])
    assert response.status_code == 409 and response.json()["error"]["code"] == "invalid_transition"
    assert slot_ids(liu.client, case["id"]) == set()
    nothing_written(case["id"], halls["own"])


@pytest.mark.parametrize("which", ["other_department", "clinic", "general_other"])
def test_a_slot_that_does_not_suit_the_case_is_409(liu, case, halls, which) -> None:
    response = book(liu.client, halls[which], case["id"])
    assert response.status_code == 409 and response.json()["error"]["code"] == "slot_not_for_case", response.content
    nothing_written(case["id"], halls[which])


def test_full_and_past_slots_are_refused(liu, case, halls) -> None:
    full = halls["own"]
    full.booked = full.capacity
    full.save()
    response = book(liu.client, full, case["id"])
    assert response.status_code == 409 and response.json()["error"]["code"] == "slot_full"
    past = make_slot(Venue.objects.get(code="housing-hall"), -dt.timedelta(hours=1))
    response = book(liu.client, past, case["id"])
    assert response.status_code == 400 and response.json()["error"]["code"] == "slot_in_past"
    assert not Booking.objects.filter(case_id=case["id"]).exists()


def test_purpose_and_case_must_agree(liu, case, halls) -> None:
    no_case = liu.client.post(
        "/api/v1/appointments", {"slot": halls["own"].pk, "purpose": "identity_check"}, format="json"
    )
    assert no_case.status_code == 400 and "case" in no_case.json()["error"]["fields"]
    service = book(liu.client, halls["own"], case["id"], purpose="service")
    assert service.status_code == 400 and "purpose" in service.json()["error"]["fields"]
    unknown = book(liu.client, halls["own"], case["id"], purpose="party")
    assert unknown.status_code == 400 and "purpose" in unknown.json()["error"]["fields"]
    nothing_written(case["id"], halls["own"])


# -- the clerk confirms (staff API; the admin form is in tests/cases/test_admin.py) --------------------------------
def verify(client: APIClient, case_id: int, **body: Any):
    return client.post(f"/api/v1/staff/cases/{case_id}/verify-identity", body, format="json")


def test_the_clerk_confirms_identity_and_the_case_moves_on(liu, case, halls, clerk) -> None:
    booking = book(liu.client, halls["own"], case["id"]).json()
    response = verify(clerk("housing"), case["id"], note="已查验身份证原件", id_card_checked=True)
    assert response.status_code == 200, response.content
    decided = Case.objects.get(pk=case["id"])
    assert decided.status == Status.APPROVED and decided.identity_verified_by == "counter"
    line = CaseEvent.objects.get(case=decided, action="counter_verified")
    assert line.actor.phone.endswith(personas.HOUSING_CLERK.phone) and line.note == "已查验身份证原件"
    audit = FaceEvent.objects.get(user=decided.applicant, kind=FaceEventKind.COUNTER_VERIFIED)
    assert audit.actor == line.actor and audit.purpose == "case" and audit.target == case["id"]
    attended = Booking.objects.get(pk=booking["id"])
    assert attended.status == BookingStatus.ATTENDED and attended.status_changed_by == line.actor


def test_who_may_confirm_and_what_they_must_say(liu, case, halls, clerk, supervisor) -> None:
    book(liu.client, halls["own"], case["id"])
    other = verify(clerk("education"), case["id"], note="已查验身份证原件")
    assert other.status_code == 404
    assert verify(supervisor, case["id"], note="已查验身份证原件").status_code == 403
    housing = clerk("housing")
    no_note = verify(housing, case["id"], note="  ")
    assert no_note.status_code == 400 and no_note.json()["error"]["fields"] == {"note": ["required"]}
    no_card = verify(housing, case["id"], note="已查验", id_card_checked=False)
    assert no_card.status_code == 400 and no_card.json()["error"]["code"] == "id_card_required"
    assert Case.objects.get(pk=case["id"]).status == Status.PENDING_FACE
    assert not FaceEvent.objects.filter(kind=FaceEventKind.COUNTER_VERIFIED).exists()
    assert Booking.objects.get(case_id=case["id"]).status == BookingStatus.BOOKED


# -- the clerk in the admin: the booking list, then the case page's form ------------------------------------------
def admin_client(staff: personas.Staff):
    from django.test import Client

    from backend.demo.city import DEMO_PASSWORD

    client = Client()
    assert client.login(username=staff.phone, password=DEMO_PASSWORD)
    return client


def test_the_booking_list_leads_the_departments_clerk_to_the_case(liu, case, halls) -> None:
    booking = book(liu.client, halls["general"], case["id"]).json()  # a general hall: no department of its own
    housing = admin_client(personas.HOUSING_CLERK)
    listed = housing.get("/admin/appointments/booking/", {"purpose__exact": "identity_check"})
    assert [b.pk for b in listed.context["cl"].result_list] == [booking["id"]]
    page = listed.content.decode()
    case_url = f"/admin/cases/case/{case['id']}/change/#verify-identity"
    assert case_url in page and "窗口核验身份" in page
    other = admin_client(personas.EDUCATION_CLERK).get("/admin/appointments/booking/")
    assert booking["id"] not in [b.pk for b in other.context["cl"].result_list]

    timeline = housing.get(f"/admin/cases/case/{case['id']}/change/").content.decode()
    assert "预约窗口核验" in timeline and "身份证原件" in timeline
    done = housing.post(
        f"/admin/cases/case/{case['id']}/verify-identity/",
        {"note": "已查验身份证原件，人证一致", "id_card_checked": "on"},
        follow=True,
    )
    assert done.status_code == 200
    assert Case.objects.get(pk=case["id"]).status == Status.APPROVED
    attended = Booking.objects.get(pk=booking["id"])
    assert attended.status == BookingStatus.ATTENDED
    assert attended.status_changed_by.phone.endswith(personas.HOUSING_CLERK.phone)
