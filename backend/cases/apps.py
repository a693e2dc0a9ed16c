from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "backend.cases"
    label = "cases"
    verbose_name = "办件 Cases"
