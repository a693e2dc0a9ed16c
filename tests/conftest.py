"""Shared fixtures: real database, real HTTP through DRF's test client, real photos.

Accounts are created the way the product creates them (registry import, allauth login), and API calls carry the
allauth ``X-Session-Token``, so tests exercise the same authentication path as the app.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.factories import login, resident_record

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
    """One imported resident with an account (not yet real-name verified)."""
    record = resident_record()
    import_data({"residents": [record]})
    return record


@pytest.fixture
def resident_client(resident: dict[str, Any]) -> APIClient:
    return login(resident["phone"])


@pytest.fixture
def verified_client(resident: dict[str, Any], resident_client: APIClient) -> APIClient:
    response = resident_client.post(
        "/api/v1/me/real-name", {"name": resident["name"], "id_number": resident["id_number"]}, format="json"
    )
    assert response.status_code == 200, response.content
    return resident_client
