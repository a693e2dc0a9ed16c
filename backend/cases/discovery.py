"""Finding service modules: built-in ones in ``backend.servicemodules``, third-party ones by entry point.

Like pretix and netbox plugins, a third-party service is a normal Python package; it declares

    [project.entry-points."yiwang.services"]
    my-service = "my_package.module:service"

and is picked up once installed. Codes must be unique: a clash is a configuration error at start-up, not a silent
override.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from functools import lru_cache
from importlib.metadata import entry_points

from django.core.exceptions import ImproperlyConfigured

from .plugins import Mode, ServiceModule

logger = logging.getLogger(__name__)

BUILTIN_PACKAGE = "backend.servicemodules"
ENTRY_POINT_GROUP = "yiwang.services"


def _as_service(obj: object, origin: str) -> ServiceModule:
    if isinstance(obj, type) and issubclass(obj, ServiceModule):
        obj = obj()
    if not isinstance(obj, ServiceModule):
        raise ImproperlyConfigured(f"{origin} is not a ServiceModule")
    for attr in ("code", "name", "department", "category"):
        if not getattr(obj, attr, None):
            raise ImproperlyConfigured(f"{origin} lacks `{attr}`")
    if obj.mode not in set(Mode):
        raise ImproperlyConfigured(f"{origin}: unknown mode {obj.mode!r}")
    return obj


def _builtin() -> list[tuple[ServiceModule, str]]:
    package = importlib.import_module(BUILTIN_PACKAGE)
    found = []
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_") or info.name == "tests":
            continue
        module = importlib.import_module(f"{BUILTIN_PACKAGE}.{info.name}")
        if hasattr(module, "service"):
            found.append((_as_service(module.service, module.__name__), module.__name__))
    return found


def _third_party() -> list[tuple[ServiceModule, str]]:
    found = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.append((_as_service(ep.load(), f"entry point {ep.name}"), f"{ep.value}"))
    return found


@lru_cache(maxsize=1)
def all_services() -> dict[str, ServiceModule]:
    registry: dict[str, ServiceModule] = {}
    origins: dict[str, str] = {}
    for service, origin in _builtin() + _third_party():
        if service.code in registry:
            raise ImproperlyConfigured(f"service code {service.code!r} defined by {origins[service.code]} and {origin}")
        registry[service.code] = service
        origins[service.code] = origin
    return dict(sorted(registry.items()))


def get_service(code: str) -> ServiceModule | None:
    return all_services().get(code)


def reload() -> None:
    """Forget the discovered modules (tests and `startservice` add modules at run time)."""
    all_services.cache_clear()
