"""A Redis cache that degrades to process-local memory while Redis is unreachable.

What lives in the cache here: DRF throttle histories, allauth's login rate limits (with a lock taken by
``cache.add``), face replay fingerprints, cached catalogue pages. None of it is the only copy of anything a resident
owns, so losing Redis must not fail requests — but neither may it switch protection off:

* ``IGNORE_EXCEPTIONS`` (django-redis) turns every read into a miss and every ``add`` into "not added": DRF
  throttles would then fail *open* (no limit at all), and allauth's login rate limit fails *closed* (its lock is
  never acquired: every login is a 429 after a second). Neither is acceptable for a city's only login.
* This backend sends each operation to Redis; when Redis refuses or times out, it answers from a local-memory cache
  in the same process and stops trying Redis for ``RETRY_SECONDS`` (a circuit breaker, so an outage costs one
  connect timeout per process, not one per cache call). Limits then still hold, per gunicorn process (N processes:
  up to N× the configured rate) until Redis is back; after that Redis is authoritative again and the local entries
  are simply not read any more.

The state change is logged once per process (``yiwang.cache``: "Redis unreachable … using local memory" / "Redis
back"), which is what an operator's alert should watch, together with ``/api/v1/health``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger("yiwang.cache")

RETRY_SECONDS = 5.0
OUTAGE_ERRORS = (RedisError, OSError)


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client builds a new ``redis.Redis`` object around the pool on every cache call (~0.1 ms of CPU,
    measured by bench/catalogue_inproc.py: as much as the round trip). One per pool is enough: redis-py clients
    are thread-safe, and the pool itself reconnects after a fork."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # Django's own private helpers, which django-stubs does not declare.
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class _RedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient  # RedisCache.__init__ sets the stock client class


class ResilientRedisCache(BaseCache):
    """``BACKEND: backend.core.cache.ResilientRedisCache`` with a ``redis://`` LOCATION; OPTIONS go to redis-py."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        self.primary = _RedisCache(server, params)
        fallback_params = {k: v for k, v in params.items() if k != "OPTIONS"}
        self.fallback = LocMemCache(
            f"yiwang-fallback-{id(self)}", {**fallback_params, "OPTIONS": {"MAX_ENTRIES": 10000}}
        )
        self._down_until = 0.0
        self._lock = threading.Lock()

    # -- the breaker ---------------------------------------------------------------------------------------------
    @property
    def redis_available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if self.redis_available:
            try:
                result = getattr(self.primary, name)(*args, **kwargs)
            except OUTAGE_ERRORS as exc:
                with self._lock:
                    if self.redis_available:
                        logger.error("Redis unreachable (%s); using local memory for %.0f s", exc, RETRY_SECONDS)
                    self._down_until = time.monotonic() + RETRY_SECONDS
                    self._was_down = True
            else:
                if getattr(self, "_was_down", False):
                    self._was_down = False
                    logger.warning("Redis back: cache shared again")
                return result
        method: Callable[..., Any] = getattr(self.fallback, name)
        return method(*args, **kwargs)

    # -- the cache API -------------------------------------------------------------------------------------------
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version)

    def decr(self, key, delta=1, version=None):
        return self._call("decr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version)

    def clear(self):
        self.fallback.clear()
        return self._call("clear")

    def close(self, **kwargs):
        self.primary.close(**kwargs)
