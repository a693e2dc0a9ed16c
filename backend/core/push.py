"""Exactly-once-per-notification pushes on top of any push provider.

``settings.PUSH_BACKEND`` (read by :func:`backend.notifications.push.get_backend`) points here in every setup; the
real provider is ``settings.PUSH_PROVIDER`` (default: the logging backend). For each notification the wrapper:

1. takes the notification's :class:`~backend.core.models.PushReceipt` row under a row lock (created on first use), so
   two deliveries of the same task (a redelivery while the first is still running) are serialized;
2. returns at once if the receipt says the provider already accepted this notification (``sent_at``): the task
   was redelivered after a worker died between "sent" and "acknowledged";
3. otherwise calls the provider and stamps ``sent_at`` in the same transaction.

The one window left is a worker killed after the provider accepted the push but before the transaction committed:
the push is then sent again (at-least-once). Providers deduplicate that with the collapse/idempotency key we pass:
the notification id (APNs ``apns-collapse-id``, FCM ``collapse_key``, vendor SDKs' ``msgId``).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import PushReceipt

logger = logging.getLogger("yiwang.push")

DEFAULT_PROVIDER = "backend.notifications.push.LogPushBackend"


def provider() -> Any:
    return import_string(getattr(settings, "PUSH_PROVIDER", DEFAULT_PROVIDER))()


class IdempotentPushBackend:
    def send(self, notification: Any) -> None:
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
