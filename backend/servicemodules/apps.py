from django.apps import AppConfig


class ServicemodulesConfig(AppConfig):
    name = "backend.servicemodules"
    label = "servicemodules"
    verbose_name = "服务模块 Service modules"
