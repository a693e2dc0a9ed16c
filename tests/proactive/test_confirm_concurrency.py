"""Confirming twice pays once, also when both confirmations arrive at the same moment (PostgreSQL row locks, real
HTTP against a live server): one case, one grant; the other request gets the same case back."""

from __future__ import annotations

import threading

import httpx
import pytest
from django.db import connection

from backend.cases.models import Case
from backend.proactive.models import Offer, OfferStatus
from backend.proactive.scan import scan_all
from backend.registries.models import Resident
from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-lock behaviour is tested on PostgreSQL"),
]


def _client(base: str, record: dict) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    login = client.post("/_allauth/app/v1/auth/login", json={"phone": record["phone"], "password": PASSWORD})
    client.headers["X-Session-Token"] = login.json()["meta"]["session_token"]
    bound = client.post("/api/v1/me/real-name", json={"name": record["name"], "id_number": record["id_number"]})
    assert bound.is_success, bound.text
    return client


def test_simultaneous_confirmations_file_one_case(live_server, import_data, people) -> None:
    import_data({"residents": [people["elder"]]})
    scan_all()
    elder = Resident.objects.with_id_number(people["elder"]["id_number"]).get()
    offer = Offer.objects.get(resident=elder)
    clients = [_client(live_server.url, people["elder"]) for _ in range(6)]
    barrier = threading.Barrier(len(clients))
    results: list[httpx.Response | None] = [None] * len(clients)

    def confirm(i: int) -> None:
        barrier.wait()
        results[i] = clients[i].post(f"/api/v1/me/offers/{offer.pk}/confirm")

    threads = [threading.Thread(target=confirm, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(r.status_code for r in results if r is not None)
    assert statuses == [200] * 5 + [201], [r.text for r in results if r is not None]
    assert len({r.json()["case"]["id"] for r in results if r is not None}) == 1
    assert Case.objects.filter(service_code="senior-allowance", resident=elder).count() == 1
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.CONFIRMED
