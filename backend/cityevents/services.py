"""Domain functions of 一网统管. Views, the Open311 API and the admin call these; none of them write models.

Every status change goes through :func:`_apply`, which runs the shared workflow core (:mod:`backend.workflow.steps`,
as cases do): it locks the report, checks :data:`TRANSITIONS`, writes the timeline entry and notifies the reporter,
so the API, Open311 and the admin cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.accounts import permissions
from backend.accounts.models import Department, User
from backend.core.errors import Conflict, DomainError, Forbidden, NotFound
from backend.core.i18n import localized
from backend.workflow import clock, ratings
from backend.workflow.steps import Notice, Step, Workflow, lock

from . import conf, geo
from .models import EventAction, EventCategory, EventReport, EventSource, EventStatus, RoutingRule, overdue_q
from .photos import PhotoError, clean_photo

logger = logging.getLogger(__name__)

S = EventStatus

#: The explicit state machine: action → {from status: to status}. Anything not listed is a 409.
TRANSITIONS: dict[str, dict[str, str]] = {
    "dispatch": {S.RECEIVED: S.DISPATCHED},
    "start": {S.DISPATCHED: S.IN_PROGRESS},
    "resolve": {S.IN_PROGRESS: S.RESOLVED},
    # From ``received`` only with a reason: an invalid report or one another channel already handled.
    "close": {S.RESOLVED: S.CLOSED, S.RECEIVED: S.CLOSED},
    # A transfer hands the report to another department, which starts from ``received``.
    "transfer": {S.RECEIVED: S.RECEIVED, S.DISPATCHED: S.RECEIVED, S.IN_PROGRESS: S.RECEIVED},
    # The reporter's answer to ``resolved``: fixed (closed) or not fixed (reopened).
    "confirm": {S.RESOLVED: S.CLOSED},
    "dispute": {S.RESOLVED: S.IN_PROGRESS},
}
STAFF_ACTIONS = ("dispatch", "start", "resolve", "close", "transfer")
RESIDENT_ACTIONS = ("confirm", "dispute")

MAX_DESCRIPTION = 2000
MAX_REASON = 500

_TITLES = {
    S.RECEIVED: gettext_lazy("您的城市事件报告已受理"),
    S.DISPATCHED: gettext_lazy("您报告的问题已派单处理"),
    S.IN_PROGRESS: gettext_lazy("您报告的问题正在处置"),
    S.RESOLVED: gettext_lazy("您报告的问题已处置完毕，请确认"),
    S.CLOSED: gettext_lazy("您报告的问题已办结"),
}


# --- lookups ------------------------------------------------------------------------------------------------------


def get_category(code: Any) -> EventCategory:
    category = EventCategory.objects.select_related("department").filter(code=str(code or ""), active=True).first()
    if category is None:
        raise DomainError("unknown_category", _("未知的事件类别。"), fields={"category": [_("请选择有效的事件类别。")]})
    return category


def route(category: EventCategory, district: str) -> Department:
    """The owning department of the category, unless a district rule names another one."""
    rule = RoutingRule.objects.select_related("department").filter(category=category, district=district).first()
    return rule.department if rule else category.department


def _decimal_coordinate(value: Any, name: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError("invalid_location", _("位置坐标无效。"), fields={name: [_("请提供有效的坐标。")]}) from None
    try:
        if not number.is_finite():
            raise InvalidOperation
        return number.quantize(Decimal("0.000001"))  # 1e30 has more digits than the context holds: InvalidOperation
    except InvalidOperation:
        raise DomainError("invalid_location", _("位置坐标无效。"), fields={name: [_("请提供有效的坐标。")]}) from None


@dataclass(frozen=True)
class Location:
    lat: Decimal
    long: Decimal
    district: str
    from_photo: bool


def resolve_location(lat: Any, long: Any, district: str, photo_gps: tuple[float, float] | None) -> Location:
    """The report's position: the reporter's pin, else the photo's EXIF GPS; inside the city; with a district."""
    given = [v not in (None, "") for v in (lat, long)]
    if any(given) and not all(given):
        raise DomainError("location_required", _("请同时提供纬度和经度。"), fields={"lat": [], "long": []})
    from_photo = False
    if not any(given):
        if photo_gps is None:
            raise DomainError(
                "location_required",
                _("请提供问题所在位置（纬度和经度）。"),
                fields={"lat": [_("必填。")], "long": [_("必填。")]},
            )
        lat, long = photo_gps
        from_photo = True
    lat_d, long_d = _decimal_coordinate(lat, "lat"), _decimal_coordinate(long, "long")
    if not (-90 <= lat_d <= 90 and -180 <= long_d <= 180) or not geo.in_city(float(lat_d), float(long_d)):
        raise DomainError(
            "location_outside_city",
            _("该位置不在本市范围内。"),
            fields={"lat": [str(lat_d)], "long": [str(long_d)]},
        )
    district = (district or "").strip()
    if district:
        if district not in conf.city_districts():
            raise DomainError("unknown_district", _("未知的区县。"), fields={"district": [_("请选择本市的区县。")]})
    else:
        district = geo.nearest_district(float(lat_d), float(long_d))
    return Location(lat_d, long_d, district, from_photo)


