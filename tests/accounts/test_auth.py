"""Sign-up with SMS verification and phone + password login through allauth's headless app endpoints."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from backend.accounts import sms
from backend.accounts.models import User
from tests.factories import PASSWORD, login
from tests.personas import ZHANG_JIANGUO

pytestmark = pytest.mark.django_db

SIGNUP = "/_allauth/app/v1/auth/signup"
LOGIN = "/_allauth/app/v1/auth/login"
VERIFY = "/_allauth/app/v1/auth/phone/verify"


def test_signup_verifies_phone_by_sms_then_logs_in(api: APIClient) -> None:
    response = api.post(SIGNUP, {"phone": "13912345678", "password": PASSWORD}, format="json")
    assert response.status_code == 401  # pending flow: phone verification
    body = response.json()
    assert any(f["id"] == "verify_phone" and f.get("is_pending") for f in body["data"]["flows"])
    token = body["meta"]["session_token"]
    assert len(sms.outbox) == 1 and sms.outbox[0].phone == "+8613912345678"
    code = re.search(r"\b(\d{6})\b", sms.outbox[0].text).group(1)

    wrong = api.post(
        VERIFY, {"code": "000000" if code != "000000" else "111111"}, format="json", HTTP_X_SESSION_TOKEN=token
    )
    assert wrong.status_code == 400
    ok = api.post(VERIFY, {"code": code}, format="json", HTTP_X_SESSION_TOKEN=token)
    assert ok.status_code == 200, ok.content
    assert ok.json()["meta"]["is_authenticated"] is True
    user = User.objects.get(phone="+8613912345678")
    assert user.phone_verified and user.role == "resident"
    assert "13912345678" not in ok.content.decode()  # allauth's user payload shows the phone masked

    me = APIClient()
    me.credentials(HTTP_X_SESSION_TOKEN=ok.json()["meta"]["session_token"])
    assert me.get("/api/v1/me").json()["phone"] == "139****5678"


def test_signup_rejects_non_mainland_phone(api: APIClient) -> None:
    response = api.post(SIGNUP, {"phone": "12345", "password": PASSWORD}, format="json")
    assert response.status_code == 400
    assert not User.objects.exists()
    assert sms.outbox == []


def test_signup_rejects_weak_password(api: APIClient) -> None:
    response = api.post(SIGNUP, {"phone": "13912345678", "password": "123"}, format="json")
    assert response.status_code == 400
    assert not User.objects.exists()


def test_imported_account_logs_in_directly(resident) -> None:
    client = login(resident["phone"])
    me = client.get("/api/v1/me").json()
    assert me["phone"] == "166****0901"
    assert me["real_name_verified"] is False


def test_login_accepts_e164_too(resident) -> None:
    login("+86" + resident["phone"])


def test_login_accepts_the_phone_as_a_resident_types_it(demo) -> None:
    """张建国 types his number with the country code and spaces, as it is printed on his card."""
    assert ZHANG_JIANGUO.phone_as_typed == "+86 138 0000 0001"
    client = login(ZHANG_JIANGUO.phone_as_typed, ZHANG_JIANGUO.password)
    assert client.get("/api/v1/me").json()["phone"] == "138****0001"


def test_wrong_password_is_rejected(api: APIClient, resident) -> None:
    response = api.post(LOGIN, {"phone": resident["phone"], "password": "wrong-Pass-1"}, format="json")
    assert response.status_code == 400
    assert "session_token" not in response.json().get("meta", {})


def test_failed_logins_lock_the_phone_number(api: APIClient, resident) -> None:
    codes = []
    for i in range(6):
        response = api.post(LOGIN, {"phone": resident["phone"], "password": f"wrong-{i}"}, format="json")
        assert response.status_code == 400
        codes.append(response.json()["errors"][0]["code"])
    assert codes[0] != "too_many_login_attempts"
    assert codes[-1] == "too_many_login_attempts"
    # Even the right password is refused while the number is locked: that is what stops guessing.
    right = api.post(LOGIN, {"phone": resident["phone"], "password": PASSWORD}, format="json")
    assert right.status_code == 400
    assert right.json()["errors"][0]["code"] == "too_many_login_attempts"
