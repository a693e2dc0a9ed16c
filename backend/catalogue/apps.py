from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


class CatalogueConfig(AppConfig):
    """The service catalogue shown to residents, built from the registered service modules."""

    name = "backend.catalogue"
    label = "catalogue"
    verbose_name = "服务目录 Catalogue"

    def ready(self) -> None:
        from django.apps import apps

        from backend.accounts.models import Department

        from .cache import departments_changed, migrated

        # A renamed, added or removed department is shown by every catalogue response (backend/catalogue/cache.py).
        post_save.connect(departments_changed, sender=Department, dispatch_uid="catalogue-department-saved")
        post_delete.connect(departments_changed, sender=Department, dispatch_uid="catalogue-department-deleted")
        # Data migrations save historical models (no signal for Department); post_migrate is sent per app *with*
        # models, so it is heard from the departments' app, not from this one (which has none).
        post_migrate.connect(migrated, sender=apps.get_app_config("accounts"), dispatch_uid="catalogue-migrated")
