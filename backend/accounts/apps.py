from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    """Residents and staff users, departments, and the SMS channel used by sign-up."""

    name = "backend.accounts"
    label = "accounts"
    verbose_name = "账户与部门 Accounts"

    def ready(self) -> None:
        from .groups import on_post_migrate

        # Staff permission groups (clerks, supervisors) exist after every migrate.
        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="accounts.ensure_staff_groups")
