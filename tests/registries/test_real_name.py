"""Real-name binding against the household registry (DESIGN §3.3)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from rest_framework.test import APIClient

from backend.registries.models import DataAccessLog, Resident
from tests.factories import id_number, login, resident_record
from tests.personas import WANG_FANG

pytestmark = pytest.mark.django_db
URL = "/api/v1/me/real-name"


def test_match_binds_and_masks(resident, resident_client: APIClient) -> None:
    response = resident_client.post(URL, {"name": resident["name"], "id_number": resident["id_number"]}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["real_name_verified"] is True
    assert body["id_number"] == resident["id_number"][:6] + "********" + resident["id_number"][-4:]
    assert resident["id_number"] not in response.content.decode()
    assert body["name"] == "高*"
    assert Resident.objects.with_id_number(resident["id_number"]).get().account is not None


def test_binding_again_is_idempotent(resident, verified_client: APIClient) -> None:
    response = verified_client.post(URL, {"name": resident["name"], "id_number": resident["id_number"]}, format="json")
    assert response.status_code == 200


def test_lowercase_x_is_accepted(import_data) -> None:
    for seq in range(100, 999):  # find a sequence number whose check character is X
        number = id_number("410105", dt.date(1991, 2, 3), seq)
        if number.endswith("X"):
            break
    import_data({"residents": [resident_record("李雷", dt.date(1991, 2, 3), seq, phone="16600000777")]})
    client = login("16600000777")
    assert client.post(URL, {"name": "李雷", "id_number": number.lower()}, format="json").status_code == 200


@pytest.mark.parametrize(
    "number",
    [
        "410105199001050015",  # wrong check digit
        "41010519900105001",  # too short
        "410105199002300012",  # 30 February
        "410105209901010012",  # born in the future
        "abcdefghijklmnopqr",
    ],
)
def test_invalid_id_number_is_400(resident_client: APIClient, number: str) -> None:
    response = resident_client.post(URL, {"name": "高远", "id_number": number}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_id_number"
    assert not Resident.objects.filter(account__isnull=False).exists()
    assert not DataAccessLog.objects.exists()


def test_name_mismatch_is_422(resident, resident_client: APIClient) -> None:
    response = resident_client.post(URL, {"name": "高飞", "id_number": resident["id_number"]}, format="json")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "registry_mismatch"
    assert not Resident.objects.filter(account__isnull=False).exists()


def test_unknown_person_is_422(resident_client: APIClient) -> None:
    number = id_number("410105", dt.date(1985, 5, 5), 321)
    response = resident_client.post(URL, {"name": "无名", "id_number": number}, format="json")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "registry_mismatch"


def test_identity_bound_to_another_account_is_409(wang_fang: APIClient, resident, verified_client) -> None:
    other = wang_fang
    response = other.post(URL, {"name": resident["name"], "id_number": resident["id_number"]}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "identity_already_bound"
    assert other.get("/api/v1/me").json()["real_name_verified"] is False


def test_verified_account_cannot_bind_a_second_identity(import_data, verified_client) -> None:
    second = replace(WANG_FANG, phone=None, account=False).record()  # 王芳 in the registry, without an account
    import_data({"residents": [second]})
    response = verified_client.post(URL, {"name": "王芳", "id_number": second["id_number"]}, format="json")
    assert response.status_code == 409
    assert Resident.objects.with_id_number(second["id_number"]).get().account is None


def test_binding_is_logged_and_visible_to_the_resident(resident, verified_client: APIClient) -> None:
    response = verified_client.get("/api/v1/me/data-access")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 1
    assert rows[0]["department_code"] == "public_security"
    assert rows[0]["items"] == ["household.identity"]
    assert rows[0]["item_labels"] == ["户籍身份信息"]
    assert rows[0]["actor_type"] == "resident"


def test_data_access_shows_only_own_rows(wang_fang: APIClient, resident, verified_client) -> None:
    other = wang_fang
    assert other.get("/api/v1/me/data-access").json()["results"] == []
    number = WANG_FANG.id_number
    other.post(URL, {"name": "王芳", "id_number": number}, format="json")
    assert len(other.get("/api/v1/me/data-access").json()["results"]) == 1
    assert len(verified_client.get("/api/v1/me/data-access").json()["results"]) == 1
