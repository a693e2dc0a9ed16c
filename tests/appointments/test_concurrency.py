"""A slot is never booked beyond its capacity under truly concurrent requests (PostgreSQL only).

Each thread is a separate HTTP client with its own database connection; a barrier releases them together so the
requests really overlap in the database.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from backend.appointments.models import Booking, Slot

from .conftest import make_slot, make_user

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
    pytest.mark.django_db(transaction=True),
]


def run_concurrently(requests: list) -> list:
    """Run each zero-argument callable in its own thread, all released at once; return their results."""
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = requests[index]()
        except Exception as exc:  # surfaced by the assertions below
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_ten_residents_racing_for_three_places(hall) -> None:
    slot = make_slot(hall, dt.timedelta(days=1), capacity=3)
    users = [make_user(f"1660000{i:04d}") for i in range(10)]

    def attempt(user):
        def call():
            response = client_for(user).post("/api/v1/appointments", {"slot": slot.pk}, format="json")
            return response.status_code, response.json()

        return call

    results = run_concurrently([attempt(u) for u in users])
    statuses = Counter(r[0] if isinstance(r, tuple) else repr(r) for r in results)
    assert statuses == {201: 3, 409: 7}, results
    assert {r[1]["error"]["code"] for r in results if r[0] == 409} == {"slot_full"}
    slot.refresh_from_db()
    assert slot.booked == 3
    assert Booking.objects.filter(slot=slot, status="booked").count() == 3


def test_one_resident_racing_past_the_three_booking_limit(hall) -> None:
    user = make_user("16600001111")
    slots = [make_slot(hall, dt.timedelta(days=1, hours=i), capacity=2) for i in range(6)]

    def attempt(slot):
        def call():
            return client_for(user).post("/api/v1/appointments", {"slot": slot.pk}, format="json").status_code

        return call

    results = run_concurrently([attempt(s) for s in slots])
    assert Counter(results) == {201: 3, 409: 3}, results
    assert Booking.objects.filter(user=user, status="booked").count() == 3
    assert sum(Slot.objects.filter(pk__in=[s.pk for s in slots]).values_list("booked", flat=True)) == 3


def test_the_same_idempotency_key_sent_eight_times_at_once(hall) -> None:
    user = make_user("16600002222")
    slot = make_slot(hall, dt.timedelta(days=1), capacity=5)

    def call():
        response = client_for(user).post(
            "/api/v1/appointments", {"slot": slot.pk}, format="json", HTTP_IDEMPOTENCY_KEY="double-tap"
        )
        return response.status_code, response.json().get("id")

    results = run_concurrently([call] * 8)
    assert Counter(code for code, _ in results) == {201: 1, 200: 7}, results
    assert len({booking_id for _, booking_id in results}) == 1
    slot.refresh_from_db()
    assert slot.booked == 1 and Booking.objects.count() == 1
