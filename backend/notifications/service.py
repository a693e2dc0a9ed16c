"""``notify()``: the one function other apps call to tell a resident something."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import User

from .models import Notification

logger = logging.getLogger(__name__)


def notify(user: User, kind: str, title: str, body: str = "", target: dict[str, Any] | None = None) -> Notification:
    """Store the notice in the inbox now; push it after the surrounding transaction commits."""
    notification = Notification.objects.create(user=user, kind=kind, title=title, body=body, target=target or {})
    transaction.on_commit(lambda: _queue_push(notification.pk))
    return notification


def _queue_push(notification_id: int) -> None:
    """The inbox row is the record; the push is a courtesy. A broker outage must not fail the request that has
    already committed a case or a booking, so it is logged instead."""
    from .tasks import push_notification

    try:
        push_notification.delay(notification_id)
    except Exception:  # kombu/redis raise many types when the broker is away
        logger.warning("push for notification %s not queued: broker unavailable", notification_id, exc_info=True)


def mark_read(user: User, notification_id: int) -> Notification:
    notification = Notification.objects.get(pk=notification_id, user=user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
