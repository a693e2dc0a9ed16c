"""The cockpit's figures: plain functions over querysets, aggregated in the database.

Every function takes the querysets it reads (so a test, or another screen, can narrow them) and returns plain
Python data (dicts, lists, numbers, ISO dates) that the page renders and ``/cockpit/data.json`` serialises as is.
The number of queries does not grow with the data: each figure is one ``GROUP BY`` (the median is a count plus a
one- or two-row slice of the ordered durations), and names come from joins or the in-memory service registry.

Definitions (docs/COCKPIT.md explains them for readers):

* *decided* case: ``decided_at`` is set (approved, rejected, or approved and later revoked); withdrawn cases were
  never decided.
* *overdue* case: ``in_review``, ``due_at`` in the past, and the clock not paused (``paused_at`` empty). Returned
  cases (clock paused) and final cases are never overdue. The rule is ``backend.cases.models.overdue_q``, the one
  the clerks' queue, the admin and the deadline sweep use; open and overdue city events likewise come from
  ``backend.cityevents.models``.
* *bad* rating (差评): score ≤ 2, the same threshold that opens a follow-up (``workflow.ratings.BAD_RATING``).
* weeks are calendar weeks, Monday to Sunday, in the city's time zone; days are local days.
* city events are counted once per problem: reports linked as duplicates of another report are left out of the
  counts and the map (their number is reported separately).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncDate, TruncWeek
from django.utils import timezone

from backend.cases.discovery import all_services
from backend.cases.models import Bundle, BundleStatus, Case, FollowUp, Rating, Status, overdue_q
from backend.cases.plugins import Mode
from backend.registries.models import DataAccessLog
from backend.workflow.ratings import BAD_RATING  # ≤ this is a 差评 (a case's opens a follow-up)

TREND_WEEKS = 8
ACCESS_DAYS = 14
MAX_MAP_POINTS = 2000

CASE_STATUSES = [s.value for s in Status]


# -- helpers --------
def start_of_day(day: dt.date) -> dt.datetime:
    """Local midnight of ``day`` as an aware datetime (the city's time zone)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _hours(delta: dt.timedelta) -> float:
    return delta.total_seconds() / 3600


def filter_period(qs: QuerySet, field: str, start: dt.date | None, end: dt.date | None) -> QuerySet:
    """Rows whose ``field`` (a datetime) falls on the local days ``start``..``end`` (both inclusive, either open)."""
    if start is not None:
        qs = qs.filter(**{f"{field}__gte": start_of_day(start)})
    if end is not None:
        qs = qs.filter(**{f"{field}__lt": start_of_day(end + dt.timedelta(days=1))})
    return qs


# -- cases (一网通办) --------
def service_names() -> dict[str, dict[str, str]]:
    return {code: {"zh": s.name.zh, "en": s.name.en} for code, s in all_services().items()}


def cases_by_service_status(cases: QuerySet[Case]) -> list[dict[str, Any]]:
    """One row per service: ``{"service", "name_zh", "name_en", "total", "by_status": {status: n}}``, largest first.

    Every status key is present (0 when none), so charts and clients need no defaults."""
    names = service_names()
    rows: dict[str, dict[str, Any]] = {}
    for row in cases.order_by().values("service_code", "status").annotate(n=Count("id")):
        code = row["service_code"]
        entry = rows.setdefault(
            code,
            {
                "service": code,
                "name_zh": names.get(code, {}).get("zh", code),
                "name_en": names.get(code, {}).get("en", code),
                "total": 0,
                "by_status": dict.fromkeys(CASE_STATUSES, 0),
            },
        )
        entry["by_status"][row["status"]] = entry["by_status"].get(row["status"], 0) + row["n"]
        entry["total"] += row["n"]
    return sorted(rows.values(), key=lambda r: (-r["total"], r["service"]))


def case_totals(cases: QuerySet[Case], day: dt.date) -> dict[str, int]:
    """Counts for the tiles, in one query: all cases, per status, and those submitted / approved on ``day``."""
    day_start, day_end = start_of_day(day), start_of_day(day + dt.timedelta(days=1))
    on_day = Q(submitted_at__gte=day_start, submitted_at__lt=day_end)
    decided_on_day = Q(decided_at__gte=day_start, decided_at__lt=day_end)
    aggregates = {
        "total": Count("id"),
        "submitted_on_day": Count("id", filter=on_day),
        "approved_on_day": Count("id", filter=decided_on_day & Q(status=Status.APPROVED)),
        "decided": Count("id", filter=Q(decided_at__isnull=False)),
    }
    aggregates.update({status: Count("id", filter=Q(status=status)) for status in CASE_STATUSES})
    return cases.order_by().aggregate(**aggregates)


def median_decision_hours(cases: QuerySet[Case]) -> dict[str, Any]:
    """Median of ``decided_at - submitted_at`` over decided cases, in hours: ``{"median_hours", "decided"}``.

    Computed in the database: the cases are counted, then ordered by duration and only the middle one (odd count) or
    the middle two (even count, averaged) are read. ``median_hours`` is ``None`` when nothing was decided."""
    decided = (
        cases.filter(decided_at__isnull=False)
        .order_by()
        .annotate(duration=ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField()))
    )
    n = decided.count()
    if n == 0:
        return {"median_hours": None, "decided": 0}
    lo, hi = (n - 1) // 2, n // 2  # the same index when n is odd
    middle = list(decided.order_by("duration", "id").values_list("duration", flat=True)[lo : hi + 1])
    median = sum(_hours(d) for d in middle) / len(middle)
    return {"median_hours": median, "decided": n}


