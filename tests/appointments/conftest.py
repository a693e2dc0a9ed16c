"""Fixtures for the appointments tests: a hall and a clinic with slots at known times, and accounts in bulk (the
booking races need many users); the people are the personas of ``tests/conftest.py``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from backend.accounts.models import Department, Role, User
from backend.appointments.models import Slot, Venue, VenueKind
from tests.factories import PASSWORD

HOURS = {d: [["09:00", "12:00"], ["13:30", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


@pytest.fixture
def hall(db) -> Venue:
    return Venue.objects.create(
        code="test-hall", name="测试政务服务大厅", address="郑州市金水区花园路1号", kind=VenueKind.HALL,
        district="金水区", services=["household-registration", "provident-fund-withdrawal"], opening_hours=HOURS,
    )  # fmt: skip


@pytest.fixture
def clinic(db) -> Venue:
    return Venue.objects.create(
        code="test-clinic", name="测试社区卫生服务中心", address="郑州市金水区花园路66号", kind=VenueKind.CLINIC,
        district="金水区", services=["vaccination"], opening_hours=HOURS,
    )  # fmt: skip


def make_slot(venue: Venue, starts_in: dt.timedelta, capacity: int = 3, service: str | None = None) -> Slot:
    starts_at = (timezone.now() + starts_in).replace(second=0, microsecond=0)
    return Slot.objects.create(
        venue=venue,
        service=service or venue.services[0],
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=30),
        capacity=capacity,
    )


@pytest.fixture
def other_client(wang_fang: APIClient) -> APIClient:
    """The second resident of the appointments tests: 王芳."""
    return wang_fang


def make_user(phone: str, role: str = Role.RESIDENT, department: str | None = None) -> User:
    """An account without a registry row: the booking races only need many users."""
    return User.objects.create_user(
        username=f"u_{phone}",
        password=PASSWORD,
        phone="+86" + phone,
        phone_verified=True,
        role=role,
        department=Department.objects.get(code=department) if department else None,
        is_staff=role != Role.RESIDENT,
    )


def book(client: APIClient, slot: Slot | int, key: str | None = None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    slot_id = slot if isinstance(slot, int) else slot.pk
    return client.post("/api/v1/appointments", {"slot": slot_id}, format="json", **headers)
