"""The vendor's own test of the parking permit service, run inside a Yiwang deployment that allow-lists it (so its
Django app and table are installed). Named ``check_*`` so Yiwang's own test run does not collect it where the
service is off; tests/cases/test_thirdparty.py runs it in such a deployment."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from yiwang_parking.models import ParkingPermit

from backend.accounts.models import Department, Role, User
from backend.demo.city import DEMO_PASSWORD, build_demo_registry
from tests.factories import login

pytestmark = pytest.mark.django_db

RESIDENT_PHONE = "13800000001"
CODE = "residential-parking-permit"


def test_a_permit_is_issued_into_the_services_own_table(settings) -> None:
    settings.YIWANG_SERVICE_SETTINGS = {CODE: {"permit_prefix": "ZZ"}}
    call_command("load_demo", "--skip", "cases", stdout=StringIO())
    person = next(r for r in build_demo_registry(timezone.localdate())["residents"] if r.get("phone") == RESIDENT_PHONE)
    resident = login(RESIDENT_PHONE, DEMO_PASSWORD)
    bound = resident.post("/api/v1/me/real-name", {"name": person["name"], "id_number": person["id_number"]})
    assert bound.status_code == 200, bound.content

    bad = resident.post(
        "/api/v1/cases", {"service": CODE, "form": {"plate": "1234567"}, "consent": True}, format="json"
    )
    assert bad.status_code == 400 and "plate" in bad.json()["error"]["fields"]
    applied = resident.post(
        "/api/v1/cases", {"service": CODE, "form": {"plate": "豫a12345"}, "consent": True}, format="json"
    )
    assert applied.status_code == 201, applied.content
    case = applied.json()
    assert case["status"] == "in_review", case

    User.objects.create_user(
        username="13799999998",
        phone="+8613799999998",
        phone_verified=True,
        role=Role.CLERK,
        department=Department.objects.get(code="city_management"),
        is_staff=True,
        password=DEMO_PASSWORD,
    )
    decided = login("13799999998", DEMO_PASSWORD).post(
        f"/api/v1/staff/cases/{case['id']}/decide", {"action": "approve"}
    )
    assert decided.status_code == 200, decided.content
    seen = decided.json()
    assert seen["decision"] == {"type": "assignment", "permit_number": "ZZ-000001"}
    assert seen["decision_rows"] == [{"label": "停车证号", "value": "ZZ-000001"}]
    permit = ParkingPermit.objects.get(case_reference=case["reference_no"])
    assert (permit.plate, permit.number) == ("豫A12345", "ZZ-000001")