def bundle_totals(bundles: QuerySet[Bundle]) -> dict[str, Any]:
    """一件事一次办: bundle applications submitted, completed (every member approved, or the rest after the resident
    continued without a failed one), withdrawn, waiting for the resident's choice, and the median end-to-end time
    (``completed_at - submitted_at`` over completed bundles, in hours; the same count-and-slice as the cases').
    Three queries whatever the data."""
    done = Q(status__in=[BundleStatus.COMPLETED, BundleStatus.PARTIALLY_COMPLETED])
    counts = bundles.order_by().aggregate(
        submitted=Count("id"),
        completed=Count("id", filter=done),
        fully_completed=Count("id", filter=Q(status=BundleStatus.COMPLETED)),
        withdrawn=Count("id", filter=Q(status=BundleStatus.WITHDRAWN)),
        action_required=Count("id", filter=Q(status=BundleStatus.ACTION_REQUIRED)),
    )
    finished = (
        bundles.filter(done, completed_at__isnull=False)
        .order_by()
        .annotate(duration=ExpressionWrapper(F("completed_at") - F("submitted_at"), output_field=DurationField()))
    )
    n = counts["completed"]
    median = None
    if n:
        lo, hi = (n - 1) // 2, n // 2
        middle = list(finished.order_by("duration", "id").values_list("duration", flat=True)[lo : hi + 1])
        median = sum(_hours(d) for d in middle) / len(middle) if middle else None
    return {**counts, "median_hours": median}


def overdue_by_department(cases: QuerySet[Case], now: dt.datetime) -> list[dict[str, Any]]:
    """Per department with cases in review: how many are in review and how many of them are overdue.

    Overdue = ``in_review``, ``due_at < now``, clock not paused. Sorted by overdue count, then in-review count."""
    rows = (
        cases.filter(status=Status.IN_REVIEW)
        .order_by()
        .values("department__code", "department__name_zh", "department__name_en")
        .annotate(in_review=Count("id"), overdue=Count("id", filter=overdue_q(now)))
    )
    result = [
        {
            "department": r["department__code"],
            "name_zh": r["department__name_zh"],
            "name_en": r["department__name_en"],
            "in_review": r["in_review"],
            "overdue": r["overdue"],
        }
        for r in rows
    ]
    return sorted(result, key=lambda r: (-r["overdue"], -r["in_review"], r["department"]))


