from __future__ import annotations

from celery import shared_task

from .models import Notification
from .push import get_backend


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def push_notification(notification_id: int) -> None:
    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is not None:
        get_backend().send(notification)
