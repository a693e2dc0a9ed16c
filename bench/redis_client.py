"""CPU per cache read: Django's stock ``RedisCache`` against ours, which reuses its redis-py client.

    .venv/bin/python bench/redis_client.py [--redis-url redis://127.0.0.1:6379/15] [--n 10000]

Every throttled request, catalogue read and face replay check makes one or more cache calls; Django 5.2 builds a
new ``redis.Redis`` object around the connection pool for each (backend/core/cache.py explains the fix).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--n", type=int, default=10_000)
    args = parser.parse_args()
    import django

    django.setup()
    from django.core.cache.backends.redis import RedisCache

    from backend.core.cache import ResilientRedisCache

    print("| backend | µs wall per get | µs CPU per get |\n| --- | ---: | ---: |")
    prefix = {"KEY_PREFIX": f"bench-redis-client-{os.getpid()}"}
    for name, cache in [
        ("Django RedisCache", RedisCache(args.redis_url, prefix)),
        ("ResilientRedisCache (one client per pool)", ResilientRedisCache(args.redis_url, prefix)),
    ]:
        cache.set("k", 1, 60)
        for _ in range(500):
            cache.get("k")
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(args.n):
            cache.get("k")
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"| {name} | {wall * 1e6 / args.n:.0f} | {cpu * 1e6 / args.n:.0f} |")
        cache.delete("k")


if __name__ == "__main__":
    main()
