"""The public catalogue with and without its cache (backend/catalogue/cache.py), in one process, no server.

    .venv/bin/python bench/catalogue_inproc.py [--seconds 3] [--rounds 3] [--redis-url redis://127.0.0.1:6379/15]
        [--postgres postgres://postgres@127.0.0.1:5432/postgres]

Builds a throw-away database — SQLite in a temporary directory, or with ``--postgres`` a database created on that
server and dropped afterwards — with ``migrate`` and ``load_demo --skip cases`` (the demo city, as the tests load
it), then sends requests through Django's test ``Client`` (the whole middleware stack and DRF, no sockets, no WSGI
server) back to back, alternating ``Accept-Language`` zh/en:

* ``GET /api/v1/services``, ``GET /api/v1/services?q=公积金``, ``GET /api/v1/services/primary-school-enrolment``
  (the detail with the most data items), and ``GET /api/v1/health`` (one ``SELECT 1``) as the floor;
* cache off (``CATALOGUE_CACHE = False``: one department query and the serializers on every request, as before the
  cache), cache on in local memory (the ``make run`` setup), and with ``--redis-url`` cache on in Redis through the
  production backend (``ResilientRedisCache``, under a key prefix of its own; nothing is flushed).

Before measuring, it checks that every mode answers exactly what the uncached path answers. Modes are interleaved
within each round (the machine is shared); the table sums all rounds. Times are wall-clock per request in one
thread: with SQLite the saved query costs no round trip, with PostgreSQL it costs one local TCP round trip.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ENDPOINTS = {
    "GET /services": "/api/v1/services",
    "GET /services?q=": "/api/v1/services?q=公积金",
    "GET /services/{code}": "/api/v1/services/primary-school-enrolment",
}
FLOOR = ("GET /health (floor)", "/api/v1/health")
LANGUAGES = ("zh-CN,zh;q=0.9", "en")


def setup(workdir: Path, database_url: str | None) -> None:
    os.environ["YIWANG_VAR_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.pop("REDIS_URL", None)  # the demo loads with tasks inline; Redis is only used as the cache below
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # ALLOWED_HOSTS gets "testserver"
    call_command("migrate", verbosity=0)
    call_command("load_demo", "--skip", "cases", stdout=StringIO())


@contextmanager
def scratch_database(server_url: str | None) -> Iterator[str | None]:
    """A database created for this run on ``server_url`` and dropped after it (None: SQLite in the work dir)."""
    if not server_url:
        yield None
        return
    import psycopg

    parsed = urlsplit(server_url)
    name = f"catalogue_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parsed._replace(path=f"/{name}"))
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def measure(url: str, seconds: float) -> list[float]:
    """Back-to-back requests for ``seconds``; returns each one's duration in seconds."""
    from django.test import Client

    client = Client()
    for language in LANGUAGES:  # warm: fills the cache where there is one, loads code either way
        assert client.get(url, HTTP_ACCEPT_LANGUAGE=language).status_code == 200
    durations: list[float] = []
    deadline = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=LANGUAGES[i % 2])
        durations.append(time.perf_counter() - start)
        assert response.status_code == 200, response.content[:200]
        i += 1
    return durations


def modes(redis_url: str | None) -> dict[str, AbstractContextManager]:
    from django.test import override_settings

    found: dict[str, AbstractContextManager] = {
        "cache off": override_settings(CATALOGUE_CACHE=False),
        "cache on (locmem)": override_settings(CATALOGUE_CACHE=True),
    }
    if redis_url:
        found["cache on (Redis)"] = override_settings(
            CATALOGUE_CACHE=True,
            CACHES={
                "default": {
                    "BACKEND": "backend.core.cache.ResilientRedisCache",
                    "LOCATION": redis_url,
                    "KEY_PREFIX": f"bench-{uuid.uuid4().hex[:8]}",
                    "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
                }
            },
        )
    return found


def same_answers(all_modes: dict[str, AbstractContextManager]) -> None:
    """The cached answers are the uncached ones (a benchmark of wrong answers would be worthless)."""
    from django.test import Client

    client = Client()
    for name, mode in all_modes.items():
        with mode:
            bodies = {(url, lang): client.get(url, HTTP_ACCEPT_LANGUAGE=lang).json() for url in ENDPOINTS.values()
                      for lang in LANGUAGES}  # fmt: skip
            again = {(url, lang): client.get(url, HTTP_ACCEPT_LANGUAGE=lang).json() for url in ENDPOINTS.values()
                     for lang in LANGUAGES}  # fmt: skip
        assert bodies == again, name
        if name == "cache off":
            reference = bodies
        assert bodies == reference, f"{name} differs from the uncached answers"


def cleanup_redis(mode: AbstractContextManager) -> None:
    from django.core.cache import cache

    from backend.catalogue.cache import GENERATION_KEY

    with mode:
        cache.delete(GENERATION_KEY)  # entries expire on their own; the counter has no expiry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="per endpoint, mode and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--redis-url", help="also measure the cache in Redis (use a spare database index)")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="a PostgreSQL server (postgres://user@host:port/db) to create a throw-away database on, instead of SQLite",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="catalogue-bench-") as workdir, scratch_database(args.postgres) as db_url:
        setup(Path(workdir), db_url)
        all_modes = modes(args.redis_url)
        samples: dict[tuple[str, str], list[float]] = defaultdict(list)
        try:
            same_answers(all_modes)
            for _ in range(args.rounds):
                for label, url in ENDPOINTS.items():
                    for name, mode in all_modes.items():
                        with mode:
                            samples[label, name] += measure(url, args.seconds)
                samples[FLOOR[0], ""] += measure(FLOOR[1], args.seconds)
        finally:
            if args.redis_url:
                cleanup_redis(all_modes["cache on (Redis)"])

    from django.conf import settings

    database = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"Django test Client, one process, {database}, demo city; {args.rounds} rounds x {args.seconds:g} s per "
        f"row, zh/en alternating; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; DEBUG={settings.DEBUG}\n"
    )
    print("| request | cache | requests | req/s | mean ms | p50 ms | p99 ms | vs cache off |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label in [*ENDPOINTS, FLOOR[0]]:
        base = None
        for name in all_modes if label != FLOOR[0] else [""]:
            durations = sorted(samples[label, name])
            rate = len(durations) / sum(durations)  # back to back, one at a time: 1 / mean
            base = base or rate
            mean, p50 = statistics.fmean(durations), statistics.median(durations)
            p99 = durations[min(len(durations) - 1, int(len(durations) * 0.99))]
            gain = "" if name in ("", "cache off") else f"{rate / base:.1f}×"
            print(
                f"| {label} | {name or '–'} | {len(durations)} | {rate:,.0f} | {1000 * mean:.2f} | {1000 * p50:.2f} "
                f"| {1000 * p99:.2f} | {gain} |"
            )


if __name__ == "__main__":
    main()
