"""Finding service modules: built-in ones in ``backend.servicemodules``, third-party ones by entry point.

Like pretix and netbox plugins, a third-party service is a normal Python package; it declares

    [project.entry-points."yiwang.services"]
    my-service = "my_package.module:service"

and is found once installed, but switched on only when the deployment lists its code in ``YIWANG_SERVICES``
(settings; by default every built-in and no third-party service), as pretix enables a plugin per event. Codes must be
unique, and a module whose ``yiwang_requires`` does not admit this Yiwang (``backend.__version__``) is refused: both
are configuration errors at start-up (``ImproperlyConfigured``, and system check ``yiwang.E101``), not a silent
override or a module running on an engine it was not written for.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from functools import lru_cache
from importlib.metadata import entry_points

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

import backend

from .bundling import check_declaration, shared_form
from .plugins import Mode, ServiceBundle, ServiceModule

logger = logging.getLogger(__name__)

BUILTIN_PACKAGE = "backend.servicemodules"
ENTRY_POINT_GROUP = "yiwang.services"
BUNDLE_ENTRY_POINT_GROUP = "yiwang.bundles"


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
    check_compatible(obj, origin)
    return obj


def check_compatible(service: ServiceModule | ServiceBundle, origin: str, version: str | None = None) -> None:
    """Refuse a module whose ``yiwang_requires`` does not admit this Yiwang (pre-releases count as their release)."""
    yiwang = Version(version or backend.__version__)
    try:
        supported = SpecifierSet(service.yiwang_requires or "")
    except InvalidSpecifier as exc:
        raise ImproperlyConfigured(
            f"{origin}: yiwang_requires {service.yiwang_requires!r} is not a PEP 440 specifier"
        ) from exc
    if not supported.contains(yiwang, prereleases=True):
        raise ImproperlyConfigured(
            f"{origin} ({service.code} {service.version}) supports Yiwang {service.yiwang_requires}, "
            f"not this Yiwang {yiwang}: upgrade the module or remove it from YIWANG_SERVICES"
        )


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
    """Installed entry points. A package that is installed but not allow-listed is not even imported (its code
    does not run in a deployment that did not switch it on); the entry point's name is its service code."""
    allowed = allow_list()
    found = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if allowed is None or ep.name not in allowed:
            continue
        service = _as_service(ep.load(), f"entry point {ep.name}")
        if service.code != ep.name:
            raise ImproperlyConfigured(f"entry point {ep.name} ({ep.value}) must be named by its code {service.code!r}")
        found.append((service, f"{ep.value}"))
    return found


def allow_list() -> set[str] | None:
    """``settings.YIWANG_SERVICES`` as a set, or None when unset (every built-in, no third-party service)."""
    listed = getattr(settings, "YIWANG_SERVICES", None)
    return None if listed is None else set(listed)


def installed_services() -> dict[str, tuple[ServiceModule, str]]:
    """Every module found (built-in and allow-listed entry points), switched on or not, with where it came from."""
    found: dict[str, tuple[ServiceModule, str]] = {}
    for service, origin in _builtin() + _third_party():
        if service.code in found:
            raise ImproperlyConfigured(
                f"service code {service.code!r} defined by {found[service.code][1]} and {origin}"
            )
        found[service.code] = (service, origin)
    return found


def builtin_codes() -> list[str]:
    return sorted(service.code for service, _ in _builtin())


@lru_cache(maxsize=1)
def all_services() -> dict[str, ServiceModule]:
    """The services switched on in this deployment, by code."""
    allowed = allow_list()
    builtin = set(builtin_codes())
    registry = {
        code: service
        for code, (service, _) in installed_services().items()
        if (code in builtin if allowed is None else code in allowed)
    }
    return dict(sorted(registry.items()))


def unknown_allow_listed() -> list[str]:
    """Codes in ``YIWANG_SERVICES`` that no installed module provides (a typo, or a package not installed)."""
    allowed = allow_list() or set()
    return sorted(allowed - set(installed_services()) - set(installed_bundles()))


def get_service(code: str) -> ServiceModule | None:
    return all_services().get(code)


