from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    """The service catalogue shown to residents, built from the registered service modules."""

    name = "backend.catalogue"
    label = "catalogue"
    verbose_name = "服务目录 Catalogue"
