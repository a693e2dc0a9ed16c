"""The admin side of bundles: a member case's page names its bundle and its sibling cases (linked only where the
clerk may open them), and a read-only bundle page, visible to the clerks of its members' departments and to the
supervisor."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from backend.cases.models import Bundle, Case
from backend.demo.city import DEMO_PASSWORD
from tests import personas
from tests.personas import PHOTOS

pytestmark = pytest.mark.django_db


def admin_client(staff: personas.Staff) -> Client:
    client = Client()
    assert client.login(username=staff.username, password=DEMO_PASSWORD)
    return client


@pytest.fixture
def bundle(acting) -> dict[str, Any]:
    """李志强's 购房一件事 after the face check: two instant members approved, the catchment check in review."""
    person = acting(personas.LI_ZHIQIANG)
    person.enrol("biden_1.jpg")
    applied = person.client.post(
        "/api/v1/bundles/buying-a-home/apply", {"form": {"amount": "1000"}, "consent": True}, format="json"
    )
    ref = applied.json()["reference_no"]
    challenge = person.client.post("/api/v1/face/challenges", {"purpose": "bundle", "bundle": ref}, format="json")
    with open(PHOTOS / "biden_2.jpg", "rb") as image:
        verified = person.client.post(
            "/api/v1/face/verify",
            {"challenge_id": challenge.json()["challenge_id"], "image": image},
            format="multipart",
        )
    return verified.json()["bundle"]


def test_a_member_case_page_shows_its_bundle_and_siblings(bundle) -> None:
    record = Bundle.objects.get()
    school = Case.objects.get(service_code="school-district-check")
    deed = Case.objects.get(service_code="deed-tax-subsidy")
    html = admin_client(personas.EDUCATION_CLERK).get(f"/admin/cases/case/{school.pk}/change/").content.decode()
    assert "一件事 Bundle" in html and record.reference_no in html
    assert f'href="/admin/cases/bundle/{record.pk}/change/"' in html
    assert deed.reference_no in html  # named...
    assert f'href="/admin/cases/case/{deed.pk}/change/"' not in html  # ...but not linked: another department's
    html = admin_client(personas.SUPERVISOR).get(f"/admin/cases/case/{school.pk}/change/").content.decode()
    assert f'href="/admin/cases/case/{deed.pk}/change/"' in html  # the supervisor may open every member


def test_the_bundle_page_is_read_only_and_scoped_to_its_members_departments(bundle) -> None:
    record = Bundle.objects.get()
    url = f"/admin/cases/bundle/{record.pk}/change/"
    education = admin_client(personas.EDUCATION_CLERK)
    page = education.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    school = Case.objects.get(service_code="school-district-check")
    assert f'href="/admin/cases/case/{school.pk}/change/"' in html and "学区核验" in html and "契税补贴" in html
    assert "李*强" in html and "李志强" not in html
    assert record.reference_no in education.get("/admin/cases/bundle/").content.decode()
    assert education.post(url, {"status": "completed"}).status_code == 403
    assert education.get("/admin/cases/bundle/add/").status_code == 403
    Bundle.objects.filter(pk=record.pk).update(status="in_progress")
    assert admin_client(personas.CITY_CLERK).get(url).status_code == 404  # no member in city management
    assert admin_client(personas.SUPERVISOR).get(url).status_code == 200
