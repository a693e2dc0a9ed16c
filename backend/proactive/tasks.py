"""The 免申即享 scan as a periodic job (Celery beat, ``settings.CELERY_BEAT_SCHEDULE``): hourly incremental, daily
full. Idempotent: offers are unique per resident, service and period, so a repeated or concurrent run offers
nothing twice. Without a broker (``make run``) tasks run inline."""

from __future__ import annotations

from celery import shared_task

from .scan import scan_all


@shared_task(acks_late=True)
def proactive_scan(full: bool = False) -> list[str]:
    return [result.line() for result in scan_all(full=full)]
