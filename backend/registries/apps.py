from django.apps import AppConfig


class RegistriesConfig(AppConfig):
    """Department registries (数据共享交换): what departments already know, read only with consent and logged."""

    name = "backend.registries"
    label = "registries"
    verbose_name = "部门数据 Registries"
