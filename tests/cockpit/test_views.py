"""The cockpit page and data.json through HTTP: who may see them, and that the figures arrive."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from django.test import Client
from django.utils import timezone

from backend.accounts.models import Role

from .conftest import EVENTS_AVAILABLE, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for():
    def make(role: str | None, **extra) -> Client:
        client = Client()
        if role is not None:
            dept = "housing" if role == Role.CLERK else None
            client.force_login(make_user(f"u_{role}_{len(extra)}", role, dept, **extra))
        return client

    return make


@pytest.mark.parametrize("path", ["/cockpit/", "/cockpit/data.json"])
def test_anonymous_users_are_sent_to_the_admin_login(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={path}"


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.CLERK])
@pytest.mark.parametrize("path", ["/cockpit/", "/cockpit/data.json"])
def test_residents_and_clerks_are_refused(client_for, role: str, path: str) -> None:
    response = client_for(role).get(path)
    assert response.status_code == 403
    if path.endswith(".json"):
        assert response.json()["error"]["code"] == "permission_denied"
    else:
        assert "仅督查人员" in response.content.decode()


def test_an_inactive_supervisor_is_refused(client_for) -> None:
    client = client_for(Role.SUPERVISOR)
    from backend.accounts.models import User

    User.objects.filter(role=Role.SUPERVISOR).update(is_active=False)
    assert client.get("/cockpit/").status_code == 302  # the session no longer authenticates: log in again


def test_a_superuser_may_look(client_for) -> None:
    client = client_for(Role.RESIDENT, is_superuser=True)
    assert client.get("/cockpit/").status_code == 200
    assert client.get("/cockpit/data.json").status_code == 200


def test_the_admin_login_leads_back_to_the_cockpit(db) -> None:
    make_user("boss", Role.SUPERVISOR)
    client = Client()
    response = client.post(
        "/admin/login/?next=/cockpit/", {"username": "boss", "password": "x-Test-Pass-2026", "next": "/cockpit/"}
    )
    assert response.status_code == 302 and response["Location"] == "/cockpit/"
    assert client.get("/cockpit/").status_code == 200


def test_supervisor_sees_the_page_with_charts_and_figures(client_for, live_dataset) -> None:
    client = client_for(Role.SUPERVISOR)
    started = time.perf_counter()
    response = client.get("/cockpit/")
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")  # never cached
    html = response.content.decode()
    assert elapsed < 1.0
    charts = html.count('<svg class="chart"')
    assert charts == (7 if EVENTS_AVAILABLE else 4)
    for label in (
        "数字驾驶舱",
        "办件量",
        "超期办件",
        "好差评趋势",
        "数据共享调用量",
        "公租房申领",
        "Public rental housing",
    ):
        assert label in html
    tiles = dict(re.findall(r'<div class="label">([^<]+)<small>.*?<div class="value">([^<]+)', html, re.S))
    assert tiles["今日受理"] == "2"
    assert tiles["办结通过"] == "4"
    assert tiles["办结用时中位数"] == "6.5"  # hours
    assert tiles["超期办件"] == "2"
    assert tiles["满意度"] == "3.00"
    if EVENTS_AVAILABLE:
        assert tiles["待处置事件"] == "3"
        assert "城市事件分布" in html and "测试垃圾" in html and "二七区" in html
    # the overdue table: housing 3 in review, 1 overdue
    assert '<td>住房保障局</td><td>3</td><td class="bad">1</td><td>33%</td>' in html


def test_data_json(client_for, live_dataset) -> None:
    response = client_for(Role.SUPERVISOR).get("/cockpit/data.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    cases = data["cases"]
    assert cases["totals"]["total"] == 13
    assert cases["median_decision"]["all"] == {"median_hours": pytest.approx(6.5), "decided": 6}
    assert cases["median_decision"]["review"] == {"median_hours": pytest.approx(9.0), "decided": 5}
    assert {r["department"]: r["overdue"] for r in cases["overdue_by_department"]} == {"housing": 1, "education": 1}
    assert cases["overdue"] == 2
    assert {r["service"]: r["total"] for r in cases["by_service"]} == {
        "public-rental-housing": 6,
        "primary-school-enrolment": 4,
        "provident-fund-withdrawal": 3,
    }
    sat = data["satisfaction"]
    assert (sat["count"], sat["average"], sat["bad"], sat["bad_share"]) == (5, 3.0, 2, 0.4)
    assert sat["open_follow_ups"] == 1
    assert len(sat["weeks"]) == 8 and sum(w["count"] for w in sat["weeks"]) == 5
    access = data["data_access"]
    assert access["total"] == 7 and len(access["days"]) == 14
    assert {r["department"]: r["total"] for r in access["departments"]} == {
        "housing": 4,
        "provident_fund": 2,
        "education": 1,
    }
    if EVENTS_AVAILABLE:
        events = data["events"]
        assert events["totals"] == {"total": 5, "open": 3, "overdue": 1, "duplicates": 1}
        assert {r["category"]: r["total"] for r in events["by_category"]} == {"t-garbage": 3, "t-light": 2}
        assert {r["district"]: r["total"] for r in events["by_district"]} == {"二七区": 2, "金水区": 2, "中原区": 1}
        assert len(events["points"]) == 5
    else:  # pragma: no cover
        assert data["events"] is None


def test_data_json_with_a_period(client_for, live_dataset) -> None:
    client = client_for(Role.SUPERVISOR)
    today = timezone.localdate(live_dataset.now)
    start = today - dt.timedelta(days=8)
    data = client.get(f"/cockpit/data.json?from={start}&to={today}").json()
    assert data["period"] == {"start": start.isoformat(), "end": today.isoformat()}
    assert data["cases"]["totals"]["total"] == 10  # c1, c2 and c12 were submitted earlier
    assert data["cases"]["median_decision"]["all"]["median_hours"] == pytest.approx(9.0)


@pytest.mark.parametrize("query", ["from=yesterday", "to=2026-13-01", "from=2026-03-10&to=2026-03-01"])
def test_a_bad_period(client_for, query: str) -> None:
    client = client_for(Role.SUPERVISOR)
    response = client.get(f"/cockpit/data.json?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_period"
    page = client.get(f"/cockpit/?{query}")
    assert page.status_code == 200 and "日期有误" in page.content.decode()


def test_the_page_works_on_an_empty_database(client_for) -> None:
    response = client_for(Role.SUPERVISOR).get("/cockpit/")
    assert response.status_code == 200
    assert "暂无数据" in response.content.decode()


def test_only_get(client_for) -> None:
    assert client_for(Role.SUPERVISOR).post("/cockpit/").status_code == 405
