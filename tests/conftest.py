"""Shared fixtures: real database, real HTTP through DRF's test client, real photos.

Accounts are created the way the product creates them (registry import, allauth login), and API calls carry the
allauth ``X-Session-Token``, so tests exercise the same authentication path as the app.

The people are those of ``tests/personas.py``: ``demo`` loads the demo city, ``acting(persona or phone)`` and the
named fixtures (``zhang_jianguo``, ``li_defu``, ``housing_clerk``, ...) give them ready to act; ``resident`` (高远)
and ``wang_fang`` are imported on their own for tests that need no demo city.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests import personas
from tests.personas import Acting, Persona, Staff

FACES = Path(__file__).parent / "faces"


@pytest.fixture(autouse=True)
def _isolated_media(tmp_path_factory: pytest.TempPathFactory, settings) -> None:
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    settings.SMS_BACKEND = "backend.accounts.sms.LocmemSmsBackend"
    # Password hashing is deliberately slow; tests create many accounts and only need it correct.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests do not run collectstatic; the hashed-manifest storage is for deployments.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True, scope="session")
def _short_lived_connections() -> None:
    """Live-server threads must not keep database connections open past their request: the test database could
    not be dropped at the end of the run."""
    from django.db import connections

    for alias in connections.settings:
        connections.settings[alias]["CONN_MAX_AGE"] = 0


@pytest.fixture(autouse=True)
def _reference_data(request: pytest.FixtureRequest) -> None:
    """Transactional tests start from a flushed database, without the rows migrations created (departments, staff
    groups); the product always has them, so they are put back before such a test runs."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"live_server", "transactional_db"} & set(request.fixturenames)
    )
    if not transactional:
        return
    request.getfixturevalue("_django_db_helper")
    from backend.accounts.departments import ensure_departments
    from backend.accounts.groups import ensure_staff_groups

    ensure_departments()
    ensure_staff_groups()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Rate limits and throttles live in the cache; each test starts with none used."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _sms_outbox() -> None:
    from backend.accounts import sms

    sms.outbox.clear()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def registry_dir(tmp_path: Path) -> Path:
    (tmp_path / "photos").mkdir()
    for name in ("biden_1.jpg", "obama_1.jpg", "kit_harington_1.jpg", "rose_leslie_1.jpg"):
        shutil.copy(FACES / name, tmp_path / "photos" / name)
    return tmp_path


@pytest.fixture
def import_data(registry_dir: Path) -> Callable[[dict[str, Any]], Any]:
    from backend.registries.importer import import_registry

    def run(data: dict[str, Any]) -> Any:
        return import_registry(data, registry_dir)

    return run


@pytest.fixture
def resident(import_data) -> dict[str, Any]:
    """高远 (:data:`tests.personas.GAO_YUAN`), imported with an account, not yet real-name verified."""
    record = personas.GAO_YUAN.record()
    import_data({"residents": [record]})
    return record


@pytest.fixture
def resident_client(resident: dict[str, Any]) -> APIClient:
    return personas.GAO_YUAN.login()


@pytest.fixture
def verified_client(resident: dict[str, Any], resident_client: APIClient) -> APIClient:
    response = resident_client.post(
        "/api/v1/me/real-name", {"name": resident["name"], "id_number": resident["id_number"]}, format="json"
    )
    assert response.status_code == 200, response.content
    return resident_client


@pytest.fixture
def wang_fang(import_data) -> APIClient:
    """王芳 (:data:`tests.personas.WANG_FANG`), imported and logged in: the other resident."""
    import_data({"residents": [personas.WANG_FANG.record()]})
    return personas.WANG_FANG.login()


# -- the demo city and its people -------------------------------------------------------------------------------------
@pytest.fixture
def demo(db) -> dict[str, dict[str, Any]]:
    """The demo city loaded as ``make run`` loads it, without its demo cases (tests make their own); returns the
    demo residents' registry rows by phone."""
    from django.core.management import call_command
    from django.utils import timezone

    from backend.demo.city import build_demo_registry

    # without its offers too (免申即享 scans read and notify; tests/proactive scan when they mean to)
    call_command("load_demo", "--skip", "cases", "--skip", "proactive", stdout=StringIO())
    data = build_demo_registry(timezone.localdate())
    return {r["phone"]: r for r in data["residents"] if r.get("phone")}


@pytest.fixture
def acting(demo) -> Callable[[Persona | str], Acting]:
    """``acting(personas.ZHANG_JIANGUO)`` (or a demo phone): the demo resident logged in, real name bound."""

    def act(who: Persona | str) -> Acting:
        return Acting(demo[who if isinstance(who, str) else who.phone])

    return act


@pytest.fixture
def clerk(demo) -> Callable[[str], APIClient]:
    """``clerk("housing")``: the demo clerk of a department, logged in to the staff API."""
    staff = {s.department: s for s in (personas.HOUSING_CLERK, personas.EDUCATION_CLERK, personas.PROVIDENT_FUND_CLERK,
                                        personas.CITY_CLERK)}  # fmt: skip
    return lambda department: staff[department].login()


@pytest.fixture
def zhang_jianguo(acting) -> Acting:
    """张建国, the demo city's main applicant (:data:`tests.personas.ZHANG_JIANGUO`), ready to apply."""
    return acting(personas.ZHANG_JIANGUO)


@pytest.fixture
def wu_min(acting) -> Acting:
    """吴敏 (:data:`tests.personas.WU_MIN`), another demo household: the attacker of the security tests."""
    return acting(personas.WU_MIN)


@pytest.fixture
def li_defu(acting) -> Acting:
    """李德福, the elder born in 1948 (:data:`tests.personas.LI_DEFU`)."""
    return acting(personas.LI_DEFU)


@pytest.fixture
def wang_guilan(acting) -> Acting:
    """王桂兰, the elder born in 1952 (:data:`tests.personas.WANG_GUILAN`)."""
    return acting(personas.WANG_GUILAN)


def _staff_client(staff: Staff) -> APIClient:
    staff.account()
    return staff.login()


@pytest.fixture
def housing_clerk(db) -> APIClient:
    """The demo city's housing clerk, logged in to the staff API (the account is created if the city is not)."""
    return _staff_client(personas.HOUSING_CLERK)


@pytest.fixture
def education_clerk(db) -> APIClient:
    """The demo city's education clerk, logged in to the staff API."""
    return _staff_client(personas.EDUCATION_CLERK)


@pytest.fixture
def city_clerk(db) -> APIClient:
    """The demo city's city-management clerk, logged in to the staff API."""
    return _staff_client(personas.CITY_CLERK)


@pytest.fixture
def supervisor(db) -> APIClient:
    """The demo city's supervisor (every department), logged in to the staff API."""
    return _staff_client(personas.SUPERVISOR)


@pytest.fixture
def superuser(db) -> Client:
    """A browser logged in to the Django admin as the demo city's superuser."""
    browser = Client()
    browser.force_login(personas.SUPERUSER.account())
    return browser
