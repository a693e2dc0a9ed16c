"""A small, hand-made data set for the cockpit, built with the ORM relative to a given ``now``.

Every figure the tests assert is worked out by hand in the comments below (and in docs/COCKPIT.md's terms).

Cases (service, department, mode → status; submitted; decided after; due):

====  ========================  ==============  ============  =================================================
case  service                   department      status        times
====  ========================  ==============  ============  =================================================
c1    public-rental-housing     housing         approved      N-10d, decided after 2 h
c2    public-rental-housing     housing         rejected      N-9d, decided after 4 h
c3    primary-school-enrolment  education       approved      N-8d, decided after 9 h
c4    primary-school-enrolment  education       revoked       N-7d, decided after 10 h
c5    provident-fund-withdrawal provident_fund  approved      today (T+1/3), decided after 36 s (0.01 h)
c6    provident-fund-withdrawal provident_fund  withdrawn     N-1d, never decided
c7    public-rental-housing     housing         in_review     N-6d, due N-1d                 → overdue
c8    public-rental-housing     housing         in_review     N-2d, due N+3d                 → on time
c9    public-rental-housing     housing         in_review     N-5d, due N-2d, clock paused   → not overdue
c10   public-rental-housing     housing         returned      N-4d, due N-5d, paused         → not overdue
c11   primary-school-enrolment  education       in_review     N-4d, due N-3h                 → overdue
c12   primary-school-enrolment  education       approved      N-40d, decided after 300 h, due N-20d (final)
c13   provident-fund-withdrawal provident_fund  pending_face  today (T+1/2)
====  ========================  ==============  ============  =================================================

Decided durations: 0.01, 2, 4, 9, 10, 300 h → median of six = (4 + 9) / 2 = 6.5 h; review-mode cases only
(c1 c2 c3 c4 c12): 2, 4, 9, 10, 300 → median of five = 9 h.

Ratings: c1 5 @N-1d, c2 2 @N-2d, c3 4 @N-3d, c4 1 @N-9d, c5 3 @N-20d, c12 5 @N-60d (before the 8-week window).
In the window: 5 ratings, sum 15 → average 3.0; bad (≤ 2): c2, c4 → 2 of 5 = 0.4. Follow-ups: c2 open, c4 closed.

Registry reads: housing 3 @N and 1 @N-1d; provident_fund 2 @N-13d and 1 @N-14d (outside 14 days);
education 1 @N-2d by a clerk. In the 14 days: housing 4, provident_fund 2, education 1 = 7; system 6, clerk 1.

City events (two test categories): e1 light 金水区 received; e2 light 金水区 closed; e3 light 金水区 received,
duplicate of e1 (left out); e4 garbage 二七区 in_progress, past its resolution limit; e5 garbage 中原区 resolved;
e6 garbage 二七区 dispatched. → garbage 3 (open 2), light 2 (open 1); 二七区 2 (open 2), 金水区 2 (open 1),
中原区 1 (open 0); total 5, open 3, overdue 1, duplicates 1.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from backend.accounts.models import Department, Role, User
from backend.cases.models import Case, FollowUp, Rating
from backend.registries.models import DataAccessLog, Resident

H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)
_seq = itertools.count(1)

try:
    from backend.cityevents.models import EventCategory, EventReport

    EVENTS_AVAILABLE = True
except ImportError:  # pragma: no cover - only while the city-events app is missing
    EVENTS_AVAILABLE = False


def department(code: str) -> Department:
    return Department.objects.get_or_create(code=code, defaults={"name_zh": code, "name_en": code})[0]


def make_user(username: str, role: str = Role.RESIDENT, dept: str | None = None, **extra: Any) -> User:
    return User.objects.create_user(
        username=username,
        password="x-Test-Pass-2026",
        role=role,
        department=department(dept) if dept else None,
        is_staff=role != Role.RESIDENT,
        **extra,
    )


def make_resident(user: User) -> Resident:
    n = next(_seq)
    return Resident.objects.create(
        id_number=f"41010519900101{n:04d}",
        name=f"测试{n}",
        gender="M",
        birth_date=dt.date(1990, 1, 1),
        address="郑州市金水区花园路1号",
        district="金水区",
        household_id=f"HH-CK-{n}",
    )


def make_case(
    applicant: User,
    resident: Resident,
    service: str,
    dept: str,
    mode: str,
    status: str,
    submitted: dt.datetime,
    decided_after: dt.timedelta | None = None,
    due: dt.datetime | None = None,
    paused: dt.datetime | None = None,
) -> Case:
    case = Case.objects.create(
        reference_no=f"T-CK-{next(_seq):05d}",
        service_code=service,
        department=department(dept),
        mode=mode,
        applicant=applicant,
        resident=resident,
        household_id=resident.household_id,
        status=status,
        consent_at=submitted,
        due_at=due,
        paused_at=paused,
        decided_at=submitted + decided_after if decided_after is not None else None,
    )
    Case.objects.filter(pk=case.pk).update(submitted_at=submitted)  # auto_now_add on create
    case.refresh_from_db()
    return case


def rate(case: Case, score: int, at: dt.datetime) -> Rating:
    rating = Rating.objects.create(case=case, score=score)
    Rating.objects.filter(pk=rating.pk).update(created_at=at)
    return rating


def access(resident: Resident, dept: str, at: dt.datetime, actor_type: str = "system", actor: User | None = None):
    row = DataAccessLog.objects.create(
        subject=resident, department=department(dept), items=["x"], purpose="测试", actor_type=actor_type, actor=actor
    )
    DataAccessLog.objects.filter(pk=row.pk).update(at=at)
    return row


@dataclass
class DataSet:
    now: dt.datetime
    cases: dict[str, Case] = field(default_factory=dict)
    events: dict[str, Any] = field(default_factory=dict)


PRH, PSE, PFW = "public-rental-housing", "primary-school-enrolment", "provident-fund-withdrawal"


def build(now: dt.datetime) -> DataSet:
    data = DataSet(now=now)
    applicant = make_user(f"applicant{next(_seq)}")
    resident = make_resident(applicant)
    clerk = make_user(f"clerk{next(_seq)}", Role.CLERK, "education")
    today_start = timezone.make_aware(dt.datetime.combine(timezone.localdate(now), dt.time.min))
    since_midnight = now - today_start

    def case(name: str, *args: Any, **kwargs: Any) -> None:
        data.cases[name] = make_case(applicant, resident, *args, **kwargs)

    case("c1", PRH, "housing", "review", "approved", now - 10 * D, 2 * H)
    case("c2", PRH, "housing", "review", "rejected", now - 9 * D, 4 * H)
    case("c3", PSE, "education", "review", "approved", now - 8 * D, 9 * H)
    case("c4", PSE, "education", "review", "revoked", now - 7 * D, 10 * H)
    case("c5", PFW, "provident_fund", "instant", "approved", today_start + since_midnight / 3, dt.timedelta(seconds=36))
    case("c6", PFW, "provident_fund", "instant", "withdrawn", now - 1 * D)
    case("c7", PRH, "housing", "review", "in_review", now - 6 * D, due=now - 1 * D)
    case("c8", PRH, "housing", "review", "in_review", now - 2 * D, due=now + 3 * D)
    case("c9", PRH, "housing", "review", "in_review", now - 5 * D, due=now - 2 * D, paused=now - 3 * D)
    case("c10", PRH, "housing", "review", "returned", now - 4 * D, due=now - 5 * D, paused=now - 4 * D)
    case("c11", PSE, "education", "review", "in_review", now - 4 * D, due=now - 3 * H)
    case("c12", PSE, "education", "review", "approved", now - 40 * D, 300 * H, due=now - 20 * D)
    case("c13", PFW, "provident_fund", "instant", "pending_face", today_start + since_midnight / 2)

    c = data.cases
    rate(c["c1"], 5, now - 1 * D)
    rate(c["c2"], 2, now - 2 * D)
    rate(c["c3"], 4, now - 3 * D)
    rate(c["c4"], 1, now - 9 * D)
    rate(c["c5"], 3, now - 20 * D)
    rate(c["c12"], 5, now - 60 * D)
    FollowUp.objects.create(case=c["c2"], department=c["c2"].department)
    FollowUp.objects.create(case=c["c4"], department=c["c4"].department, closed_at=now - 1 * D, resolution="已整改")

    for _ in range(3):
        access(resident, "housing", now)
    access(resident, "housing", now - 1 * D)
    access(resident, "provident_fund", now - 13 * D)
    access(resident, "provident_fund", now - 13 * D)
    access(resident, "provident_fund", now - 14 * D)
    access(resident, "education", now - 2 * D, actor_type="clerk", actor=clerk)

    if EVENTS_AVAILABLE:
        data.events = build_events(now, applicant)
    return data


def build_events(now: dt.datetime, reporter: User) -> dict[str, Any]:
    city = department("city_management")
    light = EventCategory.objects.get_or_create(
        code="t-light", defaults={"name_zh": "测试路灯", "name_en": "Test light", "department": city}
    )[0]
    garbage = EventCategory.objects.get_or_create(
        code="t-garbage", defaults={"name_zh": "测试垃圾", "name_en": "Test garbage", "department": city}
    )[0]

    def event(category: Any, district: str, status: str, lat: str, long: str, hours_ago: int, **kw: Any) -> Any:
        created = now - hours_ago * H
        defaults = {"response_due_at": created + 24 * H, "resolution_due_at": created + 7 * 24 * H}
        return EventReport.objects.create(
            reporter=reporter,
            category=category,
            department=city,
            district=district,
            lat=Decimal(lat),
            long=Decimal(long),
            status=status,
            created_at=created,
            **{**defaults, **kw},
        )

    e1 = event(light, "金水区", "received", "34.786200", "113.668500", 30)
    events = {"e1": e1}
    events["e2"] = event(light, "金水区", "closed", "34.790000", "113.660000", 50)
    events["e3"] = event(light, "金水区", "received", "34.786300", "113.668600", 10, duplicate_of=e1)
    events["e4"] = event(garbage, "二七区", "in_progress", "34.723900", "113.641800", 40, resolution_due_at=now - H)
    events["e5"] = event(garbage, "中原区", "resolved", "34.748000", "113.613000", 20)
    events["e6"] = event(garbage, "二七区", "dispatched", "34.725000", "113.640000", 5)
    return events


# A Wednesday noon in the city's time zone: its week starts on Monday 2026-03-16.
FIXED_NOW = timezone.make_aware(dt.datetime(2026, 3, 18, 12, 0))


@pytest.fixture
def dataset(db) -> DataSet:
    return build(FIXED_NOW)


@pytest.fixture
def live_dataset(db) -> DataSet:
    """The same data relative to the real clock, for the HTTP tests (the views use the current time)."""
    return build(timezone.now())
