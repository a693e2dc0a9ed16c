from django.apps import AppConfig


class ParkingConfig(AppConfig):
    """The service's own tables (the permits it issued). Installed only when the service is allow-listed."""

    name = "yiwang_parking"
    label = "yiwang_parking"
    verbose_name = "居民停车证 Parking permits"
    default_auto_field = "django.db.models.BigAutoField"
