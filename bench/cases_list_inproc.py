"""``GET /api/v1/cases`` (a resident with 20 cases) in one process, no server: CPU per request.

    .venv/bin/python bench/cases_list_inproc.py [--cases 20] [--seconds 5] [--rounds 3]

Builds a throw-away SQLite database in a temporary directory (``migrate``, ``load_demo --skip cases``), binds the
demo resident 张建国 through the API, submits ``--cases`` applications through the API (each with its timeline; the
decided ones rated, so ratings are rendered too), then sends ``GET /api/v1/cases``
through Django's test ``Client`` (middleware, authentication, DRF; no sockets) back to back and prints wall-clock
and CPU milliseconds per request, median over rounds. Run it on two commits (``git worktree add``) to compare.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PHONE, CHILD = "+8613800000001", "410105202108310262"


def setup(workdir: Path, n_cases: int) -> object:
    os.environ["YIWANG_VAR_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.pop("REDIS_URL", None)
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment
    from rest_framework.test import APIClient

    from backend.demo.city import DEMO_PASSWORD, build_demo_registry

    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("load_demo", "--skip", "cases", stdout=StringIO())
    record = next(
        r for r in build_demo_registry(__import__("datetime").date.today())["residents"] if r.get("phone") == PHONE[3:]
    )
    client = APIClient()
    token = client.post("/_allauth/app/v1/auth/login", {"phone": PHONE, "password": DEMO_PASSWORD}, format="json")
    client.credentials(HTTP_X_SESSION_TOKEN=token.json()["meta"]["session_token"])
    bound = client.post(
        "/api/v1/me/real-name", {"name": record["name"], "id_number": record["id_number"]}, format="json"
    )
    assert bound.status_code == 200, bound.content
    ratings = 0
    for i in range(n_cases):
        if i % 2:
            body = {"service": "primary-school-enrolment", "form": {"child_id_number": CHILD}, "consent": True}
        else:
            body = {
                "service": "provident-fund-withdrawal",
                "form": {"reason": "rent", "amount": "100.00"},
                "consent": True,
            }
        created = client.post("/api/v1/cases", body, format="json")
        assert created.status_code == 201, created.content
        case = created.json()
        if "withdraw" in case["actions"]:
            client.post(f"/api/v1/cases/{case['id']}/withdraw", format="json")
        rated = client.post(f"/api/v1/cases/{case['id']}/rating", {"score": 4, "comment": "快"}, format="json")
        ratings += rated.status_code == 201
    listed = client.get("/api/v1/cases")
    assert listed.status_code == 200 and listed.json()["count"] == n_cases, listed.content[:300]
    assert ratings, "no case could be rated: the bench would not render ratings"
    return client


def measure(client: object, seconds: float) -> tuple[float, float, int]:
    n, wall0, cpu0 = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - wall0 < seconds:
        response = client.get("/api/v1/cases")  # type: ignore[attr-defined]
        assert response.status_code == 200
        n += 1
    return (time.perf_counter() - wall0) * 1000 / n, (time.process_time() - cpu0) * 1000 / n, n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        client = setup(Path(tmp), args.cases)
        measure(client, 1)  # warm-up
        rounds = [measure(client, args.seconds) for _ in range(args.rounds)]
    wall = statistics.median(r[0] for r in rounds)
    cpu = statistics.median(r[1] for r in rounds)
    total = sum(r[2] for r in rounds)
    print(f"| GET /cases ({args.cases} cases) | {wall:.1f} | {cpu:.1f} | {total} |")


if __name__ == "__main__":
    main()
