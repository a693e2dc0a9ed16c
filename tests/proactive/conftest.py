"""People for the 免申即享 tests, imported through the registry import like everybody else: an elder who turned 80
last week and never applied, a first-home buyer, and residents who do not qualify (a child, a 79-year-old)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests.factories import PASSWORD, resident_record
from tests.personas import Acting


def years_ago(today: dt.date, years: int, days: int = 0) -> dt.date:
    day = (
        today.replace(year=today.year - years)
        if (today.month, today.day) != (2, 29)
        else today.replace(year=today.year - years, day=28)
    )
    return day - dt.timedelta(days=days)


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def people(today: dt.date) -> dict[str, dict[str, Any]]:
    elder = resident_record(
        "𠮷龘秀", years_ago(today, 80, days=6), 611, household_id="HH-P-1", phone="+86 166 0000 0611", photo=None
    )
    buyer = resident_record(
        "阿依古丽·买买提", dt.date(1993, 5, 2), 612, household_id="HH-P-2", phone="16600000612",
        photo="photos/biden_1.jpg",
    )  # fmt: skip
    child = resident_record("吉星", dt.date(2019, 7, 1), 613, household_id="HH-P-2", phone=None, password=None)
    almost = resident_record(
        "王老七", years_ago(today, 80, days=-1), 614, household_id="HH-P-3", phone="16600000614", photo=None
    )  # turns 80 tomorrow
    nonagenarian = resident_record(
        "李寿山", dt.date(1934, 2, 14), 615, household_id="HH-P-4", phone=None, password=None
    )
    return {"elder": elder, "buyer": buyer, "child": child, "almost": almost, "nonagenarian": nonagenarian}


@pytest.fixture
def registry(people: dict[str, dict[str, Any]], today: dt.date) -> dict[str, Any]:
    """The registry file the departments send (the §3.6 import format)."""
    return {
        "residents": list(people.values()),
        "provident_fund": [
            {
                "id_number": people["buyer"]["id_number"],
                "account_no": "GJJ-P-612",
                "status": "active",
                "balance": "52000.00",
                "monthly_deposit": "1800.00",
                "months_contributed": 40,
                "bank_card": "6222020200112233445",
            }
        ],
        "properties": [
            {
                "certificate_no": "豫(2026)郑州市不动产权第P612号",
                "owner_id_numbers": [people["buyer"]["id_number"]],
                "address": "郑州市郑东新区如意湖路8号",
                "district": "郑东新区",
                "area_m2": "89.50",
                "purchase_date": (today - dt.timedelta(days=12)).isoformat(),
                "price": "1380000.00",
                "deed_tax_paid": "13800.00",
                "first_home": True,
            }
        ],
    }


@pytest.fixture
def act():
    """``act(record)``: the imported resident logged in and bound to their real name."""
    return lambda record: Acting(record, password=PASSWORD)
