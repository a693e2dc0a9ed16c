"""`make serve` preflight: PostgreSQL and Redis answer, and the database exists (created on a local server).

Only for the local production setup; a real deployment provisions its database and Redis separately.
"""

from __future__ import annotations

import os
import sys
from typing import TypedDict
from urllib.parse import urlparse


class _ConnectParams(TypedDict, total=False):
    host: str
    port: int
    user: str | None
    password: str


def ensure_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    params: _ConnectParams = {
        "host": parsed.hostname or "127.0.0.1",
        "port": parsed.port or 5432,
        "user": parsed.username,
    }
    if parsed.password:
        params["password"] = parsed.password
    try:
        with psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=5, **params) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
                print(f"created database {name}")
    except psycopg.OperationalError as exc:
        sys.exit(f"PostgreSQL at {params['host']}:{params['port']} does not answer: {exc}")


def ensure_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        sys.exit(f"Redis at {url} does not answer: {exc}")


def main() -> None:
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith(("postgres://", "postgresql://")):
        ensure_database(database_url)
    if os.environ.get("REDIS_URL"):
        ensure_redis(os.environ["REDIS_URL"])


if __name__ == "__main__":
    main()
