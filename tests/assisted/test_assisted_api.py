"""帮办代办 through the staff API: a counter clerk files for a resident who is present, through the case engine,
after checking their identity; the resident confirms by the SMS code to their registry phone or by their face on
the counter camera. Every refusal, and what is (not) written for it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from rest_framework.test import APIClient

from backend.accounts import sms
from backend.accounts.groups import CLERKS
from backend.accounts.models import SmsMessage, User
from backend.assisted.models import AppendOnly, AssistedEvent, AssistedSession
from backend.cases.models import Case
from backend.faceauth.models import FaceEvent
from backend.notifications.models import Notification
from backend.registries.models import DataAccessLog, Resident
from tests import personas
from tests.conftest import FACES
from tests.idnumbers import id_number
from tests.personas import PHOTOS

pytestmark = pytest.mark.django_db

BASE = "/api/v1/staff/assisted-sessions"
RENT = {"reason": "rent", "amount": "1200.00"}
WITHDRAWAL = "provident-fund-withdrawal"


def start(client: APIClient, record: dict[str, Any], **body: Any) -> Any:
    payload = {"id_number": record["id_number"], "name": record["name"], "id_card_checked": True, **body}
    return client.post(BASE, payload, format="json")


def opened(client: APIClient, record: dict[str, Any]) -> dict[str, Any]:
    response = start(client, record)
    assert response.status_code == 201, response.content
    return response.json()


def fill(client: APIClient, session: dict[str, Any], service: str = WITHDRAWAL, form: Any = None, **body: Any) -> Any:
    payload = {"service": service, "form": RENT if form is None else form, "consent": True, **body}
    return client.post(f"{BASE}/{session['id']}/application", payload, format="json")


def send_code(client: APIClient, session: dict[str, Any]) -> str:
    response = client.post(f"{BASE}/{session['id']}/send-code")
    assert response.status_code == 200, response.content
    found = re.search(r"(?:确认码|code) (\d{6})", sms.outbox[-1].text)
    assert found, sms.outbox[-1].text
    return found.group(1)


def confirm(client: APIClient, session: dict[str, Any], **body: Any) -> Any:
    return client.post(f"{BASE}/{session['id']}/confirm", {"method": "sms_code", **body}, format="json")


def face(client: APIClient, session: dict[str, Any], photo: str) -> Any:
    with open(PHOTOS / photo, "rb") as image:
        return client.post(f"{BASE}/{session['id']}/face", {"image": image}, format="multipart")


def error(response: Any) -> str:
    return response.json()["error"]["code"]


@pytest.fixture
def zhang(demo) -> dict[str, Any]:
    """张建国's registry row (renter, provident fund active, registry photo obama_1, phone 13800000001)."""
    return personas.ZHANG_JIANGUO.record()


@pytest.fixture
def provident(clerk) -> APIClient:
    return clerk("provident_fund")