# -- satisfaction (好差评) --------
def satisfaction_trend(ratings: QuerySet[Rating], end: dt.date, weeks: int = TREND_WEEKS) -> dict[str, Any]:
    """Average score, count and bad ratings per calendar week for the ``weeks`` weeks ending with ``end``'s week.

    Returns ``{"weeks": [{"week_start", "week_end", "count", "average", "bad"}], "count", "average", "bad",
    "bad_share"}``; a week without ratings has ``count`` 0 and ``average`` None. Totals are over the same weeks."""
    first = week_start(end) - dt.timedelta(weeks=weeks - 1)
    window = filter_period(ratings, "created_at", first, end)
    bad = Q(score__lte=BAD_RATING)
    by_week = {
        _as_date(r["week"]): r
        for r in window.order_by()
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(count=Count("id"), average=Avg("score"), bad=Count("id", filter=bad))
    }
    rows, total, score_sum, bad_total = [], 0, 0.0, 0
    for i in range(weeks):
        start = first + dt.timedelta(weeks=i)
        r = by_week.get(start)
        count = r["count"] if r else 0
        average = float(r["average"]) if r else None
        rows.append(
            {
                "week_start": start.isoformat(),
                "week_end": (start + dt.timedelta(days=6)).isoformat(),
                "count": count,
                "average": average,
                "bad": r["bad"] if r else 0,
            }
        )
        total += count
        bad_total += r["bad"] if r else 0
        score_sum += (average or 0) * count
    return {
        "weeks": rows,
        "count": total,
        "average": score_sum / total if total else None,
        "bad": bad_total,
        "bad_share": bad_total / total if total else None,
    }


def open_follow_ups(follow_ups: QuerySet[FollowUp]) -> int:
    """差评整改 tasks not yet closed (a snapshot, whatever the period)."""
    return follow_ups.filter(closed_at__isnull=True).count()


# -- data sharing (数据共享) --------
def data_access_by_department_day(
    logs: QuerySet[DataAccessLog], end: dt.date, days: int = ACCESS_DAYS
) -> dict[str, Any]:
    """Registry reads per source department per local day, for the ``days`` days ending with ``end``.

    Returns ``{"days": [iso dates], "departments": [{"department", "name_zh", "name_en", "counts": [n per day],
    "total"}], "totals": [n per day], "total", "by_actor": {actor_type: n}}``; departments with no reads in the
    window are left out, the others sorted by volume."""
    first = end - dt.timedelta(days=days - 1)
    window = filter_period(logs, "at", first, end).order_by()
    day_list = [first + dt.timedelta(days=i) for i in range(days)]
    index = {d: i for i, d in enumerate(day_list)}
    departments: dict[str, dict[str, Any]] = {}
    for r in (
        window.annotate(day=TruncDate("at"))
        .values("department__code", "department__name_zh", "department__name_en", "day")
        .annotate(n=Count("id"))
    ):
        entry = departments.setdefault(
            r["department__code"],
            {
                "department": r["department__code"],
                "name_zh": r["department__name_zh"],
                "name_en": r["department__name_en"],
                "counts": [0] * days,
                "total": 0,
            },
        )
        day = _as_date(r["day"])
        if day in index:
            entry["counts"][index[day]] += r["n"]
            entry["total"] += r["n"]
    rows = sorted(departments.values(), key=lambda e: (-e["total"], e["department"]))
    by_actor = {r["actor_type"]: r["n"] for r in window.values("actor_type").annotate(n=Count("id"))}
    totals = [sum(e["counts"][i] for e in rows) for i in range(days)]
    return {
        "days": [d.isoformat() for d in day_list],
        "departments": rows,
        "totals": totals,
        "total": sum(totals),
        "by_actor": by_actor,
    }


# -- city events (一网统管) --------
def _event_model() -> Any:
    try:
        from backend.cityevents.models import EventReport
    except ImportError:  # the app is optional for the cockpit
        return None
    return EventReport


def _event_open_q() -> Q:
    from backend.cityevents.models import open_q

    return open_q()


def _event_overdue_q(now: dt.datetime) -> Q:
    from backend.cityevents.models import overdue_q

    return overdue_q(now)


def event_queryset() -> QuerySet | None:
    model = _event_model()
    return model.objects.all() if model is not None else None


def distinct_events(events: QuerySet) -> QuerySet:
    """One report per problem: reports linked as duplicates of another are left out."""
    return events.filter(duplicate_of__isnull=True)


