"""一网统管: city event categories, routing rules, reports and their timeline.

A report is routed at creation to the department that owns its category (or, where a category is split by
district, to the department a :class:`RoutingRule` names for that district). Its life is a small state machine
(``services.TRANSITIONS``); every step lands on the timeline (:class:`EventAction`) and in the reporter's inbox.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import ClassVar, Self

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import Department
from backend.core.i18n import localized


class EventCategory(models.Model):
    """A kind of city problem; the Open311 "service" (``code`` is the ``service_code``)."""

    code = models.SlugField(_("编码"), max_length=60, unique=True)
    name_zh = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    description_zh = models.TextField(_("说明"), blank=True)
    description_en = models.TextField(_("英文说明"), blank=True)
    group = models.CharField(_("分组"), max_length=60, blank=True, help_text=_("Open311 group, e.g. 市政设施"))
    keywords = models.CharField(_("关键词"), max_length=200, blank=True, help_text=_("逗号分隔"))
    department = models.ForeignKey(
        Department, verbose_name=_("主管部门"), on_delete=models.PROTECT, related_name="event_categories"
    )
    response_hours = models.PositiveIntegerField(_("响应时限(小时)"), default=24)
    resolution_hours = models.PositiveIntegerField(_("处置时限(小时)"), default=7 * 24)
    # Open311 service-definition attributes: [{"code", "datatype", "required", "description", "order",
    # "datatype_description", "values": [{"key", "name"}]}]. Empty: the service has no metadata.
    attributes = models.JSONField(_("附加字段"), default=list, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("事件类别")
        verbose_name_plural = _("事件类别")
        constraints = [
            models.CheckConstraint(condition=models.Q(response_hours__gt=0), name="category_response_positive"),
            models.CheckConstraint(
                condition=models.Q(resolution_hours__gte=models.F("response_hours")),
                name="category_resolution_after_response",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name_zh} ({self.code})"

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def description(self) -> str:
        return localized(self, "description")


class RoutingRule(models.Model):
    """Where a category is split by district: reports from ``district`` go to ``department`` instead."""

    category = models.ForeignKey(
        EventCategory, verbose_name=_("事件类别"), on_delete=models.CASCADE, related_name="routing_rules"
    )
    district = models.CharField(_("区县"), max_length=50)
    department = models.ForeignKey(Department, verbose_name=_("承办部门"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["category", "district"]
        verbose_name = _("分区派单规则")
        verbose_name_plural = _("分区派单规则")
        constraints = [models.UniqueConstraint(fields=["category", "district"], name="unique_routing_rule")]

    def __str__(self) -> str:
        return f"{self.category.code} @ {self.district} → {self.department.code}"


class EventStatus(models.TextChoices):
    RECEIVED = "received", _("已受理")
    DISPATCHED = "dispatched", _("已派单")
    IN_PROGRESS = "in_progress", _("处置中")
    RESOLVED = "resolved", _("已办结待确认")
    CLOSED = "closed", _("已关闭")


OPEN_STATUSES = (EventStatus.RECEIVED, EventStatus.DISPATCHED, EventStatus.IN_PROGRESS)


# "Open": not yet resolved. "Overdue": open past its resolution limit. Each a Q once here, for the staff queue,
# the admin and the cockpit; :attr:`EventReport.is_open` / :attr:`EventReport.overdue` say the same of one report.
def open_q() -> models.Q:
    return models.Q(status__in=OPEN_STATUSES)


def overdue_q(now: dt.datetime) -> models.Q:
    return open_q() & models.Q(resolution_due_at__lt=now)


class EventReportQuerySet(models.QuerySet["EventReport"]):
    def open(self) -> Self:
        return self.filter(open_q())

    def overdue(self, now: dt.datetime | None = None) -> Self:
        return self.filter(overdue_q(now or timezone.now()))


EventReportManager = models.Manager.from_queryset(EventReportQuerySet)


class EventSource(models.TextChoices):
    APP = "app", _("一网 App")
    OPEN311 = "open311", _("Open311")
    DEMO = "demo", _("演示数据")


def photo_path(instance: EventReport, filename: str) -> str:
    """A random name: the client's file name never reaches the disk."""
    return f"events/{timezone.now():%Y/%m}/{secrets.token_hex(12)}.jpg"


class EventReport(models.Model):
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报告人"), on_delete=models.PROTECT, related_name="event_reports"
    )
    category = models.ForeignKey(EventCategory, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department, verbose_name=_("承办部门"), on_delete=models.PROTECT, related_name="event_reports"
    )
    district = models.CharField(_("区县"), max_length=50)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6)
    long = models.DecimalField(_("经度"), max_digits=9, decimal_places=6)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    description = models.TextField(_("描述"), blank=True)
    attributes = models.JSONField(_("附加信息"), default=dict, blank=True)
    photo = models.ImageField(_("照片"), upload_to=photo_path, blank=True)
    # GPS read from the original photo's EXIF before it was stripped (staff see whether photo and pin agree).
    photo_lat = models.DecimalField(_("照片纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    photo_long = models.DecimalField(_("照片经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    media_url = models.URLField(_("外部媒体链接"), max_length=500, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=EventStatus.choices, default=EventStatus.RECEIVED, db_index=True
    )
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("重复于"), null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    source = models.CharField(_("来源"), max_length=10, choices=EventSource.choices, default=EventSource.APP)
    idempotency_key = models.CharField(max_length=100, blank=True, editable=False)
    created_at = models.DateTimeField(_("报告时间"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    response_due_at = models.DateTimeField(_("响应期限"))
    resolution_due_at = models.DateTimeField(_("处置期限"))
    responded_at = models.DateTimeField(_("响应时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("评价"), null=True, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)

    objects: ClassVar[EventReportManager] = EventReportManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("城市事件")
        verbose_name_plural = _("城市事件")
        indexes = [
            models.Index(fields=["category", "created_at"]),
            models.Index(fields=["department", "status"]),
            models.Index(fields=["reporter", "-created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="event_rating_1_to_5",
            ),
            models.CheckConstraint(condition=models.Q(lat__gte=-90, lat__lte=90), name="event_lat_range"),
            models.CheckConstraint(condition=models.Q(long__gte=-180, long__lte=180), name="event_long_range"),
            models.UniqueConstraint(
                fields=["reporter", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="unique_event_idempotency_key",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.category.name_zh} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def overdue(self) -> bool:
        """:func:`overdue_q` for this report, now."""
        return self.is_open and self.resolution_due_at < timezone.now()


class EventAction(models.Model):
    """One line of a report's timeline: who did what, when, and why."""

    class Kind(models.TextChoices):
        CREATED = "created", _("提交")
        ROUTED = "routed", _("自动派单")
        DUPLICATE = "duplicate", _("重复关联")
        DISPATCH = "dispatch", _("派单")
        START = "start", _("开始处置")
        RESOLVE = "resolve", _("处置完毕")
        CLOSE = "close", _("关闭")
        TRANSFER = "transfer", _("转办")
        CONFIRM = "confirm", _("确认解决")
        DISPUTE = "dispute", _("不满意重办")
        RATE = "rate", _("评价")

    report = models.ForeignKey(EventReport, on_delete=models.CASCADE, related_name="actions")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    kind = models.CharField(_("动作"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT
    )
    from_status = models.CharField(max_length=20, choices=EventStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=EventStatus.choices, blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("事件处置记录")
        verbose_name_plural = _("事件处置记录")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"