# -- the whole way ---------------------------------------------------------------------------------------------------
def test_a_clerk_files_a_rent_withdrawal_for_zhang_who_confirms_with_the_sms_code(provident, zhang) -> None:
    session = opened(provident, zhang)
    assert session["status"] == "open" and session["resident"]["name"] == "张*国"
    assert session["identity"] == {
        "id_card_checked": True,
        "face_verified": False,
        "face_verified_at": None,
        "face_attempts_left": 3,
    }
    assert [e["kind"] for e in session["events"]] == ["started", "identity_checked"]

    filled = fill(provident, session)
    assert filled.status_code == 200, filled.content
    summary = filled.json()["application"]
    assert summary["service"] == WITHDRAWAL and summary["form"] == RENT
    assert [item["key"] for item in summary["data"]] == [
        "provident_fund.account",
        "provident_fund.withdrawals",
        "property.owned",
    ]
    # the consent items of the app's consent screen (the catalogue), item for item
    catalogue = APIClient().get(f"/api/v1/services/{WITHDRAWAL}").json()["data_items"]
    assert summary["data"] == [{k: i[k] for k in ("key", "label", "department", "purpose")} for i in catalogue]
    assert not Case.objects.exists()  # filled is not submitted

    code = send_code(provident, session)
    assert sms.outbox[-1].phone == "+8613800000001"  # the registry's phone
    assert "公积金提取" in sms.outbox[-1].text and "公积金" in sms.outbox[-1].text
    stored = AssistedSession.objects.get(pk=session["id"])
    assert code not in stored.code_hash and len(stored.code_hash) >= 32  # a keyed digest, never the code
    assert SmsMessage.objects.filter(purpose="assisted_confirmation").count() == 1

    done = confirm(provident, session, code=code)
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["status"] == "confirmed" and body["confirmation"] == "sms_code"
    assert body["case"]["status"] == "approved"  # counter-verified identity: decided at once
    case = Case.objects.get(pk=body["case"]["id"])
    clerk_user = User.objects.get(phone="+8613700000003")
    applicant = User.objects.get(phone="+8613800000001")
    assert case.applicant == applicant and case.submitted_by == clerk_user and case.identity_verified_by == "counter"
    assert [e["kind"] for e in body["events"]][-2:] == ["code_sent", "confirmed"]
    assert FaceEvent.objects.filter(user=applicant, kind="counter_verified", actor=clerk_user).count() == 1

    # 张建国 had signed up in the app without binding his real name: proving his registry phone at the counter
    # binds it, and the case is in his own account
    assert Resident.objects.get(name="张建国").account == applicant
    resident = personas.ZHANG_JIANGUO.login()
    mine = resident.get(f"/api/v1/cases/{case.pk}").json()
    submitted = mine["timeline"][0]
    assert submitted["action"] == "submitted" and submitted["note"] == "工作人员帮办：提交申请"
    assert "公积金" in submitted["actor"]  # the clerk's department, not 申请人
    assert [e["action"] for e in mine["timeline"]] == ["submitted", "counter_verified", "decided"]
    english = resident.get(f"/api/v1/cases/{case.pk}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["timeline"][0]["note"] == "Assisted by a clerk: submitted"

    # registry reads of the session: the clerk as reader, the assisted purpose
    reads = resident.get("/api/v1/me/data-access").json()["results"]
    assisted = [r for r in reads if r["purpose"].startswith("工作人员帮办")]
    assert {r["actor_type"] for r in assisted} == {"clerk"}
    assert all("公积金中心窗口" in r["actor"] for r in assisted)
    purposes = {r["purpose"] for r in assisted}
    assert {"工作人员帮办 核验身份", "工作人员帮办 办理 公积金提取"} <= purposes
    assert any(r["case"] and r["case"]["id"] == case.pk for r in assisted)

    kinds = set(Notification.objects.filter(user=applicant).values_list("kind", flat=True))
    assert {"assisted.submitted", "case.approved"} <= kinds
    assert "assisted.started" not in kinds  # not yet his account when the session started


def test_a_review_service_filed_at_the_counter_waits_for_the_department(clerk, zhang) -> None:
    housing = clerk("housing")
    session = opened(housing, zhang)
    assert fill(housing, session, "public-rental-housing", {}).status_code == 200
    done = confirm(housing, session, code=send_code(housing, session))
    assert done.status_code == 200, done.content
    assert done.json()["case"]["status"] == "in_review"
    case = Case.objects.get(pk=done.json()["case"]["id"])
    assert case.identity_verified_by == ""  # no face check needed, none recorded
    log = DataAccessLog.objects.filter(case_id=case.pk)
    assert log.exists() and set(log.values_list("actor_type", flat=True)) == {"clerk"}


def test_the_elder_li_defu_is_told_the_rules_reject_him_at_once(provident, demo) -> None:
    """李德福, born 1948: his provident fund account closed on retirement; the rules decide at once."""
    session = opened(provident, personas.LI_DEFU.record())
    assert fill(provident, session).status_code == 200
    done = confirm(provident, session, code=send_code(provident, session))
    assert done.status_code == 200, done.content
    case = Case.objects.get(pk=done.json()["case"]["id"])
    assert case.status == "rejected" and case.decision["reason_code"] == "account_not_active"


def test_a_resident_without_an_account_gets_a_managed_one_on_confirmation(provident, demo) -> None:
    """杨帆 is in the registry with a phone but has never used the app."""
    yang = personas.YANG_FAN.record()
    assert Resident.objects.get(name="杨帆").account_id is None
    session = opened(provident, yang)
    assert session["resident"]["has_account"] is False
    assert fill(provident, session, "public-rental-housing", {}).status_code == 200
    code = send_code(provident, session)
    assert Resident.objects.get(name="杨帆").account_id is None  # nothing created before the confirmation
    assert confirm(provident, session, code=code).status_code == 200
    account = Resident.objects.get(name="杨帆").account
    assert account is not None and not account.has_usable_password()
    assert Case.objects.get(applicant=account).submitted_by.phone == "+8613700000003"


def test_a_uyghur_name_with_the_middle_dot_is_matched_as_written(provident, import_data, demo) -> None:
    record = personas.AYGUL.record()
    import_data({"residents": [record]})
    assert start(provident, record, name="阿依古丽买买提").status_code == 422  # the dot is part of the name
    session = opened(provident, record)
    assert session["resident"]["name"].startswith("阿")


def test_the_resident_confirms_with_the_face_after_seeing_the_summary(provident, zhang_jianguo, zhang) -> None:
    session = opened(provident, zhang)
    early = face(provident, session, "obama_2.jpg")
    assert early.status_code == 200 and early.json()["verified"] is True
    assert fill(provident, session).status_code == 200
    # a face check from before the application was filled does not confirm it
    refused = confirm(provident, session, method="counter_face")
    assert refused.status_code == 409 and error(refused) == "face_required"
    assert face(provident, session, "obama_3.jpg").json()["verified"] is True
    done = confirm(provident, session, method="counter_face")
    assert done.status_code == 200, done.content
    assert done.json()["confirmation"] == "counter_face" and done.json()["case"]["status"] == "approved"
    assert sms.outbox == []  # no SMS needed
    notices = zhang_jianguo.client.get("/api/v1/notifications").json()["results"]
    started = next(n for n in notices if n["kind"] == "assisted.started")
    assert "12345" in started["body"]  # if it is not them at the counter, they know whom to call


def test_an_unbound_app_account_needs_the_sms_code_not_the_face(provident, zhang) -> None:
    """张建国 signed up but never bound his real name: his face proves the person, not that the account is his."""
    session = opened(provident, zhang)
    fill(provident, session)
    assert face(provident, session, "obama_2.jpg").json()["verified"] is True
    response = confirm(provident, session, method="counter_face")
    assert response.status_code == 409 and error(response) == "sms_code_required"
    assert not Case.objects.exists() and Resident.objects.get(name="张建国").account_id is None
    assert confirm(provident, session, code=send_code(provident, session)).status_code == 200


def test_a_face_that_does_not_match_is_counted_and_then_refused(provident, zhang) -> None:
    session = opened(provident, zhang)
    for left in (2, 1, 0):
        wrong = face(provident, session, "biden_1.jpg")
        assert wrong.status_code == 200 and wrong.json() | {"session": None} == {
            "verified": False,
            "attempts_left": left,
            "session": None,
        }
    spent = face(provident, session, "obama_2.jpg")
    assert spent.status_code == 429 and error(spent) == "too_many_attempts"
    kinds = list(AssistedEvent.objects.filter(session_id=session["id"]).values_list("kind", flat=True))
    assert kinds.count("face_failed") == 3 and "face_checked" not in kinds


def test_a_photo_without_a_face_is_422_and_not_counted(provident, zhang) -> None:
    session = opened(provident, zhang)
    with open(FACES / "edge_two_people.jpg", "rb") as image:
        response = provident.post(f"{BASE}/{session['id']}/face", {"image": image}, format="multipart")
    assert response.status_code == 422 and error(response) == "multiple_faces"
    assert AssistedSession.objects.get(pk=session["id"]).face_failures == 0


# -- who may ---------------------------------------------------------------------------------------------------------
def test_a_resident_may_not_start_a_session(zhang_jianguo, zhang) -> None:
    response = start(zhang_jianguo.client, zhang)
    assert response.status_code == 403 and error(response) == "permission_denied"
    assert not AssistedSession.objects.exists()


def test_a_supervisor_may_not_start_a_session(supervisor, zhang) -> None:
    response = start(supervisor, zhang)
    assert response.status_code == 403 and error(response) == "permission_denied"


def test_a_clerk_without_the_permission_may_not_start_or_use_a_session(provident, zhang) -> None:
    session = opened(provident, zhang)
    clerk_user = User.objects.get(phone="+8613700000003")
    clerk_user.groups.remove(Group.objects.get(name=CLERKS))
    clerk_user.user_permissions.add(*Permission.objects.filter(content_type__app_label="cases"))
    response = start(provident, zhang)
    assert response.status_code == 403 and error(response) == "permission_denied"
    assert provident.get(f"{BASE}/{session['id']}").status_code == 403
    assert AssistedSession.objects.count() == 1


def test_the_permission_is_granted_to_the_counter_clerks_group() -> None:
    group = Group.objects.get(name=CLERKS)
    assert group.permissions.filter(content_type__app_label="assisted", codename="start_assisted_session").exists()


def test_another_clerks_session_is_not_found(provident, clerk, zhang) -> None:
    session = opened(provident, zhang)
    other = clerk("housing")
    assert other.get(f"{BASE}/{session['id']}").status_code == 404
    for action, body in (("application", {"service": WITHDRAWAL, "form": RENT, "consent": True}),
                         ("send-code", {}), ("confirm", {"method": "sms_code", "code": "000000"}),
                         ("cancel", {})):  # fmt: skip
        response = other.post(f"{BASE}/{session['id']}/{action}", body, format="json")
        assert response.status_code == 404, (action, response.content)
    assert other.get(BASE).json()["count"] == 0
    assert AssistedSession.objects.get(pk=session["id"]).status == "open"


# -- the identity check ----------------------------------------------------------------------------------------------
def test_a_name_that_does_not_match_the_id_number_opens_nothing(provident, zhang) -> None:
    before = DataAccessLog.objects.count()
    response = start(provident, zhang, name="张建军")
    assert response.status_code == 422 and error(response) == "registry_mismatch"
    assert not AssistedSession.objects.exists() and DataAccessLog.objects.count() == before


def test_an_unknown_resident_gets_the_same_answer(provident, demo) -> None:
    unknown = {"id_number": id_number("410105", dt.date(1970, 1, 1), 999), "name": "张建国"}
    response = start(provident, unknown)
    assert response.status_code == 422 and error(response) == "registry_mismatch"
    assert not AssistedSession.objects.exists()


def test_a_mistyped_id_number_fails_its_checksum(provident, zhang) -> None:
    number = zhang["id_number"]
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    response = start(provident, zhang, id_number=wrong)
    assert response.status_code == 400 and error(response) == "invalid_id_number"


def test_the_id_card_must_be_confirmed_before_the_registry_is_read(provident, zhang) -> None:
    before = DataAccessLog.objects.count()
    for unchecked in (False, None, "yes"):
        response = start(provident, zhang, id_card_checked=unchecked)
        assert response.status_code == 400 and error(response) == "id_card_required", unchecked
    assert not AssistedSession.objects.exists() and DataAccessLog.objects.count() == before


def test_a_clerk_may_not_file_for_themselves(import_data, demo) -> None:
    """A clerk who is also a resident of the city (their account bound to their registry entry)."""
    record = personas.GAO_YUAN.record()
    import_data({"residents": [record]})
    gao = User.objects.get(phone="+86" + personas.GAO_YUAN.phone)
    gao.role, gao.department = "clerk", User.objects.get(phone="+8613700000003").department
    gao.save()
    gao.groups.add(Group.objects.get(name=CLERKS))
    client = personas.GAO_YUAN.login()
    client.post("/api/v1/me/real-name", {"name": record["name"], "id_number": record["id_number"]}, format="json")
    response = start(client, record)
    assert response.status_code == 403 and error(response) == "permission_denied"


# -- the application -------------------------------------------------------------------------------------------------
def test_an_application_failing_validation_leaves_the_session_as_it_was(provident, zhang) -> None:
    session = opened(provident, zhang)
    for form, field in (({"reason": "rent"}, "form"), ({"reason": "holiday", "amount": "10"}, "reason"),
                        ({"reason": "rent", "amount": "0"}, "amount"), ("rent", "form")):  # fmt: skip
        response = fill(provident, session, form=form)
        assert response.status_code == 400 and error(response) == "validation_error", form
        assert field in response.json()["error"]["fields"], response.json()
    stored = AssistedSession.objects.get(pk=session["id"])
    assert stored.service_code == "" and stored.form_sealed == "" and stored.form_filled_at is None
    assert not AssistedEvent.objects.filter(session=stored, kind="form_filled").exists()


def test_an_unknown_service_is_404(provident, zhang) -> None:
    session = opened(provident, zhang)
    response = fill(provident, session, "no-such-service", {})
    assert response.status_code == 404 and error(response) == "unknown_service"
    assert AssistedSession.objects.get(pk=session["id"]).service_code == ""


def test_the_residents_consent_is_required(provident, zhang) -> None:
    session = opened(provident, zhang)
    response = fill(provident, session, consent=False)
    assert response.status_code == 400 and error(response) == "consent_required"


def test_a_childs_id_number_is_kept_sealed_and_shown_masked(clerk, zhang) -> None:
    education = clerk("education")
    session = opened(education, zhang)
    child = personas.ZHANG_ZIHAN.record()["id_number"]
    response = fill(education, session, "primary-school-enrolment", {"child_id_number": child})
    assert response.status_code == 200, response.content
    assert response.json()["application"]["form"]["child_id_number"] != child
    stored = AssistedSession.objects.get(pk=session["id"])
    assert child not in stored.form_sealed
    done = confirm(education, session, code=send_code(education, session))
    assert done.status_code == 200, done.content
    assert Case.objects.get(pk=done.json()["case"]["id"]).status in {"approved", "in_review"}


# -- the code --------------------------------------------------------------------------------------------------------
def test_no_code_before_the_application(provident, zhang) -> None:
    session = opened(provident, zhang)
    response = provident.post(f"{BASE}/{session['id']}/send-code")
    assert response.status_code == 409 and error(response) == "application_required"
    assert sms.outbox == []
    refused = confirm(provident, session, code="123456")
    assert refused.status_code == 409 and error(refused) == "application_required"


def test_confirming_before_a_code_was_sent(provident, zhang) -> None:
    session = opened(provident, zhang)
    fill(provident, session)
    response = confirm(provident, session, code="123456")
    assert response.status_code == 409 and error(response) == "code_not_sent"


def test_a_resident_without_a_registry_phone_confirms_at_the_counter_camera(provident, demo) -> None:
    """高秀英, born 1956, registry only: no phone."""
    session = opened(provident, personas.GAO_XIUYING.record())
    fill(provident, session, "public-rental-housing", {})
    response = provident.post(f"{BASE}/{session['id']}/send-code")
    assert response.status_code == 409 and error(response) == "no_registry_phone"


def test_wrong_codes_are_counted_and_then_the_code_is_void(provident, zhang, settings) -> None:
    settings.ASSISTED_CODE_RESEND_SECONDS = 0
    session = opened(provident, zhang)
    fill(provident, session)
    code = send_code(provident, session)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1, 0):
        response = confirm(provident, session, code=wrong)
        assert response.status_code == 400 and error(response) == "wrong_code"
        assert response.json()["error"]["attempts_left"] == left
    spent = confirm(provident, session, code=code)  # even the right one: the code is void
    assert spent.status_code == 429 and error(spent) == "too_many_attempts"
    assert not Case.objects.exists()
    assert AssistedEvent.objects.filter(session_id=session["id"], kind="code_failed").count() == 5
    fresh = send_code(provident, session)
    assert confirm(provident, session, code=f" {fresh[:3]} {fresh[3:]} ").status_code == 200  # spaces as typed


