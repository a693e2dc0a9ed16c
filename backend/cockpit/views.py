"""The supervisor cockpit (数字驾驶舱): one server-rendered page and the same figures as JSON.

Who may look: supervisors (``role == "supervisor"``) and superusers. Anyone not logged in is sent to the Django
admin login (``/admin/login/?next=/cockpit/``); a logged-in clerk or resident gets 403.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from backend.accounts import permissions

from . import charts, metrics
from .charts import Series

# -- labels and colours --------
CASE_STATUS = {  # status: (zh, en, colour)
    "approved": ("通过", "Approved", "#34d399"),
    "in_review": ("审核中", "In review", "#3b82f6"),
    "pending_face": ("待刷脸核验", "Awaiting face check", "#a78bfa"),
    "returned": ("退回补正", "Returned", "#fbbf24"),
    "rejected": ("未通过", "Rejected", "#f87171"),
    "withdrawn": ("已撤回", "Withdrawn", "#64748b"),
    "revoked": ("已撤销", "Revoked", "#f472b6"),
}
EVENT_STATUS = {
    "received": ("已受理", "Received", "#fbbf24"),
    "dispatched": ("已派单", "Dispatched", "#60a5fa"),
    "in_progress": ("处置中", "In progress", "#22d3ee"),
    "resolved": ("待确认", "Resolved", "#34d399"),
    "closed": ("已关闭", "Closed", "#64748b"),
}
PALETTE = ["#22d3ee", "#3b82f6", "#a78bfa", "#34d399", "#fbbf24", "#f472b6", "#f87171", "#94a3b8", "#2dd4bf"]
OVERDUE, ON_TIME, OPEN, DONE, GOOD, BAD = "#f87171", "#3b82f6", "#fbbf24", "#34d399", "#2563eb", "#f87171"
ACTOR = {"system": "系统自动 system", "clerk": "工作人员 clerk", "resident": "本人 resident"}


# -- access --------
def may_view(user: Any) -> bool:
    """Supervisors and superusers: the staff who see every department (backend/accounts/permissions.py)."""
    return permissions.sees_all_departments(user)


def supervisor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not may_view(request.user):
            message = "仅督查人员可以查看数字驾驶舱。Only supervisors may view the cockpit."
            if request.path.endswith(".json"):
                return JsonResponse(
                    {"error": {"code": "permission_denied", "message": message}},
                    status=403,
                    json_dumps_params={"ensure_ascii": False},
                )
            return render(request, "cockpit/forbidden.html", {"message": message}, status=403)
        return view(request, *args, **kwargs)

    return wrapped


# -- the period filter --------
class PeriodError(ValueError):
    pass


def parse_period(request: HttpRequest, today: dt.date) -> tuple[dt.date | None, dt.date]:
    """``?from=YYYY-MM-DD&to=YYYY-MM-DD`` (both optional, inclusive). Default: everything up to today."""

    def parse(name: str) -> dt.date | None:
        raw = (request.GET.get(name) or "").strip()
        if not raw:
            return None
        try:
            return dt.date.fromisoformat(raw)
        except ValueError as exc:
            raise PeriodError(f"{name}: 日期格式应为 YYYY-MM-DD (got {raw[:20]!r})") from exc

    start, end = parse("from"), parse("to") or today
    if end > today:
        end = today
    if start is not None and start > end:
        raise PeriodError("from 晚于 to: the start date is after the end date")
    return start, end


# -- the page --------
def _duration(hours: float | None) -> tuple[str, str]:
    """(big number, unit) for a duration in hours."""
    if hours is None:
        return "—", ""
    if hours < 1:
        return f"{hours * 60:.0f}", "分钟 min"
    if hours < 72:
        return f"{hours:.1f}", "小时 h"
    return f"{hours / 24:.1f}", "天 days"


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "—"


def _satisfaction_tone(average: float | None) -> str:
    if average is None:
        return ""
    return "good" if average >= 4 else "warn" if average >= 3 else "bad"


def _legend(items: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"label": label, "color": color} for label, color in items]


def build_context(data: dict[str, Any], today: dt.date) -> dict[str, Any]:
    cases, sat, access, events = data["cases"], data["satisfaction"], data["data_access"], data["events"]
    totals = cases["totals"]
    end = dt.date.fromisoformat(data["period"]["end"])
    day_label = "今日" if end == today else f"{end:%m-%d}"
    median_all, median_review = cases["median_decision"]["all"], cases["median_decision"]["review"]
    number, unit = _duration(median_all["median_hours"])
    review_number, review_unit = _duration(median_review["median_hours"])
    tiles = [
        {
            "zh": f"{day_label}受理",
            "en": "Cases submitted" + (" today" if end == today else f" on {end}"),
            "value": totals["submitted_on_day"],
            "note": f"统计期内 {totals['total']} 件 in period",
        },
        {
            "zh": "办结通过",
            "en": "Approved",
            "value": totals["approved"],
            "note": f"通过率 {_pct(totals['approved'], totals['decided'])} · {day_label} {totals['approved_on_day']}",
            "tone": "good",
        },
        {
            "zh": "办结用时中位数",
            "en": "Median time to decision",
            "value": number,
            "unit": unit,
            "note": f"审核类 review {review_number} {review_unit.split(' ')[0]} · 已办结 {median_all['decided']} 件",
        },
        {
            "zh": "超期办件",
            "en": "Overdue cases",
            "value": cases["overdue"],
            "note": f"审核中 {sum(r['in_review'] for r in cases['overdue_by_department'])} 件 in review",
            "tone": "bad" if cases["overdue"] else "good",
        },
        {
            "zh": "满意度",
            "en": "Satisfaction (8 weeks)",
            "value": f"{sat['average']:.2f}" if sat["average"] is not None else "—",
            "unit": "/ 5",
            "note": f"{sat['count']} 条评价 · 差评率 {_pct(sat['bad'], sat['count'])} · "
            f"待整改 {sat['open_follow_ups']}",
            "tone": _satisfaction_tone(sat["average"]),
        },
    ]
    bundles = data["bundles"]
    bundle_number, bundle_unit = _duration(bundles["median_hours"])
    tiles.append(
        {
            "zh": "一件事办结",
            "en": "Bundles completed (一件事)",
            "value": bundles["completed"],
            "unit": f"/ {bundles['submitted']}",
            "note": f"全程用时中位数 {bundle_number} {bundle_unit.split(' ')[0]} · "
            f"待群众确认 {bundles['action_required']}",
            "tone": "warn" if bundles["action_required"] else "good",
        }
    )
    if events is not None:
        tiles.append(
            {
                "zh": "待处置事件",
                "en": "Open city events",
                "value": events["open_now"],
                "note": f"超时 {events['totals']['overdue']} · 统计期内 {events['totals']['total']} 件",
                "tone": "warn" if events["open_now"] else "good",
            }
        )

    by_service = cases["by_service"]
    statuses = [s for s in CASE_STATUS if any(r["by_status"][s] for r in by_service)] or list(CASE_STATUS)
    case_chart = charts.hbars(
        [(r["name_zh"], r["name_en"]) for r in by_service],
        [Series(CASE_STATUS[s][0], CASE_STATUS[s][2], [r["by_status"][s] for r in by_service]) for s in statuses],
        label="办件量：按事项与状态 Cases by service and status",
        width=860,
        label_width=190,
    )
    overdue_rows = cases["overdue_by_department"]
    overdue_chart = charts.hbars(
        [(r["name_zh"], r["name_en"]) for r in overdue_rows],
        [
            Series("超期", OVERDUE, [r["overdue"] for r in overdue_rows]),
            Series("未超期", ON_TIME, [r["in_review"] - r["overdue"] for r in overdue_rows]),
        ],
        label="审核中办件：按部门 Cases in review by department",
        width=600,
    )
    weeks = sat["weeks"]
    sat_chart = charts.trend(
        [dt.date.fromisoformat(w["week_start"]).strftime("%m-%d") for w in weeks],
        [w["average"] for w in weeks],
        [
            Series("好评/中评", GOOD, [w["count"] - w["bad"] for w in weeks]),
            Series("差评", BAD, [w["bad"] for w in weeks]),
        ],
        label="好差评趋势 Satisfaction trend",
        width=760,
    )
    access_chart = charts.columns(
        [dt.date.fromisoformat(d).strftime("%m-%d") for d in access["days"]],
        [Series(r["name_zh"], PALETTE[i % len(PALETTE)], r["counts"]) for i, r in enumerate(access["departments"])],
        label="数据共享调用量 Registry reads per department per day",
        width=760,
        height=250,
    )
    context: dict[str, Any] = {
        "data": data,
        "tiles": tiles,
        "case_chart": case_chart,
        "case_legend": _legend([(f"{CASE_STATUS[s][0]} {CASE_STATUS[s][1]}", CASE_STATUS[s][2]) for s in statuses]),
        "overdue_chart": overdue_chart,
        "overdue_rows": [{**r, "share": _pct(r["overdue"], r["in_review"])} for r in overdue_rows],
        "overdue_legend": _legend([("超期 overdue", OVERDUE), ("未超期 on time", ON_TIME)]),
        "sat_chart": sat_chart,
        "sat_legend": _legend(
            [("平均分 average score (左 left)", "#22d3ee"), ("评价数 ratings (右 right)", GOOD), ("差评 bad (≤2)", BAD)]
        ),
        "sat_bad_share": _pct(sat["bad"], sat["count"]),
        "access_chart": access_chart,
        "access_legend": _legend(
            [(r["name_zh"], PALETTE[i % len(PALETTE)]) for i, r in enumerate(access["departments"])]
        ),
        "access_actors": [
            {"label": ACTOR.get(k, k), "count": v} for k, v in sorted(access["by_actor"].items(), key=lambda kv: -kv[1])
        ],
    }
    if events is not None:
        from backend.cityevents import conf

        categories, districts = events["by_category"], events["by_district"]
        context.update(
            {
                "map_chart": charts.scatter_map(
                    events["points"],
                    {k: v[2] for k, v in EVENT_STATUS.items()},
                    {k: v[0] for k, v in EVENT_STATUS.items()},
                    label="城市事件分布 City events map",
                    landmarks=conf.city_districts(),
                    width=640,
                ),
                "map_legend": _legend([(f"{zh} {en}", color) for zh, en, color in EVENT_STATUS.values()]),
                "category_chart": charts.hbars(
                    [(r["name_zh"], r["name_en"]) for r in categories],
                    [
                        Series("待处置", OPEN, [r["open"] for r in categories]),
                        Series("已处置", DONE, [r["total"] - r["open"] for r in categories]),
                    ],
                    label="城市事件：按类别 City events by category",
                    width=600,
                    label_width=190,
                    row=34,
                ),
                "district_chart": charts.hbars(
                    [(r["district"], "") for r in districts],
                    [
                        Series("待处置", OPEN, [r["open"] for r in districts]),
                        Series("已处置", DONE, [r["total"] - r["open"] for r in districts]),
                    ],
                    label="城市事件：按区县 City events by district",
                    width=600,
                    label_width=120,
                    row=28,
                ),
                "event_legend": _legend([("待处置 open", OPEN), ("已处置 resolved/closed", DONE)]),
            }
        )
    for tile in tiles:
        if isinstance(tile["value"], int):
            tile["value"] = f"{tile['value']:,}"
    return context


@require_GET
@never_cache
@supervisor_required
def cockpit(request: HttpRequest) -> HttpResponse:
    started = time.perf_counter()
    now = timezone.now()
    today = timezone.localdate(now)
    error = ""
    try:
        start, end = parse_period(request, today)
    except PeriodError as exc:
        start, end, error = None, today, str(exc)
    data = metrics.collect(now, start, end)
    context = build_context(data, today)
    context.update(
        {
            "error": error,
            "start": start,
            "end": end,
            "today": today,
            "now": timezone.localtime(now),
            "presets": [
                ("近7天 7 days", (today - dt.timedelta(days=6)).isoformat()),
                ("近30天 30 days", (today - dt.timedelta(days=29)).isoformat()),
                ("本年 This year", today.replace(month=1, day=1).isoformat()),
            ],
        }
    )
    context["elapsed_ms"] = (time.perf_counter() - started) * 1000
    return render(request, "cockpit/index.html", context)


@require_GET
@never_cache
@supervisor_required
def data_json(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    try:
        start, end = parse_period(request, timezone.localdate(now))
    except PeriodError as exc:
        return JsonResponse(
            {"error": {"code": "invalid_period", "message": str(exc)}},
            status=400,
            json_dumps_params={"ensure_ascii": False},
        )
    return JsonResponse(metrics.collect(now, start, end), json_dumps_params={"ensure_ascii": False})
