"""Venues, slots and bookings through /api/v1/appointments: limits, idempotency, cancellation, bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.appointments.models import Booking, Slot
from backend.notifications.models import Notification

from .conftest import book, make_slot

pytestmark = pytest.mark.django_db

SOON = dt.timedelta(days=1)


def test_venues_list_services_and_hours(hall, clinic, api) -> None:
    body = api.get("/api/v1/appointments/venues").json()
    assert body["count"] == 2
    by_code = {v["code"]: v for v in body["results"]}
    assert by_code["test-hall"]["kind"] == "hall" and by_code["test-clinic"]["kind"] == "clinic"
    assert {"code": "household-registration", "name": "户籍业务"} in by_code["test-hall"]["services"]
    assert by_code["test-hall"]["opening_hours"]["mon"] == [["09:00", "12:00"], ["13:30", "17:00"]]
    only_vaccination = api.get("/api/v1/appointments/venues?service=vaccination").json()
    assert [v["code"] for v in only_vaccination["results"]] == ["test-clinic"]


def test_slot_listing_and_filters(hall, clinic, api) -> None:
    a = make_slot(hall, SOON, capacity=2)
    b = make_slot(hall, SOON + dt.timedelta(hours=1), capacity=1, service="provident-fund-withdrawal")
    c = make_slot(clinic, dt.timedelta(days=3), capacity=1)
    make_slot(hall, -dt.timedelta(hours=2))  # past: never listed
    Slot.objects.filter(pk=b.pk).update(booked=1)

    body = api.get("/api/v1/appointments/slots").json()
    assert [s["id"] for s in body["results"]] == [a.pk, b.pk, c.pk]
    first = body["results"][0]
    assert set(first) >= {"id", "venue", "service", "starts_at", "capacity", "remaining"}
    assert first["venue"] == hall.pk and first["service"] == "household-registration"
    assert first["capacity"] == 2 and first["remaining"] == 2
    assert body["results"][1]["remaining"] == 0

    def ids(query: str) -> list[int]:
        response = api.get(f"/api/v1/appointments/slots?{query}")
        assert response.status_code == 200, response.content
        return [s["id"] for s in response.json()["results"]]

    assert ids(f"venue={clinic.pk}") == [c.pk]
    assert ids("service=provident-fund-withdrawal") == [b.pk]
    assert ids(f"date={timezone.localtime(c.starts_at).date().isoformat()}") == [c.pk]
    assert ids("available=true") == [a.pk, c.pk]
    assert api.get("/api/v1/appointments/slots?date=tomorrow").status_code == 400
    assert api.get("/api/v1/appointments/slots?venue=abc").status_code == 400


def test_book_list_and_cancel(hall, resident_client) -> None:
    slot = make_slot(hall, SOON, capacity=2)
    response = book(resident_client, slot)
    assert response.status_code == 201, response.content
    booking = response.json()
    assert booking["status"] == "booked" and booking["slot"]["id"] == slot.pk
    assert booking["slot"]["remaining"] == 1 and booking["venue"]["name"] == "测试政务服务大厅"
    assert Slot.objects.get(pk=slot.pk).booked == 1
    assert Notification.objects.filter(kind="appointment.booked").count() == 1

    mine = resident_client.get("/api/v1/appointments").json()
    assert [b["id"] for b in mine["results"]] == [booking["id"]]
    assert resident_client.get(f"/api/v1/appointments/{booking['id']}").json()["status"] == "booked"

    cancelled = resident_client.post(f"/api/v1/appointments/{booking['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert Slot.objects.get(pk=slot.pk).booked == 0
    assert Notification.objects.filter(kind="appointment.cancelled").count() == 1
    again = resident_client.post(f"/api/v1/appointments/{booking['id']}/cancel")
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_cancellable"
    assert Slot.objects.get(pk=slot.pk).booked == 0

    # The freed place can be booked again (a cancelled booking does not block the slot).
    assert book(resident_client, slot).status_code == 201


def test_full_slot_is_409_and_nothing_saved(hall, resident_client, other_client) -> None:
    slot = make_slot(hall, SOON, capacity=1)
    assert book(other_client, slot).status_code == 201
    response = book(resident_client, slot)
    assert response.status_code == 409 and response.json()["error"]["code"] == "slot_full"
    assert Booking.objects.count() == 1 and Slot.objects.get(pk=slot.pk).booked == 1
    assert Notification.objects.filter(kind="appointment.booked").count() == 1


def test_past_or_started_slot_cannot_be_booked(hall, resident_client) -> None:
    slot = make_slot(hall, -dt.timedelta(minutes=5))
    response = book(resident_client, slot)
    assert response.status_code == 400 and response.json()["error"]["code"] == "slot_in_past"
    assert Booking.objects.count() == 0 and Slot.objects.get(pk=slot.pk).booked == 0
    assert Notification.objects.count() == 0


@pytest.mark.parametrize(("payload", "status", "code"), [({}, 400, "validation_error"),
                                                          ({"slot": "x"}, 400, "validation_error"),
                                                          ({"slot": 999999}, 404, "unknown_slot")])  # fmt: skip
def test_bad_slot_reference(hall, resident_client, payload, status, code) -> None:
    response = resident_client.post("/api/v1/appointments", payload, format="json")
    assert response.status_code == status and response.json()["error"]["code"] == code
    assert Booking.objects.count() == 0


def test_one_active_booking_per_slot_and_three_future_bookings(hall, resident_client) -> None:
    slots = [make_slot(hall, SOON + dt.timedelta(hours=i)) for i in range(4)]
    assert book(resident_client, slots[0]).status_code == 201
    twice = book(resident_client, slots[0])
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "already_booked"
    assert book(resident_client, slots[1]).status_code == 201
    third = book(resident_client, slots[2])
    assert third.status_code == 201
    fourth = book(resident_client, slots[3])
    assert fourth.status_code == 409 and fourth.json()["error"]["code"] == "booking_limit_reached"
    assert Slot.objects.get(pk=slots[3].pk).booked == 0

    resident_client.post(f"/api/v1/appointments/{third.json()['id']}/cancel")
    assert book(resident_client, slots[3]).status_code == 201


def test_cancelling_someone_elses_booking_is_404(hall, resident_client, other_client) -> None:
    slot = make_slot(hall, SOON)
    booking = book(resident_client, slot).json()
    response = other_client.post(f"/api/v1/appointments/{booking['id']}/cancel")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert other_client.get(f"/api/v1/appointments/{booking['id']}").status_code == 404
    assert Booking.objects.get(pk=booking["id"]).status == "booked"
    assert Slot.objects.get(pk=slot.pk).booked == 1
    assert other_client.get("/api/v1/appointments").json()["count"] == 0


def test_cancelling_a_started_slot_is_409(hall, resident_client) -> None:
    slot = make_slot(hall, SOON)
    booking = book(resident_client, slot).json()
    Slot.objects.filter(pk=slot.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=1))
    response = resident_client.post(f"/api/v1/appointments/{booking['id']}/cancel")
    assert response.status_code == 409 and response.json()["error"]["code"] == "not_cancellable"


def test_idempotency_key_returns_the_first_booking(hall, resident_client, other_client) -> None:
    slot = make_slot(hall, SOON)
    other_slot = make_slot(hall, SOON + dt.timedelta(hours=1))
    first = book(resident_client, slot, key="tap-1")
    again = book(resident_client, slot, key="tap-1")
    different_slot_same_key = book(resident_client, other_slot, key="tap-1")
    assert first.status_code == 201 and again.status_code == 200 and different_slot_same_key.status_code == 200
    assert again.json()["id"] == first.json()["id"] == different_slot_same_key.json()["id"]
    assert Booking.objects.count() == 1 and Slot.objects.get(pk=slot.pk).booked == 1
    assert Notification.objects.filter(kind="appointment.booked").count() == 1
    # Keys are per user: another resident's identical key is a different booking.
    assert book(other_client, slot, key="tap-1").status_code == 201


def test_anonymous_cannot_book(hall, api) -> None:
    assert book(api, make_slot(hall, SOON)).status_code == 401
    assert api.get("/api/v1/appointments").status_code == 401


def test_the_database_refuses_an_overbooking_on_its_own(hall) -> None:
    """The CHECK constraint is the last line: even a raw UPDATE cannot push booked past capacity."""
    slot = make_slot(hall, SOON, capacity=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.filter(pk=slot.pk).update(booked=3)
    assert Slot.objects.get(pk=slot.pk).booked == 0


def test_booking_notices_read_in_the_readers_language(hall, resident_client) -> None:
    """The notice is stored in both languages whatever language the booking request was in."""
    slot = make_slot(hall, SOON)
    assert book(resident_client, slot).status_code == 201  # the client speaks Chinese (no Accept-Language)
    zh = resident_client.get("/api/v1/notifications").json()["results"][0]
    en = resident_client.get("/api/v1/notifications", HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
    assert zh["title"] == "预约成功" and "测试政务服务大厅" in zh["body"]
    assert en["title"] == "Appointment booked" and "测试政务服务大厅" in en["body"]  # a name stays a name
    assert en["body"].startswith("Your appointment is booked:"), en["body"]
