"""Push hook: where a phone push provider plugs in.

No push provider is reachable here, so the default backend logs. A real deployment points ``PUSH_BACKEND`` at a
class with ``send(notification)`` (e.g. a vendor push SDK); it runs in a background task after the inbox row is
committed, so a slow provider never delays the request that caused the notice.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from .models import Notification

logger = logging.getLogger("yiwang.push")


class PushBackend(Protocol):
    def send(self, notification: Notification) -> None:
        """Deliver ``notification.push_text()`` (title, body in the recipient's language) to the user's devices."""
        ...


class LogPushBackend:
    def send(self, notification: Notification) -> None:
        title, _body = notification.push_text()
        logger.info("push to user %s: %s", notification.user_id, title)


def get_backend() -> PushBackend:
    return import_string(getattr(settings, "PUSH_BACKEND", "backend.notifications.push.LogPushBackend"))()
