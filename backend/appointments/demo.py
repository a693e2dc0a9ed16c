"""Demo venues (three 政务服务大厅 and a community clinic) with opening hours, slots for the next 14 days with
small capacities (1 to 5; 1 to 2 at the clinic), and two bookings of demo residents. Idempotent: venues by code,
slots by (venue, service, start), bookings by their ``Idempotency-Key`` (``demo-booking-N``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypedDict

from django.utils import timezone

from backend.accounts.models import Department, User

from . import conf
from .models import Slot, Venue, VenueKind
from .services import book, generate_slots, varied_capacity

WEEKDAY_HOURS = [["09:00", "12:00"], ["13:30", "17:00"]]
HALL_HOURS = {**dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), WEEKDAY_HOURS), "sat": [["09:00", "12:00"]]}
OFFICE_HOURS = dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), WEEKDAY_HOURS)
CLINIC_HOURS = {d: [["08:00", "11:30"], ["14:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat")}


class VenueSpec(TypedDict):
    """One demo venue; ``capacity`` is the (low, high) range of people per slot, ``department`` a code or None."""

    code: str
    name: str
    kind: VenueKind
    district: str
    address: str
    lat: float
    long: float
    department: str | None
    opening_hours: dict[str, list[list[str]]]
    capacity: tuple[int, int]
    services: list[str]


VENUES: list[VenueSpec] = [
    {
        "code": "zz-citizen-hall", "name": "郑州市民之家政务服务大厅", "kind": VenueKind.HALL, "district": "郑东新区",
        "address": "郑州市郑东新区心怡路与平安大道交叉口 郑州市民之家", "lat": 34.7712, "long": 113.7435,
        "department": None, "opening_hours": HALL_HOURS, "capacity": (1, 5),
        "services": ["provident-fund-withdrawal", "public-rental-housing", "deed-tax-subsidy",
                     "household-registration"],
    },
    {
        "code": "jinshui-hall", "name": "金水区政务服务大厅", "kind": VenueKind.HALL, "district": "金水区",
        "address": "郑州市金水区花园路与东风路交叉口", "lat": 34.8005, "long": 113.6652,
        "department": None, "opening_hours": OFFICE_HOURS, "capacity": (1, 5),
        "services": ["primary-school-enrolment", "household-registration", "business-licence"],
    },
    {
        "code": "provident-fund-hall", "name": "郑州住房公积金管理中心服务大厅", "kind": VenueKind.HALL,
        "district": "金水区", "address": "郑州市金水区经三路与纬二路交叉口", "lat": 34.7825, "long": 113.6790,
        "department": "provident_fund", "opening_hours": OFFICE_HOURS, "capacity": (2, 5),
        "services": ["provident-fund-withdrawal"],
    },
    {
        "code": "huayuan-clinic", "name": "金水区花园路社区卫生服务中心", "kind": VenueKind.CLINIC,
        "district": "金水区", "address": "郑州市金水区花园路66号", "lat": 34.7861, "long": 113.6683,
        "department": None, "opening_hours": CLINIC_HOURS, "capacity": (1, 2),
        "services": ["general-practice", "vaccination", "health-check"],
    },
]  # fmt: skip

#: key, resident phone, venue code, service
BOOKINGS = [
    ("demo-booking-1", "13800000001", "zz-citizen-hall", "provident-fund-withdrawal"),
    ("demo-booking-2", "13800000002", "huayuan-clinic", "vaccination"),
]


def load(today: dt.date, log: Callable[[str], None]) -> None:
    slots = 0
    for spec in VENUES:
        low, high = spec["capacity"]
        department = Department.objects.get(code=spec["department"]) if spec["department"] else None
        venue, _ = Venue.objects.update_or_create(
            code=spec["code"],
            defaults={
                "name": spec["name"], "kind": spec["kind"], "district": spec["district"], "address": spec["address"],
                "lat": spec["lat"], "long": spec["long"], "department": department, "services": spec["services"],
                "opening_hours": spec["opening_hours"], "slot_minutes": 30, "slot_capacity": high,
            },
        )  # fmt: skip
        slots += generate_slots(venue, today, conf.slot_days(), capacity=varied_capacity(low, high))
    log(f"venues: {len(VENUES)}; slots: {slots} created for the next {conf.slot_days()} days")

    made = 0
    tomorrow = timezone.now() + dt.timedelta(days=1)
    for key, phone, venue_code, service in BOOKINGS:
        user = User.objects.filter(phone="+86" + phone).first()
        slot = (
            Slot.objects.filter(venue__code=venue_code, service=service, starts_at__gte=tomorrow, booked__lt=1)
            .order_by("starts_at")
            .first()
        )
        if user is None or slot is None:
            continue
        _, created = book(user, slot.pk, idempotency_key=key)
        made += created
    log(f"bookings: {made} created, {len(BOOKINGS) - made} already there")
