from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Residents and staff users, departments, and the SMS channel used by sign-up."""

    name = "backend.accounts"
    label = "accounts"
    verbose_name = "账户与部门 Accounts"
