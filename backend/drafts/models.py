"""A draft (草稿): the form answers of an application not yet submitted, consent not yet given.

The form is stored *masked* (what every screen shows) and the identifiers a service marks ``x-identifier`` sealed
in ``sealed_identifiers`` (encrypted, bound to ``seal_key``), as a case stores them (``cases/identifiers.py``): a
database dump does not hand out a child's ID number because a parent saved a draft.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Draft(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts", verbose_name=_("居民")
    )
    service_code = models.CharField(_("服务"), max_length=80)
    form = models.JSONField(_("表单（已脱敏）"), default=dict, blank=True)
    sealed_identifiers = models.TextField(_("加密的证件号"), blank=True, default="")
    # Binds the sealed identifiers to this row: a token copied into another draft does not decrypt there.
    seal_key = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("最后修改"), default=timezone.now)
    # The "deleted in 3 days" notice went out for this version of the draft (an update clears it).
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("草稿")
        verbose_name_plural = _("草稿")
        ordering = ["-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "-updated_at"], name="draft_user_updated"),
            models.Index(fields=["updated_at"], name="draft_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.service_code} #{self.pk}"
