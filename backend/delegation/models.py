"""Mandates (亲情代办授权): one resident (the principal) lets another (the delegate) act for them.

A mandate is invited by the principal and accepted by the delegate with a face check of the delegate, or created
active at once for a guardian (a child under 16 in the guardian's household, or a ward the registry names). It is
scoped (every service, or a list of service codes), ends on a date (default one year) and either side ends it at
any time. Every request made under it is a :class:`MandateUse` row (read-only in the admin).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Relation(models.TextChoices):
    HOUSEHOLD = "household", _("同户家庭成员")
    CLERK_CONFIRMED = "clerk_confirmed", _("窗口确认的亲属")
    GUARDIAN = "guardian", _("监护人")


class MandateStatus(models.TextChoices):
    INVITED = "invited", _("待接受")
    ACTIVE = "active", _("生效中")
    ENDED = "ended", _("已终止")
    EXPIRED = "expired", _("已到期")
    DECLINED = "declined", _("已拒绝")


#: Statuses that count towards the five-per-person limit and block a second invitation of the same pair.
OPEN = (MandateStatus.INVITED, MandateStatus.ACTIVE)


class Mandate(models.Model):
    principal = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("委托人"), on_delete=models.CASCADE, related_name="mandates_given"
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("代办人"), on_delete=models.CASCADE, related_name="mandates_held"
    )
    relation = models.CharField(_("关系"), max_length=20, choices=Relation.choices)
    #: ``["all"]`` for every service, else the service codes.
    scope = models.JSONField(_("授权范围"), default=list)
    status = models.CharField(_("状态"), max_length=10, choices=MandateStatus.choices, db_index=True)
    created_at = models.DateTimeField(_("邀请时间"), auto_now_add=True)
    starts_at = models.DateTimeField(_("生效时间"))
    ends_at = models.DateTimeField(_("到期时间"))
    accepted_at = models.DateTimeField(_("接受时间"), null=True, blank=True)
    accepted_face_event = models.OneToOneField(
        "faceauth.FaceEvent",
        verbose_name=_("接受时的刷脸记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ended_at = models.DateTimeField(_("终止时间"), null=True, blank=True)
    #: The expiry sweep (``tasks.sweep_mandates``): the reminder 30 days before the end, and the notice of the end,
    #: each sent once to both sides.
    reminded_at = models.DateTimeField(_("到期提醒时间"), null=True, blank=True)
    expiry_notified_at = models.DateTimeField(_("到期通知时间"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("终止人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("代办授权")
        verbose_name_plural = _("代办授权")
        permissions = [("confirm_relation", _("可确认户外亲属关系"))]
        constraints = [
            models.CheckConstraint(condition=~models.Q(principal=models.F("delegate")), name="mandate_not_self")
        ]
        indexes = [models.Index(fields=["delegate", "status"]), models.Index(fields=["principal", "status"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.principal_id}→{self.delegate_id} ({self.status})"

    @property
    def all_services(self) -> bool:
        return "all" in (self.scope or [])


class ConfirmedRelation(models.Model):
    """A relative outside the household whose relation a clerk checked at the counter (documents seen in person).

    It lets the principal invite that person in the app (and nothing more: the delegate still accepts with a face
    check). Created in the admin by staff holding ``delegation.confirm_relation``."""

    principal = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("委托人"), on_delete=models.CASCADE, related_name="+"
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("代办人"), on_delete=models.CASCADE, related_name="+"
    )
    kinship = models.CharField(_("亲属关系"), max_length=40, help_text=_("如：子女、兄弟姐妹"))
    evidence = models.CharField(_("核验的证明材料"), max_length=200)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("确认人"), on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("确认时间"), auto_now_add=True)

    class Meta:
        ordering = ["-confirmed_at"]
        verbose_name = _("窗口确认的亲属关系")
        verbose_name_plural = _("窗口确认的亲属关系")
        constraints = [models.UniqueConstraint(fields=["principal", "delegate"], name="unique_confirmed_relation")]

    def __str__(self) -> str:
        return f"{self.principal_id}↔{self.delegate_id} {self.kinship}"


class MandateUse(models.Model):
    """One request a delegate made under a mandate: the audit trail of uses (append-only, read-only admin)."""

    mandate = models.ForeignKey(Mandate, verbose_name=_("代办授权"), on_delete=models.CASCADE, related_name="uses")
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    method = models.CharField(_("方法"), max_length=10)
    path = models.CharField(_("路径"), max_length=200)
    action = models.CharField(_("操作"), max_length=60)
    status_code = models.PositiveSmallIntegerField(_("结果状态码"))

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("代办记录")
        verbose_name_plural = _("代办记录")

    def __str__(self) -> str:
        return f"{self.mandate_id} {self.method} {self.path} {self.status_code}"
