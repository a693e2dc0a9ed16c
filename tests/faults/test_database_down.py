"""PostgreSQL unreachable or restarting mid-run: a clear 503 JSON error, no half-written case, and recovery.

* Any vendor: the database driver fails on every query (the connection is refused) → 503 ``service_unavailable``
  with ``Retry-After``, JSON, never Django's HTML 500 page — also when the failure happens in authentication
  (session lookup), before the view.
* PostgreSQL: the connection points at a closed port (the server is gone) and comes back.
* PostgreSQL: every backend serving the live server is terminated (``pg_terminate_backend``, what a restart or a
  failover does to open connections) while residents submit cases. Each submission answers 201 or 503, every
  stored case is complete (created, timeline, decision in one transaction), a retry with the same Idempotency-Key
  never makes a second case, and the API answers normally afterwards.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from io import StringIO

import httpx
import psycopg
import pytest
from django.core.management import call_command
from django.db import OperationalError, connection, connections
from rest_framework.test import APIClient

from backend.cases.models import Case, CaseEvent
from backend.notifications.models import Notification
from backend.registries.models import Resident
from tests.faults.conftest import closed_port
from tests.personas import DEMO_PASSWORD, FENG_XUE, GUO_JING, WU_MIN, ZHANG_JIANGUO

TALENT = {"service": "talent-housing-subsidy", "form": {"degree": "master", "employer": "郑州大学"}, "consent": True}


def assert_503(response) -> None:
    assert response.status_code == 503, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "service_unavailable"
    assert int(response["Retry-After"]) > 0


@pytest.fixture
def database_refuses(monkeypatch):
    """Every new cursor fails the way a refused connection does."""

    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    def apply() -> None:
        monkeypatch.setattr(connections["default"], "cursor", refuse)
        monkeypatch.setattr(connections["default"], "ensure_connection", refuse)

    return apply


@pytest.mark.django_db
def test_database_outage_is_503_json_for_anonymous_and_authenticated_calls(
    database_refuses, verified_client: APIClient
) -> None:
    database_refuses()
    anonymous = APIClient()
    assert_503(anonymous.get("/api/v1/health"))
    assert_503(anonymous.get("/api/v1/certificates/verify/ABC"))
    assert_503(verified_client.get("/api/v1/cases"))  # fails in authentication: the session lookup
    assert_503(verified_client.post("/api/v1/cases", TALENT, format="json"))


@pytest.mark.django_db
def test_database_outage_raised_in_a_middleware_is_503_too(database_refuses, verified_client: APIClient) -> None:
    """allauth's middleware and the session middleware touch the database before any view runs."""
    from django.contrib.sessions.backends.db import SessionStore

    def refuse(self, *args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    import pytest as _pytest

    with _pytest.MonkeyPatch.context() as mp:
        mp.setattr(SessionStore, "load", refuse)
        client = APIClient()
        client.cookies["sessionid"] = "x" * 32
        assert_503(client.get("/api/v1/services"))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real PostgreSQL connection is pointed away")
def test_database_gone_then_back(verified_client: APIClient) -> None:
    db = connections["default"]
    port = db.settings_dict["PORT"]
    before = Case.objects.count()
    db.close()
    db.settings_dict["PORT"] = str(closed_port())
    try:
        assert_503(verified_client.get("/api/v1/health"))
        assert_503(verified_client.post("/api/v1/cases", TALENT, format="json"))
    finally:
        db.close()
        db.settings_dict["PORT"] = port
    # recovered: the same client, the same session, no request of the outage left anything behind
    assert Case.objects.count() == before
    assert verified_client.get("/api/v1/health").status_code == 200
    assert verified_client.post("/api/v1/cases", TALENT, format="json").status_code == 201


def _terminate_others(stop: threading.Event, keep: set[int], dbname: str, killed: list[int]) -> None:
    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as conn:
        while not stop.is_set():
            rows = conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid() AND NOT (pid = ANY(%s))",
                (dbname, list(keep)),
            ).fetchall()
            killed.append(len(rows))
            time.sleep(0.02)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_terminate_backend is PostgreSQL's")
def test_connections_terminated_mid_request_leave_no_half_written_case(live_server) -> None:
    call_command("load_demo", stdout=StringIO())
    base = live_server.url
    phones = [p.phone for p in (ZHANG_JIANGUO, WU_MIN, FENG_XUE, GUO_JING)]
    clients = []
    for phone in phones:
        client = httpx.Client(base_url=base, timeout=60)
        login = client.post("/_allauth/app/v1/auth/login", json={"phone": phone, "password": DEMO_PASSWORD})
        client.headers["X-Session-Token"] = login.json()["meta"]["session_token"]
        resident = Resident.objects.get(phone="+86" + phone)
        bound = client.post("/api/v1/me/real-name", json={"name": resident.name, "id_number": resident.id_number})
        assert bound.is_success, bound.text
        clients.append(client)

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        own_pid = cursor.fetchone()[0]
    stop, killed = threading.Event(), []
    terminator = threading.Thread(
        target=_terminate_others, args=(stop, {own_pid}, connection.settings_dict["NAME"], killed)
    )
    outcomes: Counter = Counter()
    keys: list[tuple[httpx.Client, str]] = []
    terminator.start()
    try:
        for round_ in range(8):
            for n, client in enumerate(clients):
                key = f"storm-{round_}-{n}"
                keys.append((client, key))
                response = client.post("/api/v1/cases", json=TALENT, headers={"Idempotency-Key": key})
                outcomes[response.status_code] += 1
                if response.status_code != 201:
                    assert_503_httpx(response)
    finally:
        stop.set()
        terminator.join(timeout=10)
    assert sum(killed) > 0, "the terminator never caught a backend"
    assert set(outcomes) <= {201, 503}, outcomes
    assert outcomes[503] > 0, f"no request was hit: {outcomes}"

    # no half-written case: every stored case has its timeline and its status
    storm = Case.objects.filter(idempotency_key__startswith="storm-")
    for case in storm:
        assert CaseEvent.objects.filter(case=case).exists(), case.reference_no
        assert case.status == "pending_face"
        assert Notification.objects.filter(target__id=case.pk).exists(), case.reference_no
    # recovery: retrying every key answers 201 and never creates a second case for a key
    for client, key in keys:
        response = client.post("/api/v1/cases", json=TALENT, headers={"Idempotency-Key": key})
        assert response.status_code == 201, response.text[:300]
    assert Case.objects.filter(idempotency_key__startswith="storm-").count() == len(keys)
    assert httpx.get(base + "/api/v1/health").json()["status"] == "ok"


def assert_503_httpx(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text[:300]
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]["code"] == "service_unavailable"
