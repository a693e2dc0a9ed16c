"""SMS delivery behind a small backend interface, like Django's email backends.

No SMS gateway is reachable here; production plugs a provider in by pointing ``SMS_BACKEND`` at a class with a
``send(phone, text)`` method. The development backend logs messages (codes included, so a developer can sign up
locally); tests use the in-memory outbox.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("yiwang.sms")


@dataclass(frozen=True)
class Sms:
    phone: str
    text: str


class LogSmsBackend:
    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)


outbox: list[Sms] = []


class LocmemSmsBackend:
    """Keeps messages in :data:`outbox` for tests to read."""

    def send(self, phone: str, text: str) -> None:
        outbox.append(Sms(phone, text))


def send_sms(phone: str, text: str, purpose: str) -> None:
    from .models import SmsMessage

    import_string(settings.SMS_BACKEND)().send(phone, text)
    SmsMessage.objects.create(phone=phone, purpose=purpose)
