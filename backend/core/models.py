"""Cross-cutting records. The core app stays at the bottom of the dependency graph: no foreign keys upward."""

from __future__ import annotations

from django.db import models


class PushReceipt(models.Model):
    """One row per notification handed to the push provider: what makes the push task idempotent.

    The push task runs with ``acks_late`` and ``reject_on_worker_lost``: a worker killed mid-task gets the task
    again. The receipt (unique per notification) turns that redelivery into a no-op once the provider accepted the
    push; see :class:`backend.core.push.IdempotentPushBackend`.
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
