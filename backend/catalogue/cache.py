"""The public catalogue, cached: what ``GET /services`` and ``GET /services/{code}`` show is the same for every
caller, changes when code is deployed or a department is renamed, and used to be rebuilt on every request.

What is cached, per language (the serializers resolve ``Text`` and department names for the active one):

* the *index*: every service's summary plus the departments' names in both languages. The list view filters it
  (``q``, ``category``, ``department``) in the process, against the registered service modules, so any query string
  is served from one entry. Caching one entry per query string instead would let anyone fill the cache with
  arbitrary ``?q=`` values and evict what shares it: DRF throttle histories and allauth's login rate limits
  (``backend/core/cache.py``).
* each service's *detail*, for registered codes only (an unknown code is a 404 before the cache is asked).

The data is cached, not the rendered bytes: DRF still negotiates the renderer (JSON, or the browsable API, which
shows the logged-in user and must never be shared) and the middleware still sets ``Content-Language``/``Vary``.
``?eligible=true`` is per resident: the view bypasses this module for it.

Invalidation is by *key version*, never by deleting keys: every key embeds

* a fingerprint of the registered service modules (codes and every declarative attribute, the data items they
  show) and of this app's rendering code, computed once per process and per registry reload — a deploy that
  changes a service, adds one, or changes the response shape reads fresh keys, also while old and new processes
  run side by side during a rolling restart;
* a *generation* counter in the cache, incremented (``cache.incr``) by ``post_save``/``post_delete`` of
  :class:`~backend.accounts.models.Department` (again when the transaction commits, so a request that read the
  old rows before the commit cannot leave them under the new generation) and by ``migrate`` (data migrations save
  historical models, which send no signals for ``Department``).

Deleting by pattern would need ``SCAN`` on Redis (slow, and not atomic with concurrent writers) and is not in
Django's cache API; versioned keys cost one ``GET`` of the generation per request and let stale entries expire on
their own. A missing generation (never set, evicted, or Redis flushed) restarts from a random number, not from 0,
so it cannot land on a generation whose entries are still cached. And since what a key names never changes, each
process also keeps the entries it has read (:data:`_held`): a warm request is that one ``GET``, no unpickling.

Staleness is bounded by :data:`ENTRY_SECONDS` + :data:`HELD_SECONDS` where no signal arrives:
``QuerySet.update()``/``bulk_create`` on departments, and a Redis outage (``ResilientRedisCache`` then answers from
each process's memory: a rename reaches only the process that saved it, and Redis never hears of it). Set
``CATALOGUE_CACHE = False`` to switch the cache off (``bench/catalogue_inproc.py`` does, to compare).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from rest_framework.request import Request
from rest_framework.response import Response

from backend.accounts.departments import departments_by_code
from backend.cases.discovery import all_services
from backend.cases.plugins import ServiceModule
from backend.registries.items import ITEMS

from .serializers import service_detail, service_summary

T = TypeVar("T")

#: Lifetime of a cached entry: bounds how long a change that sent no signal stays visible.
ENTRY_SECONDS = 600
#: Entries this process has read, by language and name: (key, until, value). What a key names never changes, so a
#: process may keep it and skip the shared cache's GET and unpickling; it still reads the generation every request,
#: so invalidation stays immediate. Only the current key of each name is kept. Values are shared: read-only.
_held: dict[tuple[str, str], tuple[str, float, Any]] = {}
#: How long a held entry is used without asking the shared cache (adds to the staleness bound of ENTRY_SECONDS).
HELD_SECONDS = 60
#: ``Cache-Control: public, max-age`` of the cacheable responses (browsers, CDNs); a rename shows within this.
HTTP_MAX_AGE = 60
GENERATION_KEY = "catalogue:departments-generation"
#: The code whose output is cached: a change to it changes the fingerprint, as a change to a service does.
RENDERING_CODE = ("serializers.py", "cache.py")


class DepartmentNames(NamedTuple):
    zh: str
    en: str


class CatalogueIndex(NamedTuple):
    """What the list view needs: the summaries by code (registry order) and department names by code."""

    summaries: dict[str, dict[str, Any]]
    departments: dict[str, DepartmentNames]


def enabled() -> bool:
    return bool(getattr(settings, "CATALOGUE_CACHE", True))


# -- building (what a miss, or the uncached path, costs: one query for the departments) ---------------------------
def build_index() -> CatalogueIndex:
    departments = departments_by_code()
    return CatalogueIndex(
        summaries={code: service_summary(s, departments) for code, s in all_services().items()},
        departments={code: DepartmentNames(d.name_zh, d.name_en) for code, d in departments.items()},
    )


def build_detail(service: ServiceModule) -> dict[str, Any]:
    return service_detail(service, departments_by_code())


# -- reading through the cache -------------------------------------------------------------------------------------
def catalogue_index() -> CatalogueIndex:
    if not enabled():
        return build_index()
    return _cached("index", build_index)


def catalogue_detail(service: ServiceModule) -> dict[str, Any]:
    """The detail of a registered service (look the code up first: unknown codes must not create entries)."""
    if not enabled():
        return build_detail(service)
    return _cached(f"detail:{service.code}", lambda: build_detail(service))


def _cached(name: str, build: Callable[[], T]) -> T:
    language = _language()
    key = f"catalogue:{registry_fingerprint()}:{department_generation()}:{language}:{name}"
    held = _held.get((language, name))
    if held is not None and held[0] == key and held[1] > time.monotonic():
        return held[2]
    value = cache.get(key)
    if value is None:
        value = build()
        # Pickled, with the classes of this module: their source is part of the fingerprint, so a changed class
        # never reads an entry written by the old one.
        cache.set(key, value, ENTRY_SECONDS)
    _held[language, name] = (key, time.monotonic() + HELD_SECONDS, value)
    return value


def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


# -- the HTTP side -------------------------------------------------------------------------------------------------
def public_response(request: Request, data: Any) -> Response:
    """A response any client may cache briefly: the same for every caller in the negotiated language."""
    response = Response(data)
    patch_vary_headers(response, ("Accept-Language",))
    if request.accepted_renderer.format == "json":
        # Not for the browsable API's HTML: it shows the logged-in user and a CSRF token.
        patch_cache_control(response, public=True, max_age=HTTP_MAX_AGE)
    return response


def private_response(data: Any) -> Response:
    """A response for one caller only (``?eligible=true``): no shared cache may keep it."""
    response = Response(data)
    patch_vary_headers(response, ("Accept-Language",))
    patch_cache_control(response, private=True, no_cache=True)
    return response


# -- the version: registered service modules ----------------------------------------------------------------------
_fingerprint: tuple[tuple[ServiceModule, ...], str] | None = None


def registry_fingerprint() -> str:
    """A hash of the registered services as the catalogue shows them, and of the code that renders them.

    Computed again only when the registry holds other module objects (``discovery.reload()``, e.g. by
    ``startservice``); holding the objects keeps their ids from being reused."""
    global _fingerprint
    registered = tuple(all_services().values())
    known = _fingerprint
    if known is not None and known[0] == registered:  # the same module objects (compared by identity)
        return known[1]
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for filename in RENDERING_CODE:
        digest.update((here / filename).read_bytes())
    for service in registered:
        digest.update(json.dumps(_metadata(service), sort_keys=True, default=_plain, ensure_ascii=False).encode())
    value = digest.hexdigest()[:16]
    _fingerprint = (registered, value)  # one assignment: threads see the old pair or the new one
    return value


def _metadata(service: ServiceModule) -> dict[str, Any]:
    """Every public, non-callable attribute (``code``, names, department, form, data uses, keywords, …) and the
    registry items the service shows (their labels and departments live in ``backend.registries.items``)."""
    found: dict[str, Any] = {}
    for attribute in dir(service):
        if attribute.startswith("_"):
            continue
        value = getattr(service, attribute)
        if not callable(value):
            found[attribute] = value
    found["_items"] = {
        use.key: (ITEMS[use.key].label, ITEMS[use.key].department) if use.key in ITEMS else None for use in service.data
    }
    return found


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (set, frozenset)):
        return sorted(map(str, value))
    return str(value)


# -- the version: departments ------------------------------------------------------------------------------------
def department_generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, _fresh_generation(), None)
        generation = cache.get(GENERATION_KEY)  # whoever's add won
        if generation is None:  # a cache that keeps nothing (DummyCache): every request is a miss
            return _fresh_generation()
    return int(generation)


def bump_department_generation() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # missing: a fresh random start is a new generation too
        cache.add(GENERATION_KEY, _fresh_generation(), None)


def _fresh_generation() -> int:
    return secrets.randbits(48)


def departments_changed(*, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """``post_save``/``post_delete`` of ``Department``: now (this request and tests see it at once), and again at
    commit (a concurrent request may have cached the old rows under the generation bumped before the commit)."""
    bump_department_generation()
    if transaction.get_connection(using).in_atomic_block:
        transaction.on_commit(bump_department_generation, using=using)


def migrated(**kwargs: Any) -> None:
    bump_department_generation()
