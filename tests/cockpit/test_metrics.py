"""Each cockpit figure against values worked out by hand on the small data set of conftest.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backend.cases.models import Case, FollowUp, Rating
from backend.cockpit import metrics
from backend.registries.models import DataAccessLog

from .conftest import EVENTS_AVAILABLE, FIXED_NOW, PFW, PRH, PSE, D, H, access, build, make_resident, make_user, rate

pytestmark = pytest.mark.django_db

needs_events = pytest.mark.skipif(not EVENTS_AVAILABLE, reason="backend.cityevents.models is not importable")


def test_cases_by_service_and_status(dataset) -> None:
    rows = {r["service"]: r for r in metrics.cases_by_service_status(Case.objects.all())}
    assert set(rows) == {PRH, PSE, PFW}
    zero = dict.fromkeys(metrics.CASE_STATUSES, 0)
    assert rows[PRH]["by_status"] == {**zero, "approved": 1, "rejected": 1, "in_review": 3, "returned": 1}
    assert rows[PSE]["by_status"] == {**zero, "approved": 2, "revoked": 1, "in_review": 1}
    assert rows[PFW]["by_status"] == {**zero, "approved": 1, "withdrawn": 1, "pending_face": 1}
    assert [r["total"] for r in metrics.cases_by_service_status(Case.objects.all())] == [6, 4, 3]  # largest first
    assert rows[PRH]["name_zh"] == "公租房申领" and rows[PRH]["name_en"] == "Public rental housing"


def test_case_totals_for_the_tiles(dataset) -> None:
    totals = metrics.case_totals(Case.objects.all(), timezone.localdate(FIXED_NOW))
    assert totals["total"] == 13
    assert totals["submitted_on_day"] == 2  # c5, c13
    assert totals["approved_on_day"] == 1  # c5
    assert totals["decided"] == 6  # c1 c2 c3 c4 c5 c12
    assert (totals["approved"], totals["rejected"], totals["revoked"], totals["withdrawn"]) == (4, 1, 1, 1)
    assert (totals["in_review"], totals["returned"], totals["pending_face"]) == (4, 1, 1)


def test_median_time_to_decision_even_count(dataset) -> None:
    # 0.01, 2, 4, 9, 10, 300 h → (4 + 9) / 2
    result = metrics.median_decision_hours(Case.objects.all())
    assert result == {"median_hours": pytest.approx(6.5), "decided": 6}


def test_median_time_to_decision_odd_count(dataset) -> None:
    # review cases only: 2, 4, 9, 10, 300 h → 9
    result = metrics.median_decision_hours(Case.objects.filter(mode="review"))
    assert result == {"median_hours": pytest.approx(9.0), "decided": 5}


def test_median_of_one_two_and_none(dataset) -> None:
    c = dataset.cases
    assert metrics.median_decision_hours(Case.objects.filter(pk=c["c5"].pk))["median_hours"] == pytest.approx(0.01)
    two = Case.objects.filter(pk__in=[c["c1"].pk, c["c12"].pk])
    assert metrics.median_decision_hours(two)["median_hours"] == pytest.approx(151.0)  # (2 + 300) / 2
    assert metrics.median_decision_hours(Case.objects.filter(status="in_review")) == {
        "median_hours": None,
        "decided": 0,
    }


def test_median_ignores_the_order_of_insertion(db) -> None:
    """The median comes from the durations' order, not the ids' (the longest case inserted first)."""
    user = make_user("median")
    resident = make_resident(user)
    from .conftest import make_case

    for hours in (50, 1, 7, 3):
        make_case(user, resident, PRH, "housing", "review", "approved", FIXED_NOW - 10 * D, hours * H)
    assert metrics.median_decision_hours(Case.objects.all())["median_hours"] == pytest.approx(5.0)  # (3 + 7) / 2


def test_overdue_by_department_excludes_paused_and_final_cases(dataset) -> None:
    rows = metrics.overdue_by_department(Case.objects.all(), FIXED_NOW)
    by_dept = {r["department"]: (r["in_review"], r["overdue"]) for r in rows}
    # housing: c7 overdue, c8 not yet due, c9 paused (in review but not counted); c10 returned; c1/c2 final.
    # education: c11 overdue; c12 final although past its due date.
    assert by_dept == {"housing": (3, 1), "education": (1, 1)}
    assert [r["department"] for r in rows] == ["housing", "education"]  # equal overdue: more in review first


def test_overdue_moves_with_the_clock(dataset) -> None:
    later = FIXED_NOW + 4 * D  # c8 (due N+3d) is now overdue too
    by_dept = {r["department"]: r["overdue"] for r in metrics.overdue_by_department(Case.objects.all(), later)}
    assert by_dept == {"housing": 2, "education": 1}


def test_weekly_satisfaction_trend(dataset) -> None:
    trend = metrics.satisfaction_trend(Rating.objects.all(), timezone.localdate(FIXED_NOW))
    weeks = trend["weeks"]
    assert len(weeks) == 8
    assert weeks[0]["week_start"] == "2026-01-26" and weeks[-1]["week_start"] == "2026-03-16"
    assert weeks[-1]["week_end"] == "2026-03-22"
    by_week = {w["week_start"]: (w["count"], w["average"], w["bad"]) for w in weeks if w["count"]}
    assert by_week == {
        "2026-03-16": (2, pytest.approx(3.5), 1),  # c1 5 (Tue), c2 2 (Mon)
        "2026-03-09": (2, pytest.approx(2.5), 1),  # c3 4 (Sun 15th), c4 1 (Mon 9th)
        "2026-02-23": (1, pytest.approx(3.0), 0),  # c5 3 (Thu 26th)
    }
    empty = [w for w in weeks if not w["count"]]
    assert len(empty) == 5 and all(w["average"] is None for w in empty)
    # c12's rating (60 days ago) is outside the window
    assert trend["count"] == 5
    assert trend["average"] == pytest.approx(3.0)  # (5 + 2 + 4 + 1 + 3) / 5
    assert trend["bad"] == 2
    assert trend["bad_share"] == pytest.approx(0.4)


def test_weeks_are_local_calendar_weeks(db) -> None:
    """Sunday 23:30 and Monday 00:30 in Shanghai are in different weeks (in UTC both are on Sunday)."""
    user = make_user("tz")
    resident = make_resident(user)
    from .conftest import make_case

    sunday_late = timezone.make_aware(dt.datetime(2026, 3, 15, 23, 30))
    monday_early = timezone.make_aware(dt.datetime(2026, 3, 16, 0, 30))
    for score, at in ((5, sunday_late), (1, monday_early)):
        case = make_case(user, resident, PRH, "housing", "review", "approved", at - 2 * D, H)
        rate(case, score, at)
    weeks = metrics.satisfaction_trend(Rating.objects.all(), dt.date(2026, 3, 18), weeks=2)["weeks"]
    assert [(w["week_start"], w["count"], w["average"]) for w in weeks] == [
        ("2026-03-09", 1, 5.0),
        ("2026-03-16", 1, 1.0),
    ]


def test_open_follow_ups(dataset) -> None:
    assert metrics.open_follow_ups(FollowUp.objects.all()) == 1  # c2 open, c4 closed


def test_data_access_per_department_per_day(dataset) -> None:
    result = metrics.data_access_by_department_day(DataAccessLog.objects.all(), timezone.localdate(FIXED_NOW))
    assert result["days"][0] == "2026-03-05" and result["days"][-1] == "2026-03-18" and len(result["days"]) == 14
    rows = {r["department"]: r for r in result["departments"]}
    assert [r["department"] for r in result["departments"]] == ["housing", "provident_fund", "education"]
    assert rows["housing"]["counts"] == [0] * 12 + [1, 3]
    assert rows["provident_fund"]["counts"] == [2] + [0] * 13  # the read 14 days ago is outside
    assert rows["education"]["counts"] == [0] * 11 + [1, 0, 0]
    assert (rows["housing"]["total"], rows["provident_fund"]["total"], rows["education"]["total"]) == (4, 2, 1)
    assert result["totals"] == [2] + [0] * 10 + [1, 1, 3]
    assert result["total"] == 7
    assert result["by_actor"] == {"system": 6, "clerk": 1}


def test_data_access_days_are_local_days(db) -> None:
    """A read at 00:10 in Shanghai counts for that day, although it is the previous day in UTC."""
    user = make_user("reader")
    resident = make_resident(user)
    access(resident, "tax", timezone.make_aware(dt.datetime(2026, 3, 18, 0, 10)))
    access(resident, "tax", timezone.make_aware(dt.datetime(2026, 3, 17, 23, 50)))
    result = metrics.data_access_by_department_day(DataAccessLog.objects.all(), dt.date(2026, 3, 18), days=2)
    assert result["departments"][0]["counts"] == [1, 1]


@needs_events
def test_events_by_category_and_district(dataset) -> None:
    from backend.cityevents.models import EventReport

    events = EventReport.objects.all()
    by_category = {r["category"]: (r["total"], r["open"]) for r in metrics.events_by_category(events)}
    assert by_category == {"t-garbage": (3, 2), "t-light": (2, 1)}  # e3 (a duplicate) is left out
    by_district = [(r["district"], r["total"], r["open"]) for r in metrics.events_by_district(events)]
    assert by_district == [("二七区", 2, 2), ("金水区", 2, 1), ("中原区", 1, 0)]
    assert metrics.event_totals(events, FIXED_NOW) == {"total": 5, "open": 3, "overdue": 1, "duplicates": 1}


@needs_events
def test_event_points_for_the_map(dataset) -> None:
    from backend.cityevents.models import EventReport

    points = metrics.event_points(EventReport.objects.all())
    assert len(points) == 5
    assert points[0] == {
        "lat": 34.725,
        "long": 113.64,
        "status": "dispatched",
        "category": "测试垃圾",
        "district": "二七区",
    }  # fmt: skip  (newest first: e6, 5 hours ago)
    assert {p["status"] for p in points} == {"received", "closed", "in_progress", "resolved", "dispatched"}
    assert len(metrics.event_points(EventReport.objects.all(), limit=2)) == 2


def test_collect_with_a_period(dataset) -> None:
    """From N-8d: c1 and c2 drop out; decided in the period c3 9 h, c4 10 h, c5 0.01 h → median 9 (odd)."""
    start = timezone.localdate(FIXED_NOW) - dt.timedelta(days=8)
    data = metrics.collect(FIXED_NOW, start=start)
    assert data["period"] == {"start": "2026-03-10", "end": "2026-03-18"}
    assert data["cases"]["totals"]["total"] == 10
    assert data["cases"]["median_decision"]["all"] == {"median_hours": pytest.approx(9.0), "decided": 3}
    # overdue is a snapshot of now, whatever the period
    assert data["cases"]["overdue"] == 2


def test_collect_everything(dataset) -> None:
    data = metrics.collect(FIXED_NOW)
    assert data["cases"]["totals"]["total"] == 13
    assert data["cases"]["median_decision"]["all"]["median_hours"] == pytest.approx(6.5)
    assert data["cases"]["median_decision"]["review"]["median_hours"] == pytest.approx(9.0)
    assert data["cases"]["overdue"] == 2
    assert data["satisfaction"]["average"] == pytest.approx(3.0)
    assert data["satisfaction"]["open_follow_ups"] == 1
    assert data["data_access"]["total"] == 7
    if EVENTS_AVAILABLE:
        assert data["events"]["totals"] == {"total": 5, "open": 3, "overdue": 1, "duplicates": 1}
        assert data["events"]["open_now"] == 3


def test_query_count_does_not_grow_with_the_data(db) -> None:
    build(FIXED_NOW)
    with CaptureQueriesContext(connection) as small:
        metrics.collect(FIXED_NOW)
    build(FIXED_NOW - 3 * D)  # a second, shifted copy: twice the rows
    with CaptureQueriesContext(connection) as large:
        data = metrics.collect(FIXED_NOW)
    assert data["cases"]["totals"]["total"] == 26
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(small.captured_queries) <= 20
