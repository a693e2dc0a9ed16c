"""A 12 MB JSON body to ``POST /api/v1/cases`` and to allauth's login, in one process: time and peak memory.

    .venv/bin/python bench/big_body.py [--mb 12] [--rounds 3]

Builds a throw-away SQLite database in a temporary directory (``migrate``, ``load_demo --skip cases``), logs the demo
resident 张建国 in through allauth, then sends each body through Django's test ``Client`` (every middleware,
authentication, DRF; no sockets) and prints the answer, the wall-clock milliseconds (median over rounds) and the
peak of Python allocations during the request (``tracemalloc``; the body is the WSGI input stream, built before
tracing starts, so the figure is what the server side allocated). Run it on two commits (``git worktree add``)
to compare: before the body limit, both bodies are read and parsed; after it, they are refused with 413 unread.

Bodies: ``string`` is ``{"service": "<N MB of x>"}`` (one big string: the parse copies it), ``array`` is
``{"service": "no-such-service", "consent": true, "form": {"k": [0, 0, …]}}`` (N MB of a list of small ints: the
parse builds millions of objects).
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PHONE = "+8613800000001"


def setup(workdir: Path) -> tuple[object, object]:
    os.environ["YIWANG_VAR_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.pop("REDIS_URL", None)
    os.environ["LOG_LEVEL"] = "ERROR"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment
    from rest_framework.test import APIClient

    from backend.demo.city import DEMO_PASSWORD

    logging.getLogger("django.request").setLevel(logging.ERROR)  # one "Bad Request" line per refused body
    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("load_demo", "--skip", "cases", stdout=StringIO())
    client = APIClient()
    token = client.post("/_allauth/app/v1/auth/login", {"phone": PHONE, "password": DEMO_PASSWORD}, format="json")
    client.credentials(HTTP_X_SESSION_TOKEN=token.json()["meta"]["session_token"])
    return client, APIClient()


def bodies(megabytes: float) -> dict[str, bytes]:
    size = int(megabytes * 1_000_000)
    string = json.dumps({"service": "x" * (size - 20)}).encode()
    array = json.dumps(
        {"service": "no-such-service", "consent": True, "form": {"k": [0] * ((size - 80) // 3)}}
    ).encode()
    return {"string": string, "array": array}


def post(client: object, url: str, stream: io.BytesIO, size: int) -> object:
    """The body as the WSGI input stream (built by the caller), so the client does not copy it inside the timing."""
    environ = {"wsgi.input": stream, "CONTENT_LENGTH": str(size)}
    return client.generic("POST", url, content_type="application/json", **environ)  # type: ignore[attr-defined]


def timed(client: object, url: str, body: bytes) -> tuple[float, int, str]:
    stream = io.BytesIO(body)
    wall0 = time.perf_counter()
    response = post(client, url, stream, len(body))
    wall = (time.perf_counter() - wall0) * 1000
    try:
        code = response.json().get("error", {}).get("code", "")
    except ValueError:
        code = ""
    return wall, response.status_code, code


def peak_mb(client: object, url: str, body: bytes) -> float:
    """One more request under ``tracemalloc`` (which slows allocation-heavy code tenfold: not timed)."""
    stream = io.BytesIO(body)
    tracemalloc.start()
    post(client, url, stream, len(body))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=12)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        resident, anonymous = setup(Path(tmp))
        print("| request | body | answer | wall ms | peak MB |")
        print("| --- | --- | --- | ---: | ---: |")
        for kind, body in bodies(args.mb).items():
            for label, client, url in (
                ("POST /api/v1/cases", resident, "/api/v1/cases"),
                ("POST /_allauth/app/v1/auth/login", anonymous, "/_allauth/app/v1/auth/login"),
            ):
                runs = [timed(client, url, body) for _ in range(args.rounds)]
                wall = statistics.median(r[0] for r in runs)
                status, code = runs[-1][1], runs[-1][2]
                peak = peak_mb(client, url, body)
                print(f"| {label} | {len(body) / 1e6:.0f} MB {kind} | {status} {code} | {wall:.1f} | {peak:.2f} |")


if __name__ == "__main__":
    main()
