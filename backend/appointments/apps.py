from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "backend.appointments"
    label = "appointments"
    verbose_name = "预约 Appointments"

    def ready(self) -> None:
        # Periodic reminders for Celery beat. ``add_periodic_task`` waits for Celery's configuration to load when
        # it has not yet, so the entry is merged into CELERY_BEAT_SCHEDULE instead of being overwritten by it.
        from backend.cases.signals import counter_verified
        from backend.celery import app

        from . import conf
        from .services import on_counter_verified

        counter_verified.connect(on_counter_verified, dispatch_uid="appointments.attend_identity_check")

        app.add_periodic_task(
            float(conf.reminder_interval_seconds()),
            app.signature("appointments.send_reminders"),
            name="appointments-reminders",
        )
