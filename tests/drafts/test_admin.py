"""The drafts admin: read-only, masked, and not part of any clerk's permissions."""

from __future__ import annotations

import pytest
from django.test import Client

from backend.demo.city import DEMO_PASSWORD
from tests.personas import ZHANG_ZIHAN

pytestmark = pytest.mark.django_db

ZHANG = "13800000001"
CHILD_OF_ZHANG = ZHANG_ZIHAN.id_number  # follows the school year


def admin_client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def test_staff_see_drafts_masked_and_cannot_change_them(resident) -> None:
    person = resident(ZHANG)
    draft = person.client.post(
        "/api/v1/drafts",
        {"service": "primary-school-enrolment", "form": {"child_id_number": CHILD_OF_ZHANG}},
        format="json",
    ).json()
    superuser = admin_client("admin")
    listing = superuser.get("/admin/drafts/draft/")
    assert listing.status_code == 200
    page = superuser.get(f"/admin/drafts/draft/{draft['id']}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "410105********0262" in html and CHILD_OF_ZHANG not in html
    assert "张建国" not in html and "13800000001" not in html and "张*国" in html
    assert superuser.get("/admin/drafts/draft/add/").status_code == 403
    assert superuser.post(f"/admin/drafts/draft/{draft['id']}/delete/", {"post": "yes"}).status_code == 403
    assert person.client.get(f"/api/v1/drafts/{draft['id']}").status_code == 200


def test_clerks_do_not_see_residents_drafts(resident) -> None:
    resident(ZHANG).client.post("/api/v1/drafts", {"service": "public-rental-housing"}, format="json")
    clerk = admin_client("13700000002")
    assert clerk.get("/admin/drafts/draft/").status_code == 403