def reload() -> None:
    """Forget the discovered modules (tests and `startservice` add modules at run time)."""
    all_services.cache_clear()
    all_bundles.cache_clear()


# -- bundles (一件事一次办) -------------------------------------------------------------------------------------------
# Found like services: ``bundle = MyBundle()`` in a module of ``backend.servicemodules``, or an entry point in the
# group ``yiwang.bundles`` named by the bundle's code (imported only when the code is in ``YIWANG_SERVICES``). A
# built-in bundle is on whenever its members are; any bundle is offered only while every member is switched on.
def _as_bundle(obj: object, origin: str) -> ServiceBundle:
    if isinstance(obj, type) and issubclass(obj, ServiceBundle):
        obj = obj()
    if not isinstance(obj, ServiceBundle):
        raise ImproperlyConfigured(f"{origin} is not a ServiceBundle")
    check_declaration(obj, origin)
    check_compatible(obj, origin)
    return obj


def _builtin_bundles() -> list[tuple[ServiceBundle, str]]:
    package = importlib.import_module(BUILTIN_PACKAGE)
    found = []
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_") or info.name == "tests":
            continue
        module = importlib.import_module(f"{BUILTIN_PACKAGE}.{info.name}")
        if hasattr(module, "bundle"):
            found.append((_as_bundle(module.bundle, module.__name__), module.__name__))
    return found


def _third_party_bundles() -> list[tuple[ServiceBundle, str]]:
    allowed = allow_list()
    found = []
    for ep in entry_points(group=BUNDLE_ENTRY_POINT_GROUP):
        if allowed is None or ep.name not in allowed:
            continue
        bundle = _as_bundle(ep.load(), f"entry point {ep.name}")
        if bundle.code != ep.name:
            raise ImproperlyConfigured(f"entry point {ep.name} ({ep.value}) must be named by its code {bundle.code!r}")
        found.append((bundle, f"{ep.value}"))
    return found


def installed_bundles() -> dict[str, tuple[ServiceBundle, str]]:
    """Every bundle found (built-in and allow-listed entry points), offered or not, with where it came from."""
    found: dict[str, tuple[ServiceBundle, str]] = {}
    services = installed_services()
    for bundle, origin in _builtin_bundles() + _third_party_bundles():
        if bundle.code in found or bundle.code in services:
            other = found[bundle.code][1] if bundle.code in found else services[bundle.code][1]
            raise ImproperlyConfigured(f"bundle code {bundle.code!r} defined by {other} and {origin}")
        found[bundle.code] = (bundle, origin)
    return found


def bundle_problems() -> list[str]:
    """Bundles that can never be offered as declared: a member no installed module provides (a typo, a package
    not installed), or two members asking different questions under one shared field (system check E102)."""
    installed = {code: service for code, (service, _) in installed_services().items()}
    problems = []
    for code, (bundle, origin) in installed_bundles().items():
        unknown = [m.service for m in bundle.members if m.service not in installed]
        if unknown:
            problems.append(f"bundle {code} ({origin}) names unknown member service(s): {', '.join(unknown)}")
            continue
        try:
            shared_form(bundle, installed)
        except ImproperlyConfigured as exc:
            problems.append(f"{exc} ({origin})")
    return problems


@lru_cache(maxsize=1)
def all_bundles() -> dict[str, ServiceBundle]:
    """The bundles offered in this deployment: on (built-in, or allow-listed), every member switched on, and a
    shared form that holds together."""
    allowed = allow_list()
    services = all_services()
    offered = {}
    for code, (bundle, origin) in installed_bundles().items():
        builtin = origin.startswith(f"{BUILTIN_PACKAGE}.")
        if not builtin and (allowed is None or code not in allowed):
            continue
        if any(m.service not in services for m in bundle.members):
            continue
        try:
            shared_form(bundle, services)
        except ImproperlyConfigured:
            continue  # reported by the system check (bundle_problems)
        offered[code] = bundle
    return dict(sorted(offered.items()))


def get_bundle(code: str) -> ServiceBundle | None:
    return all_bundles().get(code)
