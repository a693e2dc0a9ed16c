"""Periodic job of the drafts app (Celery beat, daily; ``settings.CELERY_BEAT_SCHEDULE``)."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task

logger = logging.getLogger("yiwang.sweeps")


@shared_task(acks_late=True)
def sweep_expired_drafts(now: str | None = None) -> dict[str, int]:
    """Delete drafts unchanged for 30 days (the resident is told) and warn 3 days ahead; idempotent."""
    from .services import sweep

    counts = sweep(dt.datetime.fromisoformat(now) if now else None)
    logger.info("draft sweep: %s", counts)
    return counts