def test_a_code_may_not_be_resent_at_once_nor_without_end(provident, zhang, settings) -> None:
    session = opened(provident, zhang)
    fill(provident, session)
    send_code(provident, session)
    again = provident.post(f"{BASE}/{session['id']}/send-code")
    assert again.status_code == 429 and error(again) == "code_recently_sent" and int(again["Retry-After"]) > 0
    settings.ASSISTED_CODE_RESEND_SECONDS = 0
    send_code(provident, session)
    send_code(provident, session)
    spent = provident.post(f"{BASE}/{session['id']}/send-code")
    assert spent.status_code == 429 and error(spent) == "too_many_codes"
    assert len(sms.outbox) == 3


def test_an_expired_code_is_refused(provident, zhang) -> None:
    session = opened(provident, zhang)
    fill(provident, session)
    code = send_code(provident, session)
    from django.utils import timezone

    AssistedSession.objects.filter(pk=session["id"]).update(code_expires_at=timezone.now())
    response = confirm(provident, session, code=code)
    assert response.status_code == 410 and error(response) == "code_expired"
    assert not Case.objects.exists()


def test_a_code_sent_for_an_earlier_form_does_not_confirm_a_changed_one(provident, zhang) -> None:
    session = opened(provident, zhang)
    fill(provident, session)
    code = send_code(provident, session)
    fill(provident, session, form={"reason": "rent", "amount": "3000.00"})
    response = confirm(provident, session, code=code)
    assert response.status_code == 409 and error(response) == "code_not_sent"


