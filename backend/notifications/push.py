"""Pushes to phones: where a provider plugs in, and the outbox that sends each notification once.

No push provider is reachable here, so the default provider logs. A deployment names its provider in
``PUSH_PROVIDER``: a class with ``send(notification)`` (e.g. a vendor push SDK). It runs in a background task after
the inbox row is committed, so a slow provider never delays the request that caused the notice.

``settings.PUSH_BACKEND`` (read by :func:`get_backend`) is :class:`IdempotentPushBackend` in every setup; it wraps
the provider. For each notification it:

1. takes the notification's :class:`~backend.notifications.models.PushReceipt` row under a row lock (created on
   first use), so two deliveries of the same task (a redelivery while the first is still running) are serialized;
2. returns at once if the receipt says the provider already accepted this notification (``sent_at``): the task
   was redelivered after a worker died between "sent" and "acknowledged";
3. otherwise calls the provider and stamps ``sent_at`` in the same transaction.

The one window left is a worker killed after the provider accepted the push but before the transaction committed:
the push is then sent again (at-least-once). Providers deduplicate that with the collapse/idempotency key we pass:
the notification id (APNs ``apns-collapse-id``, FCM ``collapse_key``, vendor SDKs' ``msgId``).
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Notification, PushReceipt

logger = logging.getLogger("yiwang.push")

DEFAULT_PROVIDER = "backend.notifications.push.LogPushBackend"


class PushBackend(Protocol):
    def send(self, notification: Notification) -> None:
        """Deliver ``notification.push_text()`` (title, body in the recipient's language) to the user's devices."""
        ...


class LogPushBackend:
    def send(self, notification: Notification) -> None:
        title, _body = notification.push_text()
        logger.info("push to user %s: %s", notification.user_id, title)


def provider() -> PushBackend:
    return import_string(getattr(settings, "PUSH_PROVIDER", DEFAULT_PROVIDER))()


class IdempotentPushBackend:
    def send(self, notification: Notification) -> None:
        with transaction.atomic():
            receipt, _ = PushReceipt.objects.select_for_update().get_or_create(notification_id=notification.pk)
            if receipt.sent_at is not None:
                logger.info("push %s already sent at %s: redelivery ignored", notification.pk, receipt.sent_at)
                return
            receipt.attempts += 1
            receipt.save(update_fields=["attempts"])
            provider().send(notification)
            receipt.sent_at = timezone.now()
            receipt.save(update_fields=["sent_at"])


def get_backend() -> PushBackend:
    return import_string(getattr(settings, "PUSH_BACKEND", DEFAULT_PROVIDER))()
