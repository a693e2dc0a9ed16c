from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Cross-cutting pieces every app uses: the error shape, masking, health."""

    name = "backend.core"
    label = "core"

    def ready(self) -> None:
        # checks registers the deploy checks; ids the <id:…> path converter, before any URLconf is read
        from . import checks, ids  # noqa: F401
