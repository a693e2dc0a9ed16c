from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed


def check_services(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Discovery at start-up (``manage.py check``, runserver, migrate): a refused module is an error with its reason,
    an allow-listed code that nothing provides a warning."""
    from . import discovery

    try:
        discovery.reload()
        discovery.all_services()
        discovery.all_bundles()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), hint="docs/ADDING_A_SERVICE.md, 'Deployment'", id="yiwang.E101")]
    problems: list[checks.CheckMessage] = [
        checks.Error(problem, hint="docs/ADDING_A_SERVICE.md, 'Declaring a bundle'", id="yiwang.E102")
        for problem in discovery.bundle_problems()
    ]
    return problems + [
        checks.Warning(
            f"YIWANG_SERVICES lists {code!r}, but no installed service module has that code",
            hint="install its package, or correct the code",
            id="yiwang.W101",
        )
        for code in discovery.unknown_allow_listed()
    ]


def _forget_services(*, setting: str, **kwargs: Any) -> None:
    """Tests (and override_settings) change the allow-list or the settings: discovery is recomputed."""
    if setting in {"YIWANG_SERVICES", "YIWANG_SERVICE_SETTINGS"}:
        from . import discovery

        discovery.reload()


class CasesConfig(AppConfig):
    """The case engine (办件): state machine, decisions, deadlines, ratings, certificates."""

    name = "backend.cases"
    label = "cases"
    verbose_name = "办件 Cases"

    def ready(self) -> None:
        from backend.faceauth.purposes import register_purpose

        from . import bundles
        from .bundle_api import on_face_verified as on_bundle_face_verified
        from .face_api import on_face_verified
        from .faces import resolve_face_target
        from .signals import case_changed

        register_purpose(
            "case",
            resolve=resolve_face_target,
            on_verified=on_face_verified,
            label="办件刷脸核验",
            receives_check=True,  # whose face passed: the delegate's or the principal's (亲情代办)
        )
        register_purpose(
            "bundle",
            resolve=bundles.check_face_target,
            on_verified=on_bundle_face_verified,
            label="一件事刷脸核验",
        )
        case_changed.connect(bundles.on_case_changed, dispatch_uid="yiwang-bundles-follow-cases")
        checks.register(check_services, "yiwang")
        setting_changed.connect(_forget_services, dispatch_uid="yiwang-services-setting-changed")
