"""Periodic job of the delegation app (Celery beat, daily; ``settings.CELERY_BEAT_SCHEDULE``)."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task

logger = logging.getLogger("yiwang.sweeps")


@shared_task(acks_late=True)
def sweep_mandates(now: str | None = None) -> dict[str, int]:
    """End mandates past their end date (both sides told) and remind both sides 30 days ahead; idempotent."""
    from .services import sweep

    counts = sweep(dt.datetime.fromisoformat(now) if now else None)
    logger.info("mandate sweep: %s", counts)
    return counts