def validate_attributes(category: EventCategory, raw: dict[str, Any] | None) -> dict[str, Any]:
    """Check submitted values against the category's Open311 attribute definitions."""
    raw = dict(raw or {})
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    known = {a["code"]: a for a in category.attributes if a.get("variable", True)}
    for code in raw:
        if code not in known:
            errors[code] = [_("未知的字段。")]
    for code, spec in known.items():
        value = raw.get(code)
        if value in (None, "", []):
            if spec.get("required"):
                errors[code] = [_("必填。")]
            continue
        datatype = spec.get("datatype", "string")
        keys = {str(v["key"]) for v in spec.get("values", [])}
        if datatype == "singlevaluelist":
            if isinstance(value, list) and len(value) == 1:
                value = value[0]
            if str(value) not in keys:
                errors[code] = [_("无效的选项。")]
                continue
            clean[code] = str(value)
        elif datatype == "multivaluelist":
            values = value if isinstance(value, list) else [v.strip() for v in str(value).split(",")]
            if not values or any(str(v) not in keys for v in values):
                errors[code] = [_("无效的选项。")]
                continue
            clean[code] = [str(v) for v in values]
        elif datatype == "number":
            try:
                number = Decimal(str(value))
                if not number.is_finite():
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                errors[code] = [_("请输入数字。")]
                continue
            clean[code] = str(number)
        elif datatype == "datetime":
            parsed = _parse_datetime(str(value))
            if parsed is None:
                errors[code] = [_("请输入 ISO 8601 日期时间。")]
                continue
            clean[code] = parsed.isoformat()
        else:
            text = str(value).strip()
            if len(text) > (1000 if datatype == "text" else 200):
                errors[code] = [_("内容过长。")]
                continue
            clean[code] = text
    if errors:
        raise DomainError("invalid_attributes", _("附加信息有误。"), fields={"attributes": errors})
    return clean


def _parse_datetime(value: str) -> dt.datetime | None:
    from django.utils.dateparse import parse_datetime

    try:
        parsed = parse_datetime(value.strip())
    except ValueError:
        return None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def find_duplicate(category: EventCategory, lat: Decimal, long: Decimal, at: dt.datetime) -> EventReport | None:
    """An earlier, not yet closed report of the same category within the radius and time window.

    Returns the original (never a duplicate itself), so duplicates form a star around the first report.
    """
    radius = conf.duplicate_radius_m()
    min_lat, max_lat, min_long, max_long = geo.bounding_box(float(lat), float(long), radius)
    candidates = (
        EventReport.objects.filter(
            category=category,
            created_at__gte=at - dt.timedelta(hours=conf.duplicate_window_hours()),
            created_at__lte=at,
            lat__range=(Decimal(str(min_lat)), Decimal(str(max_lat))),
            long__range=(Decimal(str(min_long)), Decimal(str(max_long))),
        )
        .exclude(status=S.CLOSED)
        .select_related("duplicate_of")
        .order_by("created_at", "id")
    )
    for candidate in candidates:
        if geo.haversine_m(float(lat), float(long), float(candidate.lat), float(candidate.long)) <= radius:
            original = candidate.duplicate_of or candidate
            return original
    return None


