"""The app's API client against a live backend: real HTTP, real database, the server's own error texts."""

from __future__ import annotations

import re
import socket

import pytest

from backend.accounts import sms
from mobileapp.api import ApiClient, ApiError, NetworkError, NotAvailable, new_idempotency_key
from tests.mobileapp.conftest import photo, run

pytestmark = pytest.mark.django_db(transaction=True)

ZHANG = "13800000001"  # 张建国: rent withdrawal happy path, photo obama_1
LI = "13800000003"  # 李志强: deed-tax and purchase happy paths, photo biden_1


def test_login_keeps_the_session_token_and_reads_the_profile(new_client) -> None:
    client = new_client(ZHANG)
    assert client.token
    me = run(client.me())
    assert me["phone"] == "138****0001"
    assert me["real_name_verified"] is False


def test_wrong_password_is_a_typed_error_in_the_residents_language(new_client) -> None:
    client = new_client()
    with pytest.raises(ApiError) as zh:
        run(client.login(ZHANG, "wrong-Pass-1"))
    assert zh.value.status == 400
    assert zh.value.code == "phone_password_mismatch"
    assert re.search(r"[\u4e00-\u9fff]", zh.value.message)  # the server's Chinese words, shown as they are
    assert client.token is None

    english = new_client(language="en")
    with pytest.raises(ApiError) as en:
        run(english.login(ZHANG, "wrong-Pass-1"))
    assert en.value.code == "phone_password_mismatch"
    assert "password" in en.value.message.lower()


def test_unauthenticated_call_is_401_in_the_contract_shape(new_client) -> None:
    with pytest.raises(ApiError) as err:
        run(new_client().me())
    assert err.value.status == 401
    assert err.value.code in {"not_authenticated", "authentication_failed"}


def test_unreachable_server_gives_a_clear_retry_message() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = ApiClient(f"http://127.0.0.1:{port}", timeout=3)
    with pytest.raises(NetworkError) as err:
        run(client.services())
    assert err.value.status == 0 and err.value.retryable
    assert "网络" in err.value.message and "重试" in err.value.message
    client.language = "en"
    with pytest.raises(NetworkError) as err_en:
        run(client.me())
    assert "connection" in err_en.value.message


def test_signup_with_sms_code_then_real_name(new_client, city) -> None:
    client = new_client()
    pending = run(client.signup("13800000015", "Yang-Fan-2026!"))  # 杨帆: registry only, no account yet
    assert pending == ["verify_phone"]
    code = re.search(r"\b(\d{6})\b", sms.outbox[-1].text).group(1)
    with pytest.raises(ApiError):
        run(client.verify_phone("000000" if code != "000000" else "111111"))
    run(client.verify_phone(code))
    me = run(client.me())
    assert me["phone"] == "138****0015"

    with pytest.raises(ApiError) as bad:
        run(client.bind_real_name("杨帆", "410102199806210950"))  # wrong check character
    assert bad.value.code == "invalid_id_number"
    record = city["residents"]["13800000015"]
    me = run(client.bind_real_name(record["name"], record["id_number"]))
    assert me["real_name_verified"] is True
    assert me["id_number"] != record["id_number"]  # masked


def test_catalogue_detail_prefill_and_eligibility(new_client) -> None:
    client = new_client(LI, verify=True)
    services = run(client.services())
    codes = {s["code"] for s in services}
    assert {"provident-fund-withdrawal", "deed-tax-subsidy", "primary-school-enrolment"} <= codes
    assert {"code", "name", "department", "category", "mode", "requires_face", "time_limit_days"} <= set(services[0])
    assert [s["code"] for s in run(client.services(q="契税"))] == ["deed-tax-subsidy"]
    assert "deed-tax-subsidy" in {s["code"] for s in run(client.services(eligible=True))}

    detail = run(client.service("provident-fund-withdrawal"))
    assert detail["form"]["properties"]["reason"]["enum"] == ["rent", "purchase"]
    assert detail["data_items"] and detail["steps"]

    prefill = run(client.prefill("deed-tax-subsidy"))
    items = prefill["items"] if isinstance(prefill, dict) else prefill
    assert items and all("department" in i for i in items)
    assert "410102198411030150" not in str(prefill)  # masked

    trace = run(client.eligibility("deed-tax-subsidy"))
    assert trace["eligible"] is True


def test_cases_consent_idempotency_withdraw_and_ownership(new_client) -> None:
    client = new_client(ZHANG, verify=True)
    with pytest.raises(ApiError) as no_consent:
        run(client.create_case("public-rental-housing", {}, consent=False))
    assert (no_consent.value.status, no_consent.value.code) == (400, "consent_required")

    key = new_idempotency_key()
    first = run(client.create_case("public-rental-housing", {}, consent=True, idempotency_key=key))
    again = run(client.create_case("public-rental-housing", {}, consent=True, idempotency_key=key))
    assert first["id"] == again["id"]
    assert first["status"] == "in_review"
    assert run(client.cases())["count"] == 1

    withdrawn = run(client.withdraw_case(first["id"]))
    assert withdrawn["status"] == "withdrawn"

    other = new_client(LI)
    with pytest.raises(ApiError) as not_mine:
        run(other.case(first["id"]))
    assert not_mine.value.status == 404


def test_face_enrol_challenge_and_verify_decide_the_case(new_client) -> None:
    client = new_client(LI, verify=True)
    case = run(client.create_case("deed-tax-subsidy", {}, consent=True))
    assert case["status"] == "pending_face"
    with pytest.raises(ApiError) as not_enrolled:
        run(client.face_challenge("case", case["id"]))
    assert not_enrolled.value.code == "face_not_enrolled"

    run(client.face_enrol(photo("biden_2.jpg"), "biden_2.jpg"))
    assert run(client.me())["face_enrolled"] is True
    challenge = run(client.face_challenge("case", case["id"]))
    result = run(client.face_verify(challenge["challenge_id"], image=photo("biden_2.jpg"), filename="biden_2.jpg"))
    assert result["verified"] is True
    assert result["case"]["status"] == "approved"
    assert result["case"]["decision"]["amount"] == "20000.00"

    with pytest.raises(ApiError) as used:
        run(client.face_verify(challenge["challenge_id"], image=photo("biden_2.jpg")))
    assert used.value.code == "challenge_used"


def test_notifications_and_data_access_log(new_client) -> None:
    client = new_client(ZHANG, verify=True)
    run(client.create_case("public-rental-housing", {}, consent=True))
    page = run(client.notifications())
    assert "unread" in page and page["count"] >= 1
    first = page["results"][0]
    assert run(client.mark_read(first["id"]))["read"] is True

    log = run(client.data_access())
    assert log["count"] >= 1
    assert {"at", "department", "items", "actor"} <= set(log["results"][0])


def test_features_not_deployed_yet_are_not_available_rather_than_errors(new_client) -> None:
    client = new_client(ZHANG)
    for call in (client.appointment_slots, client.event_categories, client.certificates):
        try:
            result = run(call())
        except NotAvailable:
            continue  # the screen shows "coming soon"
        assert isinstance(result, list)
