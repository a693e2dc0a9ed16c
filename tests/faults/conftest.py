"""Fault tests: backing services fail while the app runs.

Markers (registered here, so ``-m "not faults"`` or ``-m "not needs_redis"`` skips them where a service is missing):
``faults`` on every test of this folder; ``needs_redis`` where a real Redis at ``FAULT_REDIS_URL`` (default
``redis://127.0.0.1:6379/15``, a database index nothing else here uses) must answer; ``postgres`` where the
behaviour is PostgreSQL's. Tests that need a service that is not there skip themselves with the reason.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from backend import celery_app

FAULT_REDIS_URL = os.environ.get("FAULT_REDIS_URL", "redis://127.0.0.1:6379/15")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "faults: fault-injection tests (tests/faults)")
    config.addinivalue_line("markers", "needs_redis: needs a Redis server at FAULT_REDIS_URL")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/faults/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.faults)


def closed_port() -> int:
    """A local TCP port with nothing listening on it (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_url() -> str:
    if not reachable(FAULT_REDIS_URL):
        pytest.skip(f"no Redis at {FAULT_REDIS_URL}")
    return FAULT_REDIS_URL


def _reset_celery_connections() -> None:
    celery_app.pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker(request: pytest.FixtureRequest) -> Iterator[callable]:
    """Point Celery's publisher at a broker URL for the test (tasks are then sent, not run inline); restore after."""
    saved = celery_app.conf.CELERY_BROKER_URL, celery_app.conf.CELERY_TASK_ALWAYS_EAGER

    def use(url: str) -> None:
        _reset_celery_connections()
        celery_app.conf.CELERY_BROKER_URL = url
        celery_app.conf.CELERY_TASK_ALWAYS_EAGER = False

    yield use
    _reset_celery_connections()
    celery_app.conf.CELERY_BROKER_URL, celery_app.conf.CELERY_TASK_ALWAYS_EAGER = saved


@pytest.fixture
def cache_down(settings) -> str:
    """The production cache backend pointed at a port where no Redis listens."""
    url = f"redis://127.0.0.1:{closed_port()}/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "backend.core.cache.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    return url