# --- creating a report --------------------------------------------------------------------------------------------


def _clean_text(value: Any, limit: int, field: str) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        raise DomainError(
            "validation_error", _("内容过长。"), fields={field: [_("最多 %(n)d 个字符。") % {"n": limit}]}
        )
    return text


def _reporter_notice(report: EventReport, message: Callable[[], tuple[str, str]], kind: str) -> Notice:
    """``message()`` is rendered in Chinese and in English (``notify_translated``)."""
    return Notice(report.reporter, kind, message, {"type": "event", "id": report.pk})


def create_report(
    reporter: User,
    *,
    category: str,
    lat: Any = None,
    long: Any = None,
    description: Any = "",
    district: Any = "",
    address: Any = "",
    photo: bytes | None = None,
    media_url: Any = "",
    attributes: dict[str, Any] | None = None,
    source: str = EventSource.APP,
    idempotency_key: str = "",
    created_at: dt.datetime | None = None,
) -> tuple[EventReport, bool]:
    """Validate everything first, then save the report, route it and link duplicates. Returns (report, created).

    With an ``idempotency_key`` already used by this reporter, returns the first report and creates nothing.
    Bad input raises a :class:`DomainError` before anything is written (no row, no file, no notification).
    """
    idempotency_key = str(idempotency_key or "")[:100]
    if idempotency_key:
        existing = EventReport.objects.filter(reporter=reporter, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False

    category_obj = get_category(category)
    description = _clean_text(description, MAX_DESCRIPTION, "description")
    address = _clean_text(address, 200, "address")
    media_url = _clean_text(media_url, 500, "media_url")
    if media_url:
        from django.core.exceptions import ValidationError
        from django.core.validators import URLValidator

        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise DomainError(
                "validation_error", _("媒体链接无效。"), fields={"media_url": [_("请提供 http(s) 链接。")]}
            ) from None
    clean = None
    if photo is not None:
        try:
            clean = clean_photo(photo)
        except PhotoError as exc:
            raise DomainError(exc.code, exc.message, fields={"media": [exc.message]}) from None
    location = resolve_location(lat, long, str(district or ""), clean.gps if clean else None)
    values = validate_attributes(category_obj, attributes)

    now = created_at or timezone.now()
    department = route(category_obj, location.district)
    report = EventReport(
        reporter=reporter,
        category=category_obj,
        department=department,
        district=location.district,
        lat=location.lat,
        long=location.long,
        address=address,
        description=description,
        attributes=values,
        media_url=media_url,
        source=source,
        idempotency_key=idempotency_key,
        created_at=now,
        response_due_at=now + dt.timedelta(hours=category_obj.response_hours),
        resolution_due_at=resolution_due(category_obj.resolution_hours, now),
    )
    if clean is not None and clean.gps is not None:
        report.photo_lat, report.photo_long = (Decimal(str(v)).quantize(Decimal("0.000001")) for v in clean.gps)
    try:
        with transaction.atomic():
            report.duplicate_of = find_duplicate(category_obj, location.lat, location.long, now)
            if clean is not None:
                report.photo.save("photo.jpg", ContentFile(clean.jpeg), save=False)
            report.save()
            _timeline_on_create(report, location)
            _notify_created(report)
    except IntegrityError:
        _discard_photo(report)
        if idempotency_key:  # a concurrent request with the same key won the race: answer with its report
            existing = EventReport.objects.filter(reporter=reporter, idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing, False
        raise
    except BaseException:
        _discard_photo(report)
        raise
    return report, True


def _discard_photo(report: EventReport) -> None:
    if report.photo and report.photo.name:
        try:
            report.photo.storage.delete(report.photo.name)
        except OSError:  # pragma: no cover - best effort cleanup
            logger.warning("could not delete orphaned photo %s", report.photo.name)


def _timeline_on_create(report: EventReport, location: Location) -> None:
    note = _("报告人提交。") if not location.from_photo else _("报告人提交，位置取自照片的 GPS 信息。")
    EventAction.objects.create(
        report=report,
        at=report.created_at,
        kind=EventAction.Kind.CREATED,
        actor=report.reporter,
        to_status=S.RECEIVED,
        note=note,
    )
    EventAction.objects.create(
        report=report,
        at=report.created_at,
        kind=EventAction.Kind.ROUTED,
        department=report.department,
        to_status=S.RECEIVED,
        note=_("按类别“%(category)s”及所在区县“%(district)s”自动派至%(department)s。")
        % {"category": report.category.name_zh, "district": report.district, "department": report.department.name_zh},
    )
    if report.duplicate_of_id:
        EventAction.objects.create(
            report=report,
            at=report.created_at,
            kind=EventAction.Kind.DUPLICATE,
            note=_("与报告 #%(id)s 为同一问题（%(radius)d 米内），已关联合并处理。")
            % {"id": report.duplicate_of_id, "radius": int(conf.duplicate_radius_m())},
        )


def duplicate_notice(report: EventReport) -> str:
    if not report.duplicate_of_id:
        return ""
    return _("附近已有人报告了同一问题（报告 #%(id)s），您的报告已与其关联，处理进展会同步通知您。") % {
        "id": report.duplicate_of_id
    }


def service_notice(category: EventCategory) -> str:
    """What the city promises for this category (Open311 ``service_notice``)."""
    return _("%(department)s将在 %(response)d 小时内响应，%(resolution)s内处置完毕。") % {
        "department": category.department.name_zh,
        "response": category.response_hours,
        "resolution": _format_hours(category.resolution_hours),
    }


def resolution_due(hours: int, start: dt.datetime) -> dt.datetime:
    """Limits of whole days are counted in statutory working days by the case engine's clock, as for cases;
    limits in hours (emergencies) run round the clock."""
    if hours >= 24 and hours % 24 == 0:
        return clock.due_at(start, hours // 24)
    return start + dt.timedelta(hours=hours)


def _format_hours(hours: int) -> str:
    if hours % 24 == 0:
        return _("%(n)d 天") % {"n": hours // 24}
    return _("%(n)d 小时") % {"n": hours}


def _notify_created(report: EventReport) -> None:
    due = timezone.localtime(report.resolution_due_at)

    def message() -> tuple[str, str]:
        body = _("报告 #%(id)s（%(category)s）已受理，由%(department)s处理，预计 %(due)s 前处置完毕。") % {
            "id": report.pk,
            "category": localized(report.category, "name"),
            "department": localized(report.department, "name"),
            "due": f"{due:%Y-%m-%d %H:%M}",
        }
        if report.duplicate_of_id:
            return _("您报告的问题已有人反映"), body + duplicate_notice(report)
        return str(_TITLES[S.RECEIVED]), body

    _reporter_notice(report, message, "event.duplicate" if report.duplicate_of_id else "event.received").send()


# --- status changes -----------------------------------------------------------------------------------------------


def staff_queryset(user: User) -> QuerySet[EventReport]:
    """The reports a staff member may see: own department for clerks, all for supervisors. Residents: 403."""
    if not permissions.is_staff_member(user):
        raise Forbidden("permission_denied", _("仅限工作人员。"))
    base = EventReport.objects.select_related("category", "department", "reporter", "duplicate_of").prefetch_related(
        "duplicates"
    )
    return permissions.visible_to(base, user)


def overdue_first(queryset: QuerySet[EventReport]) -> QuerySet[EventReport]:
    now = timezone.now()
    return queryset.annotate(
        _overdue=Case(
            When(overdue_q(now), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("_overdue", "resolution_due_at", "id")


def _reason(reason: Any) -> str:
    return _clean_text(reason, MAX_REASON, "reason")


def _allows(report: EventReport, action: str) -> bool:
    return report.status in TRANSITIONS.get(action, {})


def _write_timeline(report: EventReport, step: Step) -> None:
    """One ``EventAction``; a line that changes the status names the department that holds the report after it."""
    EventAction.objects.create(
        report=report,
        at=step.at or timezone.now(),
        kind=step.action,
        actor=step.actor,
        from_status=step.from_status,
        to_status=step.to_status,
        department=report.department if step.to_status else None,
        note=str(step.note),
    )


def _transition_notice(report: EventReport, step: Step) -> Notice | None:
    if not step.to_status:
        return None  # a rating: nothing to tell the reporter about their own answer
    action, note = step.action, str(step.note)
    status = EventStatus(report.status)

    def message() -> tuple[str, str]:
        department = localized(report.department, "name")
        if action == "transfer":
            title = _("您报告的问题已转办")
            body = _("报告 #%(id)s 已转至%(department)s办理。") % {"id": report.pk, "department": department}
        elif action == "dispute":
            title = _("您报告的问题已重新处置")
            body = _("根据您的反馈，报告 #%(id)s 已退回%(department)s重新处置。") % {
                "id": report.pk,
                "department": department,
            }
        else:
            title = str(_TITLES[status])
            body = _("报告 #%(id)s（%(category)s）：%(status)s。") % {
                "id": report.pk,
                "category": localized(report.category, "name"),
                "status": status.label,
            }
            if status == S.RESOLVED:
                body += _("请在 App 中确认是否已解决，或提出异议。")
        return title, (body + " " + note) if note else body

    return _reporter_notice(report, message, f"event.{action}")


#: The event workflow as the shared core (backend.workflow.steps) runs it: table, timeline, notice.
#: ``Workflow[EventReport]``, inferred from the callables: spelled as an annotation, mypy would check the type argument
#: against ``Stateful`` before the Django plugin has typed the model's fields, and refuse it.
WORKFLOW = Workflow(allows=_allows, write=_write_timeline, notice=_transition_notice)


def _refused(action: str) -> Callable[[EventReport], str]:
    return lambda report: _("当前状态“%(status)s”不允许此操作（%(action)s）。") % {
        "status": report.get_status_display(),
        "action": action,
    }


def _apply(
    report: EventReport,
    action: str,
    actor: User | None,
    note: str = "",
    *,
    department: Department | None = None,
    cascade: bool = True,
) -> EventReport:
    """Apply one transition to a locked, fresh copy of the report. Raises 409 ``invalid_transition``."""
    with transaction.atomic():
        locked = lock(EventReport.objects.select_related("category", "department", "reporter"), pk=report.pk)
        if locked is None:
            raise NotFound()
        report = WORKFLOW.require(locked, action, _refused(action))
        from_status = report.status
        to_status = TRANSITIONS[action][from_status]
        now = timezone.now()
        if action == "close" and from_status == S.RECEIVED and not note:
            raise DomainError(
                "reason_required", _("直接关闭未处置的报告须说明原因。"), fields={"reason": [_("必填。")]}
            )
        report.status = to_status
        if action in ("dispatch", "start", "resolve", "close") and report.responded_at is None:
            report.responded_at = now
        if action == "resolve":
            report.resolved_at = now
        if to_status == S.CLOSED:
            report.closed_at = now
        if action == "dispute":
            report.resolved_at = None
            report.resolution_due_at = resolution_due(report.category.resolution_hours, now)
        if action == "transfer":
            if department is None:  # staff_action() found it; without one this is a programming error
                raise ValueError("transfer without a target department")
            report.department = department
        report.save()
        WORKFLOW.record(report, Step(action, actor, note, from_status, to_status, at=now))
        if cascade and action in STAFF_ACTIONS:
            for duplicate in report.duplicates.filter(status=from_status).only("pk"):
                _apply(
                    duplicate,
                    action,
                    actor,
                    (note + " " if note else "") + _("（随报告 #%(id)s 一并处理）") % {"id": report.pk},
                    department=department,
                    cascade=False,
                )
    return report


def staff_action(
    report: EventReport, actor: User, action: str, reason: Any = "", department: Any = None
) -> EventReport:
    """A clerk's step on the workflow. The caller has already scoped ``report`` to what the actor may see; acting
    needs more: supervisors read every department's reports but act on none (``permissions.may_act``)."""
    if not permissions.may_act(actor, report):
        raise Forbidden("permission_denied", _("仅承办部门的工作人员可以办理；督办人员只能查看。"))
    if action not in STAFF_ACTIONS:
        raise DomainError(
            "invalid_action", _("未知的操作。"), fields={"action": [_("可选：") + ", ".join(STAFF_ACTIONS)]}
        )
    note = _reason(reason)
    target = None
    if action == "transfer":
        if not note:
            raise DomainError("reason_required", _("转办须说明原因。"), fields={"reason": [_("必填。")]})
        code = department.code if isinstance(department, Department) else str(department or "")
        target = Department.objects.filter(code=code).first()
        if target is None:
            raise DomainError("unknown_department", _("未知的部门。"), fields={"department": [_("请选择有效的部门。")]})
        if target.pk == report.department_id:
            raise DomainError(
                "same_department", _("不能转办给本部门。"), fields={"department": [_("请选择其他部门。")]}
            )
        note = _("转办至%(department)s：%(reason)s") % {"department": target.name_zh, "reason": note}
    return _apply(report, action, actor, note, department=target)


def _own(report: EventReport, user: User) -> None:
    if report.reporter_id != user.pk:
        raise NotFound()


def confirm(report: EventReport, user: User, comment: Any = "") -> EventReport:
    """The reporter confirms the fix: resolved → closed."""
    _own(report, user)
    return _apply(report, "confirm", user, _reason(comment) or _("报告人确认问题已解决。"))


def dispute(report: EventReport, user: User, reason: Any) -> EventReport:
    """The reporter says it is not fixed: resolved → in_progress, with a reason and a fresh resolution period."""
    _own(report, user)
    note = _reason(reason)
    if not note:
        raise DomainError("reason_required", _("请说明问题未解决的原因。"), fields={"reason": [_("必填。")]})
    return _apply(report, "dispute", user, note)


def rate(report: EventReport, user: User, score: Any, comment: Any = "") -> EventReport:
    """好差评: 1-5 once, after the report is closed."""
    _own(report, user)
    value = ratings.score(
        score,
        DomainError("validation_error", _("评分须为 1 到 5。"), fields={"score": [_("请给出 1 到 5 分。")]}),
        text=True,
    )
    comment = _clean_text(comment, ratings.COMMENT_MAX, "comment")
    with transaction.atomic():
        locked = lock(EventReport.objects, pk=report.pk)
        if locked is None:
            raise NotFound()
        report = locked
        ratings.require_unrated(report.rating is not None, _("您已评价过该报告。"))
        if report.status != S.CLOSED:
            raise Conflict("not_rateable", _("报告办结后才能评价。"))
        report.rating, report.rating_comment, report.rated_at = value, comment, timezone.now()
        report.save(update_fields=["rating", "rating_comment", "rated_at", "updated_at"])
        WORKFLOW.record(report, Step(EventAction.Kind.RATE, user, f"{value}/5 {comment}".strip()), notify=False)
    return report
