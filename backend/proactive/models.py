"""免申即享 offers: what the city's scan found a resident qualifies for, and what the resident made of it.

An :class:`Offer` is unique per (resident, service, period key): the scan can run any number of times and offers a
period once (a declined one is remembered, not offered again). It keeps the rule trace and the data items the scan
used, so the resident sees why before confirming; the confirmation files a normal case (``case``).
A :class:`ScanWatermark` per service remembers when the last scan started: the next incremental scan looks only at
residents whose registry data changed after it (or whom time made candidates since that day).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.cases.models import Case
from backend.registries.models import Resident


class OfferStatus(models.TextChoices):
    OFFERED = "offered", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    DECLINED = "declined", _("已放弃")
    EXPIRED = "expired", _("已失效")


class ScanRun(models.Model):
    """One scan of one service: what it looked at and what it found (the operators' record)."""

    service_code = models.CharField(_("事项"), max_length=80)
    full = models.BooleanField(_("全量"), default=False)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    evaluated = models.PositiveIntegerField(_("核验人数"), default=0)
    offered = models.PositiveIntegerField(_("新增服务"), default=0)
    expired = models.PositiveIntegerField(_("失效服务"), default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("免申即享筛查")
        verbose_name_plural = _("免申即享筛查")

    def __str__(self) -> str:
        return f"{self.service_code} {self.started_at:%Y-%m-%d %H:%M}"


class ScanWatermark(models.Model):
    """Where the last scan of a service started (time and the city's day): the next incremental scan's horizon."""

    service_code = models.CharField(_("事项"), max_length=80, unique=True)
    scanned_at = models.DateTimeField(_("上次筛查开始"))
    scanned_on = models.DateField(_("上次筛查日期"))

    class Meta:
        verbose_name = _("筛查水位")
        verbose_name_plural = _("筛查水位")

    def __str__(self) -> str:
        return f"{self.service_code} @ {self.scanned_at:%Y-%m-%d %H:%M}"


class Offer(models.Model):
    resident = models.ForeignKey(Resident, verbose_name=_("居民"), on_delete=models.PROTECT, related_name="+")
    service_code = models.CharField(_("事项"), max_length=80)
    period_key = models.CharField(_("周期"), max_length=100)
    status = models.CharField(_("状态"), max_length=10, choices=OfferStatus.choices, default=OfferStatus.OFFERED)
    form = models.JSONField(_("申请表"), default=dict)  # the discovery form the rules passed with
    rule_trace = models.JSONField(_("规则核验"), default=list)
    data_items = models.JSONField(_("使用的数据"), default=list)  # [{"department": code, "items": [key, …]}]
    proposal = models.JSONField(_("拟办结果"), default=dict)
    scan = models.ForeignKey(ScanRun, verbose_name=_("筛查"), null=True, blank=True, on_delete=models.SET_NULL)
    case = models.ForeignKey(
        Case, verbose_name=_("办件"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("推送时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("确认/放弃时间"), null=True, blank=True)
    expired_at = models.DateTimeField(_("失效时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("免申即享服务")
        verbose_name_plural = _("免申即享服务")
        constraints = [
            models.UniqueConstraint(fields=["resident", "service_code", "period_key"], name="one_offer_per_period")
        ]
        indexes = [models.Index(fields=["service_code", "status"]), models.Index(fields=["resident", "status"])]

    def __str__(self) -> str:
        return f"{self.service_code} {self.period_key} → {self.resident_id} ({self.status})"
