from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "backend.appointments"
    label = "appointments"
    verbose_name = "预约 Appointments"

    def ready(self) -> None:
        # Periodic reminders for Celery beat; merged into whatever schedule settings already define.
        from backend.celery import app

        from . import conf

        app.conf.beat_schedule = {
            **(app.conf.beat_schedule or {}),
            "appointments-reminders": {
                "task": "appointments.send_reminders",
                "schedule": float(conf.reminder_interval_seconds()),
            },
        }
