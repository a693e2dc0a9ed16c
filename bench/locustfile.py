"""Load scenarios against `make serve` (see docs/PERFORMANCE.md for the commands and results).

One user class per scenario; run one class at a time (bench/run.py does), closed loop (no think time), so the
throughput is what the server sustains at that concurrency on this machine:

* ``Floor`` — ``GET /api/v1/health`` (one ``SELECT 1``): the framework floor every other figure is compared with.
* ``Catalogue`` — anonymous browsing: the list, a search, a service's detail.
* ``Polling`` — a resident with 20 cases polls ``GET /api/v1/cases`` and ``GET /api/v1/cases/{id}``.
* ``FaceApply`` — an instant application with a face check: ``POST /cases`` (talent housing subsidy, face
  required) → ``POST /face/challenges`` → ``POST /face/verify`` with a real photo (fixtures/photos) → decided.
* ``EnrolSurge`` — enrolment day: each iteration is a *different* guardian applying for primary-school enrolment
  for their child (rules read household, school district and property registries; a case goes to review), then
  reading the case back once.

Residents and session tokens come from bench/seed.py (var/bench/tokens.json).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
import uuid
from pathlib import Path

from locust import FastHttpUser, constant, events, task
from locust.exception import StopUser

ROOT = Path(__file__).resolve().parents[1]
STATE_DIR = Path(os.environ.get("BENCH_STATE_DIR") or ROOT / "var" / "bench")  # bench/ab_commits.sh: one per DB
TOKENS_FILE = STATE_DIR / "tokens.json"
OFFSET_FILE = STATE_DIR / "enrol_offset"
PHOTOS = ROOT / "fixtures" / "photos"
SERVICES = [
    "provident-fund-withdrawal",
    "deed-tax-subsidy",
    "primary-school-enrolment",
    "public-rental-housing",
    "talent-housing-subsidy",
]
TOKENS = json.loads(TOKENS_FILE.read_text()) if TOKENS_FILE.exists() else {"enrol": [], "face": [], "poll": []}
_lock = threading.Lock()
_face_cycle = itertools.cycle(TOKENS["face"] or [None])
_poll_cycle = itertools.cycle(TOKENS["poll"] or [None])
_enrol_start = int(OFFSET_FILE.read_text()) if OFFSET_FILE.exists() else 0
_enrol_next = itertools.count(_enrol_start)
_enrol_used = [0]


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content, ctype) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {ctype}\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Floor(FastHttpUser):
    wait_time = constant(0)

    @task
    def health(self) -> None:
        self.client.get("/api/v1/health", name="GET /health")


class Catalogue(FastHttpUser):
    wait_time = constant(0)

    @task(3)
    def browse(self) -> None:
        self.client.get("/api/v1/services", name="GET /services")

    @task(1)
    def search(self) -> None:
        self.client.get("/api/v1/services?q=公积金", name="GET /services?q=")

    @task(4)
    def detail(self) -> None:
        self.client.get(f"/api/v1/services/{random.choice(SERVICES)}", name="GET /services/{code}")


class Polling(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        with _lock:
            resident = next(_poll_cycle)
        if resident is None:
            raise StopUser()
        self.headers = {"X-Session-Token": resident["token"]}
        self.cases = resident["cases"]

    @task(1)
    def my_cases(self) -> None:
        self.client.get("/api/v1/cases", headers=self.headers, name="GET /cases")

    @task(3)
    def one_case(self) -> None:
        self.client.get(f"/api/v1/cases/{random.choice(self.cases)}", headers=self.headers, name="GET /cases/{id}")


class FaceApply(FastHttpUser):
    """Each iteration is the next of the seeded face residents (not one resident per user): a resident does a few
    face-checked applications a day, and the per-user face throttle (THROTTLE_FACE, 30/min) must not be what is
    measured."""

    wait_time = constant(0)
    photos: dict[str, bytes] = {}

    def on_start(self) -> None:
        if not TOKENS["face"]:
            raise StopUser()

    @task
    def apply_with_face_check(self) -> None:
        with _lock:
            resident = next(_face_cycle)
        self.headers = {"X-Session-Token": resident["token"]}
        if resident["selfie"] not in self.photos:
            self.photos[resident["selfie"]] = (PHOTOS / resident["selfie"]).read_bytes()
        self.photo = self.photos[resident["selfie"]]
        form = {"degree": "master", "employer": "郑州大学"}
        with self.client.post(
            "/api/v1/cases",
            json={"service": "talent-housing-subsidy", "form": form, "consent": True},
            headers=self.headers,
            name="POST /cases (face service)",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return
            case = response.json()["id"]
        with self.client.post(
            "/api/v1/face/challenges",
            json={"purpose": "case", "case": case},
            headers=self.headers,
            name="POST /face/challenges",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return
            challenge = response.json()["challenge_id"]
        body, ctype = multipart({"challenge_id": challenge}, {"image": ("selfie.jpg", self.photo, "image/jpeg")})
        with self.client.post(
            "/api/v1/face/verify",
            data=body,
            headers={**self.headers, "Content-Type": ctype},
            name="POST /face/verify (decision)",
            catch_response=True,
        ) as response:
            if response.status_code != 200 or response.json().get("verified") is not True:
                response.failure(f"{response.status_code}: {response.text[:200]}")
            elif response.json()["case"]["status"] not in {"approved", "rejected"}:
                response.failure(f"not decided: {response.json()['case']['status']}")


class EnrolSurge(FastHttpUser):
    wait_time = constant(0)

    @task
    def apply_for_school(self) -> None:
        with _lock:
            index = next(_enrol_next)
        if index >= len(TOKENS["enrol"]):
            raise StopUser()  # every seeded guardian has applied: seed more (bench/seed.py --enrol)
        _enrol_used[0] += 1
        guardian = TOKENS["enrol"][index]
        headers = {"X-Session-Token": guardian["token"], "Idempotency-Key": f"surge-{index}"}
        with self.client.post(
            "/api/v1/cases",
            json={
                "service": "primary-school-enrolment",
                "form": {"child_id_number": guardian["child_id_number"]},
                "consent": True,
            },
            headers=headers,
            name="POST /cases (enrolment)",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return
            if response.json()["status"] != "in_review":
                response.failure(f"not accepted: {json.dumps(response.json().get('decision'))[:200]}")
            case = response.json()["id"]
        self.client.get(f"/api/v1/cases/{case}", headers={"X-Session-Token": guardian["token"]}, name="GET /cases/{id}")


@events.quitting.add_listener
def _remember_enrol_offset(environment, **kwargs) -> None:
    if _enrol_used[0]:
        OFFSET_FILE.write_text(str(_enrol_start + _enrol_used[0]))


if os.environ.get("BENCH_RESET_ENROL_OFFSET"):
    OFFSET_FILE.unlink(missing_ok=True)
