"""Assisted sessions (帮办代办): a clerk at the counter files an application for a resident who is present.

A session is opened after the clerk checked the resident's identity (ID number and name against the household
registry, and the original ID card seen), is bound to that clerk and that resident, and ends confirmed (the case
was submitted), cancelled or expired (``ASSISTED_SESSION_MINUTES`` after it started). The pending application is
kept sealed (it may hold another person's ID number) until the resident confirms it; only then does the case engine
create a case. Every step is an :class:`AssistedEvent`, which nobody edits or deletes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SessionStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    CONFIRMED = "confirmed", _("已确认提交")
    CANCELLED = "cancelled", _("已取消")
    EXPIRED = "expired", _("已过期")


class ConfirmationMethod(models.TextChoices):
    SMS_CODE = "sms_code", _("短信确认码")
    COUNTER_FACE = "counter_face", _("窗口摄像头人脸确认")


class AssistedSession(models.Model):
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("帮办人员"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("帮办人员所在部门"), on_delete=models.PROTECT, related_name="+"
    )
    resident = models.ForeignKey(
        "registries.Resident", verbose_name=_("办事居民"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.OPEN, db_index=True
    )
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"))
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    face_verified_at = models.DateTimeField(_("人脸比对通过时间"), null=True, blank=True)
    face_failures = models.PositiveSmallIntegerField(_("人脸比对未通过次数"), default=0)
    # the pending application, sealed until the resident confirms it
    service_code = models.CharField(_("事项"), max_length=60, blank=True)
    form_sealed = models.TextField(_("申请表（加密）"), blank=True)
    form_filled_at = models.DateTimeField(_("填表时间"), null=True, blank=True)
    consent_at = models.DateTimeField(_("居民授权时间"), null=True, blank=True)
    # the SMS confirmation code: only a keyed hash is kept
    code_hash = models.CharField(_("确认码摘要"), max_length=128, blank=True)
    code_sent_at = models.DateTimeField(_("确认码发送时间"), null=True, blank=True)
    code_expires_at = models.DateTimeField(_("确认码过期时间"), null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(_("确认码错误次数"), default=0)
    codes_sent = models.PositiveSmallIntegerField(_("已发送确认码数"), default=0)
    confirmed_at = models.DateTimeField(_("居民确认时间"), null=True, blank=True)
    confirmation = models.CharField(_("确认方式"), max_length=20, choices=ConfirmationMethod.choices, blank=True)
    case = models.OneToOneField(
        "cases.Case", verbose_name=_("办件"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("帮办代办")
        verbose_name_plural = _("帮办代办")
        permissions = [("start_assisted_session", _("可在窗口为居民帮办代办"))]
        indexes = [models.Index(fields=["clerk", "status"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.service_code or '—'} ({self.status})"


class EventKind(models.TextChoices):
    STARTED = "started", _("开始帮办")
    IDENTITY_CHECKED = "identity_checked", _("核验身份证件")
    FACE_CHECKED = "face_checked", _("人脸比对通过")
    FACE_FAILED = "face_failed", _("人脸比对未通过")
    FORM_FILLED = "form_filled", _("填写申请")
    CODE_SENT = "code_sent", _("发送确认码")
    CODE_FAILED = "code_failed", _("确认码错误")
    CONFIRMED = "confirmed", _("居民确认并提交")
    EXPIRED = "expired", _("超时结束")
    CANCELLED = "cancelled", _("取消")


class AppendOnly(Exception):
    """An audit event was about to be changed or deleted."""


class AssistedEvent(models.Model):
    """One step of a session: who did what, when. Append-only: saving an existing row or deleting one raises."""

    session = models.ForeignKey(
        AssistedSession, verbose_name=_("帮办代办"), on_delete=models.PROTECT, related_name="events"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("事件"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("帮办记录")
        verbose_name_plural = _("帮办记录")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnly("assisted events are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnly("assisted events are never deleted")
