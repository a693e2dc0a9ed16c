"""Background tasks. With ``REDIS_URL`` unset Celery runs them inline (``CELERY_TASK_ALWAYS_EAGER``); with Redis,
Celery beat runs the reminders every ``APPOINTMENTS_REMINDER_INTERVAL_SECONDS`` (registered in ``apps.py``).
Without a beat process, ``manage.py appointment_reminders`` from cron does the same."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="appointments.send_reminders")
def send_appointment_reminders() -> int:
    """Notify bookings starting within the reminder window (24 h by default), each once."""
    return services.send_reminders()
