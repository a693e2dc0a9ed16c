from django.apps import AppConfig


class AssistedConfig(AppConfig):
    """Clerk-assisted filing at the counter (帮办代办, 国发〔2024〕3号): a clerk fills an application for a resident
    who is present, through the case engine, after checking their identity; the resident confirms it."""

    name = "backend.assisted"
    label = "assisted"
    verbose_name = "帮办代办 Assisted filing"
