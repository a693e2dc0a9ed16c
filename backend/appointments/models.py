"""Venues (service halls, clinics), their time slots, and residents' bookings.

Capacity is guarded twice: ``Slot.booked`` is only ever raised by a conditional UPDATE (``booked < capacity``)
while the slot row is locked, and a CHECK constraint (``booked <= capacity``) makes the database refuse an
overbooking whatever code path tried it. See docs/EVENTS.md, "Concurrency".
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import Department

from .conf import service_name

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class VenueKind(models.TextChoices):
    HALL = "hall", _("政务服务大厅")
    CLINIC = "clinic", _("医疗机构")


class Venue(models.Model):
    code = models.SlugField(_("编码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200)
    kind = models.CharField(_("类型"), max_length=10, choices=VenueKind.choices)
    district = models.CharField(_("区县"), max_length=50, blank=True)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    # Clerks of this department mark attendance here; empty: a shared hall any clerk may serve.
    department = models.ForeignKey(
        Department, verbose_name=_("所属部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    services = models.JSONField(_("可预约业务"), default=list, help_text=_("业务编码列表"))
    # {"mon": [["09:00", "12:00"], ["13:30", "17:00"]], ..., "sun": []} in local time (Asia/Shanghai).
    opening_hours = models.JSONField(_("开放时间"), default=dict)
    slot_minutes = models.PositiveSmallIntegerField(_("时段长度(分钟)"), default=30)
    slot_capacity = models.PositiveSmallIntegerField(_("每时段名额"), default=3)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("服务场所")
        verbose_name_plural = _("服务场所")

    def __str__(self) -> str:
        return self.name


class Slot(models.Model):
    venue = models.ForeignKey(Venue, verbose_name=_("场所"), on_delete=models.PROTECT, related_name="slots")
    service = models.CharField(_("业务"), max_length=60)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveSmallIntegerField(_("名额"))
    booked = models.PositiveSmallIntegerField(_("已预约"), default=0)

    class Meta:
        ordering = ["starts_at", "venue_id", "service"]
        verbose_name = _("预约时段")
        verbose_name_plural = _("预约时段")
        indexes = [models.Index(fields=["service", "starts_at"]), models.Index(fields=["venue", "starts_at"])]
        constraints = [
            models.UniqueConstraint(fields=["venue", "service", "starts_at"], name="unique_slot"),
            models.CheckConstraint(condition=models.Q(booked__lte=models.F("capacity")), name="slot_not_overbooked"),
            models.CheckConstraint(condition=models.Q(booked__gte=0), name="slot_booked_not_negative"),
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.venue} {self.service_name} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def remaining(self) -> int:
        return max(0, self.capacity - self.booked)

    @property
    def service_name(self) -> str:
        return service_name(self.service)


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("已预约")
    CANCELLED = "cancelled", _("已取消")
    NO_SHOW = "no_show", _("爽约")
    ATTENDED = "attended", _("已到场")


class BookingPurpose(models.TextChoices):
    SERVICE = "service", _("办理业务")
    #: An in-person identity check for a case whose face check the resident could not pass (issue 14).
    IDENTITY_CHECK = "identity_check", _("窗口核验身份")


class Booking(models.Model):
    slot = models.ForeignKey(Slot, verbose_name=_("时段"), on_delete=models.PROTECT, related_name="bookings")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("预约人"), on_delete=models.PROTECT, related_name="bookings"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=BookingStatus.choices, default=BookingStatus.BOOKED, db_index=True
    )
    created_at = models.DateTimeField(_("预约时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("标记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    idempotency_key = models.CharField(max_length=100, blank=True, editable=False)
    purpose = models.CharField(
        _("预约事由"), max_length=20, choices=BookingPurpose.choices, default=BookingPurpose.SERVICE, db_index=True
    )
    #: The case an identity-check booking is for (the case waits for the face check it replaces).
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="counter_bookings",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        constraints = [
            # One active booking per resident and slot.
            models.UniqueConstraint(
                fields=["slot", "user"], condition=models.Q(status="booked"), name="one_active_booking_per_slot"
            ),
            models.UniqueConstraint(
                fields=["user", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="unique_booking_idempotency_key",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.slot} ({self.get_status_display()})"