def test_an_unknown_method_is_400(provident, zhang) -> None:
    session = opened(provident, zhang)
    fill(provident, session)
    response = confirm(provident, session, method="telepathy")
    assert response.status_code == 400 and error(response) == "validation_error"


# -- the session's end -----------------------------------------------------------------------------------------------
def test_confirming_twice_submits_once(provident, zhang) -> None:
    session = opened(provident, zhang)
    fill(provident, session)
    code = send_code(provident, session)
    assert confirm(provident, session, code=code).status_code == 200
    again = confirm(provident, session, code=code)
    assert again.status_code == 409 and error(again) == "session_closed"
    assert Case.objects.count() == 1
    assert AssistedEvent.objects.filter(session_id=session["id"], kind="confirmed").count() == 1


def test_an_expired_session_submits_nothing(provident, zhang_jianguo, zhang) -> None:
    from django.utils import timezone

    session = opened(provident, zhang)
    fill(provident, session)
    code = send_code(provident, session)
    AssistedSession.objects.filter(pk=session["id"]).update(expires_at=timezone.now())
    response = confirm(provident, session, code=code)
    assert response.status_code == 410 and error(response) == "session_expired"
    assert not Case.objects.exists()
    stored = AssistedSession.objects.get(pk=session["id"])
    assert stored.status == "expired" and stored.form_sealed == "" and stored.code_hash == ""
    assert AssistedEvent.objects.filter(session=stored, kind="expired").count() == 1
    shown = provident.get(f"{BASE}/{session['id']}").json()
    assert shown["status"] == "expired" and shown["application"] is None
    assert fill(provident, session).status_code == 410
    applicant = User.objects.get(phone="+8613800000001")
    assert Notification.objects.filter(user=applicant, kind="assisted.expired").exists()