def event_totals(events: QuerySet, now: dt.datetime) -> dict[str, int]:
    """``total`` problems, ``open`` (received/dispatched/in progress), ``overdue`` (open past the resolution limit),
    and ``duplicates`` (reports linked to another report, not counted in the rest)."""
    open_q = _event_open_q()
    totals = events.order_by().aggregate(
        all_reports=Count("id"),
        duplicates=Count("id", filter=Q(duplicate_of__isnull=False)),
        total=Count("id", filter=Q(duplicate_of__isnull=True)),
        open=Count("id", filter=Q(duplicate_of__isnull=True) & open_q),
        overdue=Count("id", filter=Q(duplicate_of__isnull=True) & _event_overdue_q(now)),
    )
    return {k: totals[k] for k in ("total", "open", "overdue", "duplicates")}


def events_by_category(events: QuerySet) -> list[dict[str, Any]]:
    """Problems per category (``total`` and ``open``), largest first."""
    open_q = _event_open_q()
    rows = (
        distinct_events(events)
        .order_by()
        .values("category__code", "category__name_zh", "category__name_en")
        .annotate(total=Count("id"), open=Count("id", filter=open_q))
    )
    result = [
        {
            "category": r["category__code"],
            "name_zh": r["category__name_zh"],
            "name_en": r["category__name_en"],
            "total": r["total"],
            "open": r["open"],
        }
        for r in rows
    ]
    return sorted(result, key=lambda r: (-r["total"], r["category"]))


def events_by_district(events: QuerySet) -> list[dict[str, Any]]:
    """Problems per district (``total`` and ``open``), largest first."""
    open_q = _event_open_q()
    rows = (
        distinct_events(events)
        .order_by()
        .values("district")
        .annotate(total=Count("id"), open=Count("id", filter=open_q))
    )
    result = [{"district": r["district"], "total": r["total"], "open": r["open"]} for r in rows]
    return sorted(result, key=lambda r: (-r["total"], r["district"]))


def event_points(events: QuerySet, limit: int = MAX_MAP_POINTS) -> list[dict[str, Any]]:
    """Coordinates of the most recent problems for the map: ``{"lat", "long", "status", "category", "district"}``."""
    rows = (
        distinct_events(events)
        .order_by("-created_at", "-id")
        .values_list("lat", "long", "status", "category__name_zh", "district")[:limit]
    )
    return [
        {"lat": float(lat), "long": float(long), "status": status, "category": category, "district": district}
        for lat, long, status, category, district in rows
    ]


# -- everything, for the page and data.json --------
def collect(now: dt.datetime | None = None, start: dt.date | None = None, end: dt.date | None = None) -> dict:
    """All figures. ``start``/``end`` (local dates, inclusive) narrow cases (by submission), ratings and events (by
    creation) and end the trend windows; overdue cases, open follow-ups and open events are snapshots at ``now``."""
    now = now or timezone.now()
    end = end or timezone.localdate(now)
    cases = filter_period(Case.objects.all(), "submitted_at", start, end)
    totals = case_totals(cases, end)
    median_all = median_decision_hours(cases)
    median_review = median_decision_hours(cases.filter(mode=Mode.REVIEW))
    ratings = filter_period(Rating.objects.all(), "created_at", start, None)
    satisfaction = satisfaction_trend(ratings, end)
    satisfaction["open_follow_ups"] = open_follow_ups(FollowUp.objects.all())
    data: dict[str, Any] = {
        "generated_at": timezone.localtime(now).isoformat(),
        "period": {"start": start.isoformat() if start else None, "end": end.isoformat()},
        "cases": {
            "totals": totals,
            "by_service": cases_by_service_status(cases),
            "median_decision": {"all": median_all, "review": median_review},
            "overdue_by_department": overdue_by_department(Case.objects.all(), now),
        },
        "bundles": bundle_totals(filter_period(Bundle.objects.all(), "submitted_at", start, end)),
        "satisfaction": satisfaction,
        "data_access": data_access_by_department_day(DataAccessLog.objects.all(), end),
    }
    data["cases"]["overdue"] = sum(r["overdue"] for r in data["cases"]["overdue_by_department"])
    events = event_queryset()
    if events is None:
        data["events"] = None
    else:
        period_events = filter_period(events, "created_at", start, end)
        data["events"] = {
            "totals": event_totals(period_events, now),
            "open_now": event_totals(events, now)["open"],
            "by_category": events_by_category(period_events),
            "by_district": events_by_district(period_events),
            "points": event_points(period_events),
        }
    return data
