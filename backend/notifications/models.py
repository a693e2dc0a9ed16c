"""The resident's in-app inbox: one place for case, event and appointment updates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.core.i18n import is_english


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("类型"), max_length=40)  # e.g. case.approved, event.resolved, appointment.reminder
    # Chinese, and English when the sender rendered both (notify_translated); the API shows the reader's language.
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    title_en = models.CharField(_("标题（英文）"), max_length=200, blank=True, default="")
    body_en = models.TextField(_("内容（英文）"), blank=True, default="")
    # What the notice is about, for the app to open: {"type": "case", "id": 12} and the like.
    target = models.JSONField(_("关联对象"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        indexes = [models.Index(fields=["user", "read_at"]), models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return self.title

    def push_text(self) -> tuple[str, str]:
        """(title, body) in the recipient's own language (``User.language``): a push is read outside any request."""
        if self.user.language == "en":
            return self.title_en or self.title, self.body_en or self.body
        return self.title, self.body

    def localized_title(self) -> str:
        return (self.title_en or self.title) if is_english() else self.title

    def localized_body(self) -> str:
        return (self.body_en or self.body) if is_english() else self.body


class PushReceipt(models.Model):
    """One row per notification handed to the push provider: the outbox record that makes the push idempotent.

    The push task runs with ``acks_late`` and ``reject_on_worker_lost``: a worker killed mid-task gets the task
    again. The receipt (unique per notification) turns that redelivery into a no-op once the provider accepted the
    push (see :class:`backend.notifications.push.IdempotentPushBackend`); a notice without a sent receipt is pushed
    again by :func:`backend.notifications.tasks.repush_pending`. A plain id, not a foreign key: a receipt outlives
    nothing and is never joined (it moved here from ``core`` in issue 12, the table renamed with it).
    """

    notification_id = models.PositiveBigIntegerField(unique=True)
    claimed_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "推送回执 Push receipt"
        verbose_name_plural = "推送回执 Push receipts"

    def __str__(self) -> str:
        return f"push {self.notification_id}: {'sent' if self.sent_at else 'pending'}"
