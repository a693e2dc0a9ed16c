"""``manage.py appointment_reminders``: send due appointment reminders once (for cron, without Celery beat)."""

from django.core.management.base import BaseCommand

from backend.appointments.services import send_reminders


class Command(BaseCommand):
    help = "Notify bookings that start within the reminder window (each booking once)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"reminders sent: {send_reminders()}")
