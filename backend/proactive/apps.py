from __future__ import annotations

from typing import Any

from django.apps import AppConfig


def _scan_after_import(sender: Any, **kwargs: Any) -> str:
    """``import_registry`` finished: offer what the new data qualifies for (an incremental scan)."""
    from .scan import scan_all

    results = scan_all()
    return "; ".join(result.line() for result in results)


class ProactiveConfig(AppConfig):
    """免申即享: the city offers services to residents its registries say qualify, before they ask."""

    name = "backend.proactive"
    label = "proactive"
    verbose_name = "免申即享 Proactive services"

    def ready(self) -> None:
        from backend.registries.signals import registry_imported

        registry_imported.connect(_scan_after_import, dispatch_uid="proactive-scan-after-import")
