"""帮办代办 in the Django admin, through the test client as a counter clerk clicks it: start (ID number, name, the
ticked ID-card box), pick a service, fill its form, send the code, enter it, see the case; refusals are messages
with nothing changed; the audit trail is read-only."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from backend.accounts import sms
from backend.assisted.models import AssistedEvent, AssistedSession
from backend.cases.models import Case
from backend.demo.city import DEMO_PASSWORD
from tests import personas
from tests.personas import PHOTOS

pytestmark = pytest.mark.django_db

ADMIN = "/admin/assisted/assistedsession/"
PROVIDENT_CLERK, HOUSING_CLERK = "13700000003", "13700000001"


def browser(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def page(response: Any) -> str:
    return response.content.decode()


def start(client: Client, record: dict[str, Any], **fields: Any) -> Any:
    data = {"id_number": record["id_number"], "name": record["name"], "id_card_checked": "on", **fields}
    return client.post(f"{ADMIN}add/", {k: v for k, v in data.items() if v is not None})


@pytest.fixture
def zhang(demo) -> dict[str, Any]:
    return personas.ZHANG_JIANGUO.record()


@pytest.fixture
def counter(demo) -> Client:
    return browser(PROVIDENT_CLERK)


def opened(counter: Client, zhang: dict[str, Any]) -> AssistedSession:
    response = start(counter, zhang)
    assert response.status_code == 302, page(response)[:3000]
    session = AssistedSession.objects.get()
    assert response["Location"] == f"{ADMIN}{session.pk}/change/"
    return session


def test_a_clerk_files_at_the_counter_from_start_to_case(counter, zhang) -> None:
    assert counter.get(ADMIN).status_code == 200
    form = counter.get(f"{ADMIN}add/")
    assert (
        form.status_code == 200
        and "已查验本人身份证原件" in page(form)
        and "I checked the original ID card" in page(form)
    )
    session = opened(counter, zhang)

    shown = counter.get(f"{ADMIN}{session.pk}/change/")
    assert shown.status_code == 200
    text = page(shown)
    assert "张*国" in text and "张建国" not in text and 'data-status="open"' in text
    assert "provident-fund-withdrawal" in text  # the service picker

    blank = counter.get(f"{ADMIN}{session.pk}/application/", {"service": "provident-fund-withdrawal"})
    assert blank.status_code == 200
    assert 'name="reason"' in page(blank) and 'name="amount"' in page(blank) and "租房 Rent" in page(blank)
    assert "公积金账户" in page(blank) or "核对账户状态" in page(blank)  # the consent items

    # the engine judges the form: a missing amount and no consent are refused with nothing stored
    bad = counter.post(
        f"{ADMIN}{session.pk}/application/", {"service": "provident-fund-withdrawal", "reason": "rent", "consent": "on"}
    )
    assert bad.status_code == 200 and "validation_error" in page(bad)
    no_consent = counter.post(
        f"{ADMIN}{session.pk}/application/",
        {"service": "provident-fund-withdrawal", "reason": "rent", "amount": "800.00"},
    )
    assert no_consent.status_code == 200 and "consent_required" in page(no_consent)
    assert AssistedSession.objects.get(pk=session.pk).form_filled_at is None

    saved = counter.post(
        f"{ADMIN}{session.pk}/application/",
        {"service": "provident-fund-withdrawal", "reason": "rent", "amount": "800.00", "consent": "on"},
    )
    assert saved.status_code == 302
    review = page(counter.get(f"{ADMIN}{session.pk}/change/"))
    assert "800.00" in review and "assisted_send_code" in review

    assert counter.post(f"{ADMIN}{session.pk}/send-code/").status_code == 302
    code = re.search(r"确认码 (\d{6})", sms.outbox[-1].text).group(1)
    wrong = counter.post(
        f"{ADMIN}{session.pk}/confirm/", {"method": "sms_code", "code": "000000" if code != "000000" else "111111"},
        follow=True,
    )  # fmt: skip
    assert "wrong_code" in page(wrong) and "剩余 4 次" in page(wrong)
    assert not Case.objects.exists()

    done = counter.post(f"{ADMIN}{session.pk}/confirm/", {"method": "sms_code", "code": code}, follow=True)
    case = Case.objects.get()
    text = page(done)
    assert case.reference_no in text and f"/admin/cases/case/{case.pk}/change/" in text  # the clerk's department
    assert case.status == "approved" and case.submitted_by.phone == "+86" + PROVIDENT_CLERK
    assert 'data-status="confirmed"' in text and "assisted_send_code" not in text  # nothing left to do
    for label in ("开始帮办", "核验身份证件", "填写申请", "发送确认码", "确认码错误", "居民确认并提交"):
        assert label in text, label


def test_start_refusals_are_messages_with_nothing_opened(counter, zhang) -> None:
    unticked = start(counter, zhang, id_card_checked=None)
    assert unticked.status_code == 200 and "id_card_required" in page(unticked)
    mismatch = start(counter, zhang, name="张建军")
    assert mismatch.status_code == 200 and "registry_mismatch" in page(mismatch)
    typo = start(counter, zhang, id_number=zhang["id_number"][:-1] + ("1" if zhang["id_number"][-1] != "1" else "2"))
    assert typo.status_code == 200 and "invalid_id_number" in page(typo)
    assert not AssistedSession.objects.exists()


def test_the_face_on_the_counter_camera_in_the_admin(counter, zhang) -> None:
    session = opened(counter, zhang)
    with open(PHOTOS / "obama_2.jpg", "rb") as image:
        response = counter.post(f"{ADMIN}{session.pk}/face/", {"image": image}, follow=True)
    assert "人脸比对通过" in page(response)
    with open(PHOTOS / "biden_1.jpg", "rb") as image:
        response = counter.post(f"{ADMIN}{session.pk}/face/", {"image": image}, follow=True)
    assert "人脸比对未通过" in page(response)
    assert AssistedSession.objects.get(pk=session.pk).face_failures == 1


def test_an_unknown_service_and_cancelling(counter, zhang) -> None:
    session = opened(counter, zhang)
    unknown = counter.get(f"{ADMIN}{session.pk}/application/", {"service": "nope"}, follow=True)
    assert "unknown_service" in page(unknown)
    cancelled = counter.post(f"{ADMIN}{session.pk}/cancel/", {"reason": "居民临时有事"}, follow=True)
    assert "未提交任何申请" in page(cancelled) and 'data-status="cancelled"' in page(cancelled)
    again = counter.post(f"{ADMIN}{session.pk}/send-code/", follow=True)
    assert "session_closed" in page(again)


def test_another_clerk_reads_but_does_not_act_and_other_departments_do_not_see(counter, zhang) -> None:
    session = opened(counter, zhang)
    housing = browser(HOUSING_CLERK)
    assert housing.get(f"{ADMIN}{session.pk}/change/").status_code == 404  # another department's session
    for action in ("send-code", "confirm", "cancel", "face"):
        assert housing.post(f"{ADMIN}{session.pk}/{action}/").status_code == 404, action
    assert housing.get(f"{ADMIN}{session.pk}/application/", {"service": "provident-fund-withdrawal"}).status_code == 404
    assert AssistedSession.objects.get(pk=session.pk).status == "open"


def test_a_supervisor_reads_the_trail_but_starts_nothing(counter, zhang) -> None:
    session = opened(counter, zhang)
    supervisor = browser("13700000009")
    shown = supervisor.get(f"{ADMIN}{session.pk}/change/")
    assert shown.status_code == 200 and "开始帮办" in page(shown) and "assisted_cancel" not in page(shown)
    assert supervisor.get(f"{ADMIN}add/").status_code == 403
    assert supervisor.post(f"{ADMIN}{session.pk}/cancel/").status_code == 403


def test_the_audit_trail_is_read_only_in_the_admin(counter, zhang) -> None:
    session = opened(counter, zhang)
    event = AssistedEvent.objects.filter(session=session).first()
    listing = counter.get("/admin/assisted/assistedevent/")
    assert listing.status_code == 200 and "核验身份证件" in page(listing)
    assert counter.get("/admin/assisted/assistedevent/add/").status_code == 403
    assert counter.post(f"/admin/assisted/assistedevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    changed = counter.post(f"/admin/assisted/assistedevent/{event.pk}/change/", {"note": "改"})
    assert changed.status_code == 403
    assert AssistedEvent.objects.get(pk=event.pk).note == event.note


def test_a_resident_is_kept_out_of_the_admin(zhang_jianguo) -> None:
    client = Client()
    client.login(username="13800000001", password=DEMO_PASSWORD)
    response = client.get(f"{ADMIN}add/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
