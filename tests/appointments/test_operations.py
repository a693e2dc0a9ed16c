"""Slot generation, reminders, clerks' attendance marking in the admin, and the demo data."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from backend.accounts.models import Department
from backend.appointments.models import Booking, Slot, Venue
from backend.appointments.services import generate_slots, send_reminders, varied_capacity
from backend.appointments.tasks import send_appointment_reminders
from backend.notifications.models import Notification
from tests.personas import PROVIDENT_FUND_CLERK

from .conftest import book, make_slot

pytestmark = pytest.mark.django_db


def next_weekday(weekday: int) -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=(weekday - today.weekday()) % 7 or 7)


def test_generate_slots_follows_opening_hours_and_is_idempotent(hall) -> None:
    monday = next_weekday(0)
    # Mon-Sun: five working days of 6 + 7 half-hour slots, times two services; the weekend is closed.
    created = generate_slots(hall, monday, 7)
    assert created == 5 * 13 * 2
    assert generate_slots(hall, monday, 7) == 0
    day_slots = Slot.objects.filter(venue=hall, service="household-registration", starts_at__date=monday)
    times = [timezone.localtime(s.starts_at).strftime("%H:%M") for s in day_slots.order_by("starts_at")]
    assert times[:2] == ["09:00", "09:30"] and times[5] == "11:30" and times[6] == "13:30" and times[-1] == "16:30"
    assert all(s.capacity == hall.slot_capacity for s in day_slots)


def test_varied_capacity_stays_in_range(hall) -> None:
    generate_slots(hall, next_weekday(0), 5, capacity=varied_capacity(1, 5))
    capacities = set(Slot.objects.values_list("capacity", flat=True))
    assert capacities <= {1, 2, 3, 4, 5} and len(capacities) >= 3


def test_reminders_are_sent_once_for_bookings_within_24_hours(hall, resident_client) -> None:
    soon = make_slot(hall, dt.timedelta(hours=3))
    later = make_slot(hall, dt.timedelta(hours=30))
    cancelled_slot = make_slot(hall, dt.timedelta(hours=5))
    book(resident_client, soon)
    book(resident_client, later)
    cancelled = book(resident_client, cancelled_slot).json()
    resident_client.post(f"/api/v1/appointments/{cancelled['id']}/cancel")

    assert send_appointment_reminders.delay().get() == 1  # Celery task, inline without REDIS_URL
    assert send_reminders() == 0
    out = StringIO()
    call_command("appointment_reminders", stdout=out)
    assert "reminders sent: 0" in out.getvalue()
    (notice,) = Notification.objects.filter(kind="appointment.reminder")
    assert notice.target == {"type": "appointment", "id": Booking.objects.get(slot=soon).pk}
    assert hall.address in notice.body

    # A day later the second booking is within 24 hours and gets its reminder.
    assert send_reminders(timezone.now() + dt.timedelta(hours=7)) == 1
    assert Notification.objects.filter(kind="appointment.reminder").count() == 2


def test_clerk_marks_no_show_and_attendance_in_the_admin(hall, resident_client) -> None:
    started = make_slot(hall, dt.timedelta(hours=2))
    future = make_slot(hall, dt.timedelta(days=2))
    late = book(resident_client, started).json()
    upcoming = book(resident_client, future).json()
    Slot.objects.filter(pk=started.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=40))

    clerk = PROVIDENT_FUND_CLERK.account()
    browser = Client()
    browser.force_login(clerk)
    page = browser.get("/admin/appointments/booking/")
    assert page.status_code == 200
    assert {b.pk for b in page.context["cl"].result_list} == {late["id"], upcoming["id"]}  # shared hall

    browser.post(
        "/admin/appointments/booking/", {"action": "mark_no_show", "_selected_action": [late["id"], upcoming["id"]]}
    )
    assert Booking.objects.get(pk=late["id"]).status == "no_show"
    assert Booking.objects.get(pk=late["id"]).status_changed_by_id == clerk.pk
    assert Booking.objects.get(pk=upcoming["id"]).status == "booked"  # its slot has not started
    assert Notification.objects.filter(kind="appointment.no_show").count() == 1
    assert resident_client.get(f"/api/v1/appointments/{late['id']}").json()["status"] == "no_show"

    browser.post("/admin/appointments/booking/", {"action": "mark_attended", "_selected_action": [late["id"]]})
    assert Booking.objects.get(pk=late["id"]).status == "attended"

    # A venue of another department is not the clerk's to mark.
    hall.department = Department.objects.get(code="housing")
    hall.save()
    page = browser.get("/admin/appointments/booking/")
    assert list(page.context["cl"].result_list) == []


def test_generate_slots_command(hall) -> None:
    out = StringIO()
    call_command("generate_slots", "--days", "7", stdout=out)
    assert f"{hall.code}: " in out.getvalue()
    assert Slot.objects.filter(venue=hall).count() in range(5 * 13 * 2 - 26, 5 * 13 * 2 + 1)


def test_demo_appointments_load_twice_without_duplicates() -> None:
    from backend.accounts import demo as accounts_demo
    from backend.appointments import demo
    from backend.registries import demo as registries_demo

    today = timezone.localdate()
    lines: list[str] = []
    accounts_demo.load(today, lines.append)
    registries_demo.load(today, lines.append)
    demo.load(today, lines.append)
    counts = (Venue.objects.count(), Slot.objects.count(), Booking.objects.count())
    assert counts[0] == 4 and counts[1] > 1000 and counts[2] == 2
    demo.load(today, lines.append)
    assert (Venue.objects.count(), Slot.objects.count(), Booking.objects.count()) == counts

    capacities = set(Slot.objects.values_list("capacity", flat=True))
    assert capacities <= {1, 2, 3, 4, 5} and 1 in capacities and 5 in capacities
    assert set(Venue.objects.values_list("kind", flat=True)) == {"hall", "clinic"}
    last = Slot.objects.order_by("-starts_at").first().starts_at
    assert timezone.localtime(last).date() <= today + dt.timedelta(days=13)


def test_reminder_task_is_scheduled_for_celery_beat() -> None:
    from backend.celery import app

    entry = app.conf.beat_schedule["appointments-reminders"]
    assert entry["task"] == send_appointment_reminders.name == "appointments.send_reminders"
    assert entry["schedule"] == 15 * 60
