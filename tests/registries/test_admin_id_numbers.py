"""The registry admin with identity numbers that are not in the table: typed in full, stored sealed, searched by
their blind index."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from backend.accounts.models import Role, User
from backend.registries.models import Resident
from tests.factories import id_number

pytestmark = pytest.mark.django_db

BIRTH = dt.date(1990, 5, 1)

FIELDS = {
    "name": "赵新",
    "gender": "M",
    "birth_date": "1990-05-01",
    "phone": "",
    "address": "郑州市金水区花园路8号",
    "district": "金水区",
    "household_id": "HH-ADMIN-1",
}


@pytest.fixture
def admin_browser() -> Client:
    user = User.objects.create_superuser(username="root", phone="+8613900000099", password="x", role=Role.SUPERVISOR)
    browser = Client()
    browser.force_login(user)
    return browser


def test_a_resident_added_in_the_admin_is_stored_sealed(admin_browser: Client) -> None:
    number = id_number("410105", BIRTH, 11)
    response = admin_browser.post("/admin/registries/resident/add/", {**FIELDS, "id_number": number.lower()})
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    resident = Resident.objects.get(household_id="HH-ADMIN-1")
    assert resident.id_number == number and resident.id_number_masked == number[:6] + "********" + number[-4:]


@pytest.mark.parametrize("value", ["", "410105199005011234", "12345"])
def test_a_bad_or_missing_number_is_refused_and_nothing_is_written(admin_browser: Client, value: str) -> None:
    response = admin_browser.post("/admin/registries/resident/add/", {**FIELDS, "id_number": value})
    assert response.status_code == 200 and "id_number" in response.context["adminform"].form.errors
    assert not Resident.objects.filter(household_id="HH-ADMIN-1").exists()


def test_a_number_registered_to_someone_else_is_refused(admin_browser: Client) -> None:
    number = id_number("410105", BIRTH, 11)
    Resident.objects.create(id_number=number, **{**FIELDS, "household_id": "HH-OTHER"})
    response = admin_browser.post("/admin/registries/resident/add/", {**FIELDS, "id_number": number})
    assert response.status_code == 200 and "id_number" in response.context["adminform"].form.errors
    assert Resident.objects.count() == 1


def test_editing_without_retyping_keeps_the_number(admin_browser: Client) -> None:
    number = id_number("410105", BIRTH, 11)
    resident = Resident.objects.create(id_number=number, **FIELDS)
    page = admin_browser.get(f"/admin/registries/resident/{resident.pk}/change/").content.decode()
    assert number not in page and resident.id_number_masked in page
    changed = {**FIELDS, "address": "郑州市金水区花园路9号", "id_number": ""}
    response = admin_browser.post(f"/admin/registries/resident/{resident.pk}/change/", changed)
    assert response.status_code == 302
    resident = Resident.objects.get(pk=resident.pk)
    assert resident.address.endswith("9号") and resident.id_number == number


def test_search_by_full_number_finds_only_that_person(admin_browser: Client) -> None:
    mine = id_number("410105", BIRTH, 11)
    Resident.objects.create(id_number=mine, **FIELDS)
    Resident.objects.create(id_number=id_number("410105", BIRTH, 12), **{**FIELDS, "household_id": "HH-2"})
    response = admin_browser.get("/admin/registries/resident/", {"q": mine})
    assert [r.id_number for r in response.context["cl"].result_list] == [mine]
    partial = admin_browser.get("/admin/registries/resident/", {"q": mine[:10]})
    assert list(partial.context["cl"].result_list) == []  # the index answers exact numbers only
