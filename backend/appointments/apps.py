from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "backend.appointments"
    label = "appointments"
    verbose_name = "预约 Appointments"
