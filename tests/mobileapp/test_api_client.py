"""The app's API client against a live backend: real HTTP, real database, the server's own error texts."""

from __future__ import annotations

import re
import socket

import pytest

from backend.accounts import sms
from mobileapp import api
from mobileapp.api import ApiClient, ApiError, NetworkError, NotAvailable, new_idempotency_key
from tests.mobileapp.conftest import photo, run, staff_decide
from tests.mobileapp.shapes import assert_shape
from tests.personas import LI_ZHIQIANG, ZHANG_JIANGUO

pytestmark = pytest.mark.django_db(transaction=True)

ZHANG = ZHANG_JIANGUO.phone  # 张建国: rent withdrawal happy path, photo obama_1
LI = LI_ZHIQIANG.phone  # 李志强: deed-tax and purchase happy paths, photo biden_1


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
    items = prefill["items"]
    assert items and all(i["department"] for i in items)
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


def test_features_not_deployed_yet_are_not_available_rather_than_errors(new_client, city) -> None:
    client = new_client(ZHANG)
    assert isinstance(run(client.event_categories()), list)
    assert "results" in run(client.appointment_slots()) and "results" in run(client.certificates())
    # a server without the city-events API (a 404 on the collection): NotAvailable, the screen's "coming soon"
    with pytest.raises(NotAvailable):
        run(client._optional("GET", "/api/v1/no-such-feature"))
    with pytest.raises(ApiError) as not_found:  # a missing *item* stays a plain error
        run(client.case(999999))
    assert not isinstance(not_found.value, NotAvailable) and not_found.value.status == 404


def test_answers_have_the_types_of_api_py(new_client, city) -> None:
    """Every answer the app reads, from the live backend, has exactly the type api.py declares (the app codes
    against these types only: a renamed or dropped member fails here, not on a screen)."""
    zhang = new_client(ZHANG, verify=True)
    assert_shape(run(zhang.me()), api.Profile)
    services = run(zhang.services())
    assert_shape(services, list[api.Service])
    assert_shape(run(zhang.services(eligible=True)), list[api.Service])
    for service in services:
        assert_shape(run(zhang.service(service["code"])), api.ServiceDetail)
        assert_shape(run(zhang.prefill(service["code"])), api.Prefill)
    assert_shape(run(zhang.eligibility("provident-fund-withdrawal")), api.Eligibility)
    assert_shape(run(zhang.eligibility("deed-tax-subsidy")), api.Eligibility)  # a failing rule: message set

    enrolled = run(zhang.face_enrol(photo("obama_2.jpg"), "obama_2.jpg"))
    assert_shape(enrolled, api.FaceEnrolled)
    pending = run(
        zhang.create_case("talent-housing-subsidy", {"degree": "master", "employer": "郑州某公司"}, consent=True)
    )
    assert_shape(pending, api.Case)
    challenge = run(zhang.face_challenge("case", pending["id"]))
    assert_shape(challenge, api.Challenge)
    failed = run(zhang.face_verify(challenge["challenge_id"], image=photo("biden_2.jpg"), filename="biden_2.jpg"))
    assert_shape(failed, api.FaceResult)
    assert "case" not in failed
    challenge = run(zhang.face_challenge("case", pending["id"]))
    verified = run(zhang.face_verify(challenge["challenge_id"], image=photo("obama_3.jpg"), filename="obama_3.jpg"))
    assert_shape(verified, api.FaceResult)
    assert verified["case"]["status"] == "approved" and verified["case"]["decision"]["certificate_id"]
    assert_shape(run(zhang.rate_case(pending["id"], 4, "快")), api.Rating)

    rental = run(zhang.create_case("public-rental-housing", {}, consent=True))
    staff_decide(city["url"], "13700000001", rental["id"], "return", "请补充说明")
    returned = run(zhang.case(rental["id"]))
    assert_shape(returned, api.Case)
    assert returned["working_days_left"] is None and "resubmit" in returned["actions"]
    assert_shape(run(zhang.update_case_form(rental["id"], {})), api.Case)
    assert_shape(run(zhang.withdraw_case(rental["id"])), api.Case)
    cases = run(zhang.cases())
    assert_shape(cases, api.Page[api.Case])
    assert cases["count"] == 2

    certificates = run(zhang.certificates())
    assert_shape(certificates, api.Page[api.Certificate])
    assert_shape(run(zhang.verify_certificate(certificates["results"][0]["code"])), api.CertificateVerification)

    notices = run(zhang.notifications())
    assert_shape(notices, api.NotificationPage)
    assert_shape(run(zhang.notifications(unread_only=True)), api.NotificationPage)
    assert_shape(run(zhang.mark_read(notices["results"][0]["id"])), api.Notification)
    assert_shape(run(zhang.mark_all_read()), api.ReadAll)
    assert_shape(run(zhang.data_access()), api.Page[api.DataAccess])

    assert_shape(run(zhang.event_categories()), list[api.EventCategory])
    report = run(zhang.report_event("street-light", "路灯不亮", lat=34.7466, long=113.6253, address="花园路"))
    assert_shape(report, api.EventDetail)
    assert_shape(run(zhang.my_events()), api.Page[api.EventReport])

    slots = run(zhang.appointment_slots())
    assert_shape(slots, api.Page[api.Slot])
    slot = next(s for s in slots["results"] if s["remaining"] > 0)
    booking = run(zhang.book(slot["id"]))
    assert_shape(booking, api.Booking)
    assert_shape(run(zhang.appointments()), api.Page[api.Booking])
    assert_shape(run(zhang.cancel_appointment(booking["id"])), api.Booking)
