"""Periodic job of assisted filing (Celery beat, every 5 minutes; ``settings.CELERY_BEAT_SCHEDULE``): sessions past
their time end ``expired`` even when nobody opens them again, so the pending form is dropped promptly and the
resident is told that nothing was submitted."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger("yiwang.sweeps")


@shared_task(acks_late=True)
def expire_sessions() -> int:
    from .services import expire_due

    count = expire_due()
    if count:
        logger.info("assisted sessions expired: %s", count)
    return count
