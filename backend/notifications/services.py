"""``notify()``: the one function other apps call to tell a resident something."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from backend.accounts.models import User

from .models import Notification

logger = logging.getLogger(__name__)


def notify(
    user: User,
    kind: str,
    title: str,
    body: str = "",
    target: dict[str, Any] | None = None,
    *,
    title_en: str = "",
    body_en: str = "",
) -> Notification:
    """Store the notice in the inbox now; push it after the surrounding transaction commits.

    Prefer :func:`notify_translated`: a notice stored in one language is shown in that language to every reader."""
    notification = Notification.objects.create(
        user=user,
        kind=kind,
        title=str(title)[:200],
        body=str(body),
        title_en=str(title_en)[:200],
        body_en=str(body_en),
        target=target or {},
    )
    transaction.on_commit(lambda: _queue_push(notification.pk))
    return notification


def notify_translated(
    user: User, kind: str, render: Callable[[], tuple[str, str]], target: dict[str, Any] | None = None
) -> Notification:
    """``render()`` returns (title, body); it is called once in Chinese and once in English (``gettext``, ``Text``
    and ``localized`` follow the active language), so the inbox can show each reader their own language — whatever
    language the request that caused the notice was in."""
    with translation.override(settings.LANGUAGE_CODE):
        title, body = render()
    with translation.override("en"):
        title_en, body_en = render()
    return notify(user, kind, str(title), str(body), target, title_en=str(title_en), body_en=str(body_en))


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
