"""The new department registries in the admin: read-only for clerks, searchable by a parent's full ID number, which
is never shown in clear."""

from __future__ import annotations

import pytest
from django.test import Client

from backend.registries.models import BirthCertificate
from tests.personas import HOUSEHOLD_CLERK, LIU_FANG

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/registries/birthcertificate/"


def clerk_admin() -> Client:
    client = Client()
    assert client.login(username=HOUSEHOLD_CLERK.username, password=HOUSEHOLD_CLERK.password)
    return client


def test_clerk_finds_a_certificate_by_the_mothers_number_and_cannot_edit_it(demo) -> None:
    client = clerk_admin()
    found = client.get(CHANGELIST, {"q": LIU_FANG.id_number})
    assert found.status_code == 200
    assert [c.certificate_no for c in found.context["cl"].result_list] == ["O410126001"]
    assert LIU_FANG.id_number[:6] + "********" in found.content.decode()
    certificate = BirthCertificate.objects.get(certificate_no="O410126001")
    page = client.get(f"{CHANGELIST}{certificate.pk}/change/").content.decode()
    assert 'name="_save"' not in page  # a view, no save button
    assert LIU_FANG.id_number not in page and certificate.mother_id_sealed not in page
    edited = client.post(f"{CHANGELIST}{certificate.pk}/change/", {"child_name": "改名"})
    assert edited.status_code == 403
    assert client.post(f"{CHANGELIST}add/", {"certificate_no": "O410100000"}).status_code == 403
    assert BirthCertificate.objects.get(pk=certificate.pk).child_name == "王小禾"


@pytest.mark.parametrize("path", ["medicalinsuranceenrolment", "socialsecuritycard"])
def test_enrolments_and_cards_are_listed_read_only(demo, path: str) -> None:
    client = clerk_admin()
    assert client.get(f"/admin/registries/{path}/").status_code == 200
    assert client.get(f"/admin/registries/{path}/add/").status_code == 403
