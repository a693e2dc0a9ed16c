"""``notify()``: the one function other apps call to tell a resident something."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import User

from .models import Notification


def notify(user: User, kind: str, title: str, body: str = "", target: dict[str, Any] | None = None) -> Notification:
    """Store the notice in the inbox now; push it after the surrounding transaction commits."""
    from .tasks import push_notification

    notification = Notification.objects.create(user=user, kind=kind, title=title, body=body, target=target or {})
    transaction.on_commit(lambda: push_notification.delay(notification.pk))
    return notification


def mark_read(user: User, notification_id: int) -> Notification:
    notification = Notification.objects.get(pk=notification_id, user=user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
