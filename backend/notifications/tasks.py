"""The notifications' background work: the push of one notice, and the outbox sweep that re-queues pushes that
never reached a worker. Both are idempotent per notification (:class:`~backend.notifications.push.IdempotentPushBackend`
keeps a :class:`~backend.notifications.models.PushReceipt` per notice), so a notice queued twice is pushed once.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from .models import Notification, PushReceipt
from .push import get_backend

logger = logging.getLogger("yiwang.sweeps")

REPUSH_AFTER = dt.timedelta(minutes=2)
REPUSH_WITHIN = dt.timedelta(days=1)
REPUSH_BATCH = 500


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def push_notification(notification_id: int) -> None:
    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is not None:
        get_backend().send(notification)


@shared_task(acks_late=True)
def repush_pending() -> int:
    """The outbox sweep (Celery beat, every five minutes): a notice whose push never reached a worker (broker down
    when it was queued) has no receipt; it is queued again. Returns how many were queued."""
    now = timezone.now()
    sent = PushReceipt.objects.filter(sent_at__isnull=False).values("notification_id")
    pending = list(
        Notification.objects.filter(Q(created_at__gte=now - REPUSH_WITHIN) & Q(created_at__lte=now - REPUSH_AFTER))
        .exclude(pk__in=sent)
        .order_by("pk")
        .values_list("pk", flat=True)[:REPUSH_BATCH]
    )
    for pk in pending:
        push_notification.delay(pk)
    if pending:
        logger.warning("re-queued %d notification pushes that had no receipt", len(pending))
    return len(pending)


# The name before issue 12 (``backend/core/tasks.py``): a message queued under it before a deploy still runs.
repush_pending_old_name = shared_task(name="backend.core.tasks.repush_pending", acks_late=True)(repush_pending.run)
