"""Test data and HTTP helpers shared by the test modules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rest_framework.test import APIClient

from tests.idnumbers import id_number

__all__ = ["PASSWORD", "id_number", "login", "resident_record", "senior_allowance_offer"]

PASSWORD = "Test-Pass-2026!"


def login(phone: str, password: str = PASSWORD) -> APIClient:
    """Log in through allauth's headless app endpoint and return a client that sends the session token."""
    client = APIClient()
    response = client.post("/_allauth/app/v1/auth/login", {"phone": phone, "password": password}, format="json")
    assert response.status_code == 200, response.content
    client.credentials(HTTP_X_SESSION_TOKEN=response.json()["meta"]["session_token"])
    return client


def resident_record(
    name: str = "高远",
    birth: dt.date = dt.date(1990, 1, 5),
    seq: int = 501,
    *,
    household_id: str = "HH-T1",
    phone: str | None = "16600000901",
    photo: str | None = "photos/biden_1.jpg",
    password: str | None = PASSWORD,
    address: str = "郑州市金水区花园路10号",
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id_number": id_number("410105", birth, seq),
        "name": name,
        "gender": "M" if seq % 2 else "F",
        "birth_date": birth.isoformat(),
        "address": address,
        "district": "金水区",
        "household_id": household_id,
    }
    if phone:
        record["phone"] = phone
    if photo:
        record["photo"] = photo
    if password:
        record["account_password"] = password
    return record


def senior_allowance_offer(phone: str, turns_80_on: dt.date) -> int:
    """A 免申即享 offer of the senior allowance for the resident with this phone (as stored, ``+86…``), made the way
    the city makes it: by the scan of the day they turn 80 (for a resident of any age, a day in the future)."""
    from backend.cases.discovery import get_service
    from backend.proactive.models import Offer
    from backend.proactive.scan import scan_service

    service = get_service("senior-allowance")
    assert service is not None
    scan_service(service, today=turns_80_on)
    return Offer.objects.get(resident__phone=phone, service_code="senior-allowance").pk