def test_the_session_lasts_the_configured_minutes(provident, zhang, settings) -> None:
    settings.ASSISTED_SESSION_MINUTES = 5
    session = AssistedSession.objects.get(pk=opened(provident, zhang)["id"])
    assert 299 <= (session.expires_at - session.started_at).total_seconds() <= 301


def test_a_cancelled_session_submits_nothing_and_stays_closed(provident, zhang) -> None:
    session = opened(provident, zhang)
    fill(provident, session)
    code = send_code(provident, session)
    cancelled = provident.post(f"{BASE}/{session['id']}/cancel", {"reason": "居民改天再办"}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["events"][-1] | {"at": None} == {
        "at": None,
        "kind": "cancelled",
        "label": "取消",
        "actor": cancelled.json()["events"][0]["actor"],
        "note": "居民改天再办",
    }
    response = confirm(provident, session, code=code)
    assert response.status_code == 409 and error(response) == "session_closed"
    assert provident.post(f"{BASE}/{session['id']}/cancel").status_code == 409
    assert not Case.objects.exists()


# -- the audit trail -------------------------------------------------------------------------------------------------
def test_audit_events_are_never_changed_or_deleted(provident, zhang) -> None:
    session = opened(provident, zhang)
    event = AssistedEvent.objects.filter(session_id=session["id"]).first()
    event.note = "改过了"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    assert AssistedEvent.objects.get(pk=event.pk).note == ""


def test_the_clerks_list_shows_their_own_sessions(provident, zhang) -> None:
    session = opened(provident, zhang)
    listed = provident.get(BASE)
    assert listed.status_code == 200 and [s["id"] for s in listed.json()["results"]] == [session["id"]]


def test_refusals_speak_the_clerks_language(provident, zhang) -> None:
    payload = {"id_number": zhang["id_number"], "name": zhang["name"], "id_card_checked": False}
    english = provident.post(BASE, payload, format="json", HTTP_ACCEPT_LANGUAGE="en").json()["error"]
    assert english["message"] == "Check the resident's original ID card first and tick the box."
    chinese = provident.post(BASE, payload, format="json").json()["error"]
    assert chinese["message"] == "请先查验居民的身份证原件并勾选确认。"


def test_the_face_endpoint_takes_exactly_one_image(provident, zhang) -> None:
    session = opened(provident, zhang)
    none = provident.post(f"{BASE}/{session['id']}/face", {}, format="multipart")
    assert none.status_code == 400 and error(none) == "validation_error"
    with open(PHOTOS / "obama_2.jpg", "rb") as one, open(PHOTOS / "obama_3.jpg", "rb") as two:
        both = provident.post(f"{BASE}/{session['id']}/face", {"image": [one, two]}, format="multipart")
    assert both.status_code == 400 and error(both) == "validation_error"
    assert not AssistedEvent.objects.filter(session_id=session["id"], kind__startswith="face").exists()


def test_the_beat_task_expires_sessions_nobody_opens_again(provident, zhang, settings) -> None:
    from django.utils import timezone

    from backend.assisted.tasks import expire_sessions

    entries = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].endswith("assisted.tasks.expire_sessions")
    ]
    assert entries and entries[0]["schedule"] == 300.0
    session = opened(provident, zhang)
    fill(provident, session)
    assert expire_sessions() == 0
    AssistedSession.objects.filter(pk=session["id"]).update(expires_at=timezone.now())
    assert expire_sessions() == 1 and expire_sessions() == 0
    stored = AssistedSession.objects.get(pk=session["id"])
    assert stored.status == "expired" and stored.form_sealed == ""
