"""The clerk workflow and the resident's answer: transitions, transfer, dispute/reopen, confirm, rating, scoping."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from backend.accounts.models import User
from backend.cityevents.models import EventReport
from backend.notifications.models import Notification

from .conftest import ERQI, JINSHUI, ZHENGDONG, act, created, make_staff, to_status

pytestmark = pytest.mark.django_db


def test_full_workflow_confirm_and_rate_once(categories, resident_client, city_clerk) -> None:
    event = created(resident_client)
    body = to_status(city_clerk, event["id"], "dispatch", "start")
    assert body["status"] == "in_progress" and body["responded_at"]
    body = act(city_clerk, event["id"], "resolve", reason="已更换灯泡").json()
    assert body["status"] == "resolved"

    # Rating is for closed reports only.
    early = resident_client.post(f"/api/v1/events/{event['id']}/rating", {"score": 4}, format="json")
    assert early.status_code == 409 and early.json()["error"]["code"] == "not_rateable"

    confirmed = resident_client.post(f"/api/v1/events/{event['id']}/confirm")
    assert confirmed.status_code == 200
    body = confirmed.json()
    assert body["status"] == "closed" and body["closed_at"]
    assert [e["action"] for e in body["timeline"]] == [
        "created", "routed", "dispatch", "start", "resolve", "confirm",
    ]  # fmt: skip
    resolve_entry = body["timeline"][4]
    assert resolve_entry["note"] == "已更换灯泡" and resolve_entry["actor"] == "城市管理局"
    assert body["timeline"][5]["actor"] == "本人"

    bad = resident_client.post(f"/api/v1/events/{event['id']}/rating", {"score": 6}, format="json")
    assert bad.status_code == 400
    rated = resident_client.post(f"/api/v1/events/{event['id']}/rating", {"score": 5, "comment": "很快"}, format="json")
    assert rated.status_code == 200 and rated.json()["rating"]["score"] == 5
    again = resident_client.post(f"/api/v1/events/{event['id']}/rating", {"score": 1}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_rated"
    assert EventReport.objects.get(pk=event["id"]).rating == 5

    kinds = list(Notification.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["event.received", "event.dispatch", "event.start", "event.resolve", "event.confirm"]


def test_dispute_reopens_with_a_fresh_resolution_period(categories, resident_client, city_clerk) -> None:
    event = created(resident_client)
    to_status(city_clerk, event["id"], "dispatch", "start", "resolve")
    EventReport.objects.filter(pk=event["id"]).update(resolution_due_at=timezone.now() - dt.timedelta(hours=1))

    no_reason = resident_client.post(f"/api/v1/events/{event['id']}/dispute", {}, format="json")
    assert no_reason.status_code == 400 and no_reason.json()["error"]["code"] == "reason_required"
    assert EventReport.objects.get(pk=event["id"]).status == "resolved"

    response = resident_client.post(f"/api/v1/events/{event['id']}/dispute", {"reason": "灯还是不亮"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "in_progress" and body["resolved_at"] is None
    assert dt.datetime.fromisoformat(body["resolution_due_at"]) > timezone.now() + dt.timedelta(hours=71)
    assert body["timeline"][-1]["action"] == "dispute" and body["timeline"][-1]["note"] == "灯还是不亮"
    assert Notification.objects.filter(kind="event.dispute").exists()

    # The department works it again; the resident can confirm this time.
    to_status(city_clerk, event["id"], "resolve")
    assert resident_client.post(f"/api/v1/events/{event['id']}/confirm").json()["status"] == "closed"


@pytest.mark.parametrize(
    ("steps", "action"),
    [
        ([], "start"),
        ([], "resolve"),
        (["dispatch"], "dispatch"),
        (["dispatch"], "resolve"),
        (["dispatch", "start", "resolve"], "start"),
        (["dispatch", "start", "resolve"], "transfer"),
        (["dispatch", "start", "resolve", "close"], "close"),
        (["dispatch", "start", "resolve", "close"], "dispatch"),
    ],
)
def test_invalid_transitions_are_409(categories, resident_client, city_clerk, steps, action) -> None:
    event = created(resident_client)
    body = to_status(city_clerk, event["id"], *steps) if steps else event
    response = act(city_clerk, event["id"], action, reason="x", department="public_security")
    assert response.status_code == 409, response.content
    assert response.json()["error"]["code"] == "invalid_transition"
    assert EventReport.objects.get(pk=event["id"]).status == body["status"]


def test_unknown_action_is_400_and_close_without_work_needs_a_reason(categories, resident_client, city_clerk) -> None:
    event = created(resident_client)
    response = act(city_clerk, event["id"], "explode")
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_action"
    response = act(city_clerk, event["id"], "close")
    assert response.status_code == 400 and response.json()["error"]["code"] == "reason_required"
    response = act(city_clerk, event["id"], "close", reason="重复报告，现场已核实无问题")
    assert response.status_code == 200 and response.json()["status"] == "closed"


def test_transfer_to_another_department(categories, resident_client, city_clerk, police_clerk) -> None:
    event = created(resident_client, "street-vending", JINSHUI)
    to_status(city_clerk, event["id"], "dispatch")

    missing_reason = act(city_clerk, event["id"], "transfer", department="public_security")
    assert missing_reason.status_code == 400 and missing_reason.json()["error"]["code"] == "reason_required"
    same = act(city_clerk, event["id"], "transfer", department="city_management", reason="x")
    assert same.status_code == 400 and same.json()["error"]["code"] == "same_department"
    unknown = act(city_clerk, event["id"], "transfer", department="space_agency", reason="x")
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "unknown_department"
    assert EventReport.objects.get(pk=event["id"]).department.code == "city_management"

    response = act(city_clerk, event["id"], "transfer", department="public_security", reason="涉及交通秩序")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "received" and body["department"]["code"] == "public_security"
    assert body["timeline"][-1]["action"] == "transfer" and "涉及交通秩序" in body["timeline"][-1]["note"]

    # The old department no longer sees it; the new one does and works it.
    assert city_clerk.get(f"/api/v1/staff/events/{event['id']}").status_code == 404
    assert act(city_clerk, event["id"], "dispatch").status_code == 404
    assert [e["id"] for e in police_clerk.get("/api/v1/staff/events").json()["results"]] == [event["id"]]
    assert act(police_clerk, event["id"], "dispatch").json()["status"] == "dispatched"
    assert resident_client.get(f"/api/v1/events/{event['id']}").json()["department"]["code"] == "public_security"
    assert Notification.objects.filter(kind="event.transfer").count() == 1


def test_staff_scoping(categories, resident_client, city_clerk, police_clerk, planning_clerk, supervisor) -> None:
    light = created(resident_client, "street-light", JINSHUI)
    parking = created(resident_client, "illegal-parking", ERQI)
    construction = created(resident_client, "illegal-construction", ZHENGDONG)

    def ids(client, query: str = "") -> set[int]:
        response = client.get(f"/api/v1/staff/events{query}")
        assert response.status_code == 200, response.content
        return {e["id"] for e in response.json()["results"]}

    assert ids(city_clerk) == {light["id"]}
    assert ids(police_clerk) == {parking["id"]}
    assert ids(planning_clerk) == {construction["id"]}
    assert ids(supervisor) == {light["id"], parking["id"], construction["id"]}

    assert city_clerk.get(f"/api/v1/staff/events/{parking['id']}").status_code == 404
    response = act(city_clerk, parking["id"], "dispatch")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert EventReport.objects.get(pk=parking["id"]).status == "received"

    for response in (
        resident_client.get("/api/v1/staff/events"),
        resident_client.get(f"/api/v1/staff/events/{light['id']}"),
        act(resident_client, light["id"], "dispatch"),
    ):
        assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"

    # Reporter identity is masked for staff too.
    detail = city_clerk.get(f"/api/v1/staff/events/{light['id']}").json()
    assert detail["reporter"]["phone"] == "166****0901"
    assert detail["reporter"]["name"] == "高*"

    to_status(city_clerk, light["id"], "dispatch")
    assert ids(city_clerk, "?status=dispatched") == {light["id"]}
    assert ids(city_clerk, "?status=received") == set()
    assert city_clerk.get("/api/v1/staff/events?status=bogus").status_code == 400


def test_staff_list_puts_overdue_first(categories, resident_client, city_clerk) -> None:
    a = created(resident_client, "street-light", JINSHUI)
    b = created(resident_client, "road-damage", ERQI)
    EventReport.objects.filter(pk=b["id"]).update(resolution_due_at=timezone.now() - dt.timedelta(minutes=5))
    results = city_clerk.get("/api/v1/staff/events").json()["results"]
    assert [r["id"] for r in results] == [b["id"], a["id"]]
    assert results[0]["overdue"] is True and results[1]["overdue"] is False
    overdue = city_clerk.get("/api/v1/staff/events?overdue=true").json()["results"]
    assert [r["id"] for r in overdue] == [b["id"]]


def test_admin_shows_own_department_and_actions_use_the_workflow(categories, resident_client) -> None:
    light = created(resident_client, "street-light", JINSHUI)
    parking = created(resident_client, "illegal-parking", ERQI)
    clerk = make_staff("13700000204", department="city_management")
    browser = Client()
    browser.force_login(clerk)

    page = browser.get("/admin/cityevents/eventreport/")
    assert page.status_code == 200
    listed = {obj.pk for obj in page.context["cl"].result_list}
    assert listed == {light["id"]}
    assert browser.get(f"/admin/cityevents/eventreport/{parking['id']}/change/").status_code in (302, 404)

    response = browser.post(
        "/admin/cityevents/eventreport/",
        {"action": "dispatch", "_selected_action": [light["id"], parking["id"]], "reason": "", "department": ""},
    )
    assert response.status_code == 302
    assert EventReport.objects.get(pk=light["id"]).status == "dispatched"
    assert EventReport.objects.get(pk=parking["id"]).status == "received"  # not in the clerk's queryset
    entry = EventReport.objects.get(pk=light["id"]).actions.last()
    assert entry.kind == "dispatch" and entry.actor == User.objects.get(pk=clerk.pk)

    browser.post(
        "/admin/cityevents/eventreport/",
        {
            "action": "transfer",
            "_selected_action": [light["id"]],
            "reason": "交警处理",
            "department": "public_security",
        },
    )
    moved = EventReport.objects.get(pk=light["id"])
    assert moved.department.code == "public_security" and moved.status == "received"


def test_event_notices_read_in_the_readers_language(categories, resident_client, city_clerk) -> None:
    event = created(resident_client)
    to_status(city_clerk, event["id"], "dispatch")
    zh = resident_client.get("/api/v1/notifications").json()["results"]
    en = resident_client.get("/api/v1/notifications", HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    assert [n["kind"] for n in zh] == [n["kind"] for n in en] and len(en) >= 2
    assert zh[-1]["title"] == "您的城市事件报告已受理"
    for notice in en:
        assert not re.search(r"[\u4e00-\u9fff]", notice["title"] + notice["body"]), notice


@pytest.mark.parametrize("score", ["1e400", "-1e400", "1e30", "100000000000000000000000000", '"1e3"', "5.0", "true"])
def test_a_rating_that_is_no_small_integer_is_a_validation_error(categories, resident_client, score) -> None:
    """JSON's 1e400 is infinity, and ``int(inf)`` raises OverflowError: it was a 500 (found by schemathesis)."""
    event = created(resident_client)
    response = resident_client.post(
        f"/api/v1/events/{event['id']}/rating", f'{{"score": {score}}}', content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "validation_error" and "score" in response.json()["error"]["fields"]
    assert EventReport.objects.get(pk=event["id"]).rating is None


def test_supervisor_sees_every_report_but_acts_on_none(categories, resident_client, city_clerk, supervisor) -> None:
    """Supervisors watch; only the department's clerk works a report (the same rule as for cases)."""
    light = created(resident_client, "street-light", JINSHUI)
    assert supervisor.get(f"/api/v1/staff/events/{light['id']}").status_code == 200
    for action in ("dispatch", "reject", "transfer"):
        response = act(supervisor, light["id"], action)
        assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
    assert EventReport.objects.get(pk=light["id"]).status == "received"
    assert act(city_clerk, light["id"], "dispatch").json()["status"] == "dispatched"
