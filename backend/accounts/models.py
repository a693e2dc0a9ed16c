"""Users and departments.

One user model for residents and staff (clerks, supervisors): staff are residents of the city too, and one model
keeps allauth, the admin and permissions simple. Phone numbers are stored in E.164 (+86…), the form allauth
requires; the API shows them masked in national form.
"""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.core.i18n import localized


class Department(models.Model):
    """A government department: owns services, registries and city-event categories."""

    code = models.SlugField(max_length=40, unique=True)
    name_zh = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("部门")
        verbose_name_plural = _("部门")

    def __str__(self) -> str:
        return self.name_zh

    def natural_key(self) -> tuple[str]:
        return (self.code,)

    @property
    def name(self) -> str:
        """The name in the request's language."""
        return localized(self, "name")


def new_username() -> str:
    """Internal login name for residents, who log in by phone: random, so it reveals nothing."""
    return f"r_{secrets.token_hex(6)}"


class Role(models.TextChoices):
    RESIDENT = "resident", _("居民")
    CLERK = "clerk", _("窗口工作人员")
    SUPERVISOR = "supervisor", _("督查人员")


class YiwangUserManager(UserManager["User"]):
    def get_by_phone(self, phone: str) -> User | None:
        return self.filter(phone=phone).first()


class User(AbstractUser):
    phone = models.CharField(_("手机号"), max_length=20, unique=True, null=True, blank=True)
    phone_verified = models.BooleanField(_("手机号已验证"), default=False)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.RESIDENT)
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    # What pushes are written in (the inbox follows each request's Accept-Language); the app sets it (PATCH /me).
    language = models.CharField(_("语言"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)

    objects: ClassVar[YiwangUserManager] = YiwangUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="clerk") | models.Q(department__isnull=False),
                name="clerk_has_department",
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_clerk(self) -> bool:
        return self.role == Role.CLERK

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR


class SmsMessage(models.Model):
    """Every SMS the system sent, minus codes: proof of delivery attempts without keeping secrets."""

    phone = models.CharField(max_length=20)
    purpose = models.CharField(max_length=40)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("短信记录")
        verbose_name_plural = _("短信记录")

    def __str__(self) -> str:
        return f"{self.sent_at:%Y-%m-%d %H:%M} {self.purpose}"
