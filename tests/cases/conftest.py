"""Fixtures for the case engine: the demo city loaded as `make run` loads it, and residents who log in, bind
their identity and pass the face check through the API."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from backend.demo.city import DEMO_PASSWORD, build_demo_registry
from tests.factories import login

PHOTOS = Path(__file__).resolve().parents[2] / "fixtures" / "photos"


@pytest.fixture
def demo(db) -> dict[str, dict[str, Any]]:
    """Loads the demo city without its demo cases (tests make their own); returns the demo residents by phone."""
    call_command("load_demo", "--skip", "cases", stdout=StringIO())
    data = build_demo_registry(timezone.localdate())
    return {r["phone"]: r for r in data["residents"] if r.get("phone")}


class Resident:
    """A demo resident acting through the API."""

    def __init__(self, record: dict[str, Any]) -> None:
        self.record = record
        self.client: APIClient = login(record["phone"], DEMO_PASSWORD)
        response = self.client.post(
            "/api/v1/me/real-name", {"name": record["name"], "id_number": record["id_number"]}, format="json"
        )
        assert response.status_code == 200, response.content

    def apply(self, service: str, form: dict[str, Any] | None = None, **headers: str) -> dict[str, Any]:
        response = self.client.post(
            "/api/v1/cases", {"service": service, "form": form or {}, "consent": True}, format="json", **headers
        )
        assert response.status_code == 201, response.content
        return response.json()

    def face_check(self, case: dict[str, Any], photo: str) -> dict[str, Any]:
        """Pass the face check for a pending case with a real selfie; returns the case after the decision."""
        challenge = self.client.post("/api/v1/face/challenges", {"purpose": "case", "case": case["id"]}, format="json")
        assert challenge.status_code == 201, challenge.content
        with open(PHOTOS / photo, "rb") as image:
            verify = self.client.post(
                "/api/v1/face/verify",
                {"challenge_id": challenge.json()["challenge_id"], "image": image},
                format="multipart",
            )
        assert verify.status_code == 200, verify.content
        assert verify.json()["verified"] is True, verify.content
        return verify.json()["case"]

    def enrol(self, photo: str) -> None:
        with open(PHOTOS / photo, "rb") as image:
            response = self.client.post("/api/v1/face/enrol", {"image": image}, format="multipart")
        assert response.status_code == 201, response.content

    def case(self, case_id: int) -> dict[str, Any]:
        return self.client.get(f"/api/v1/cases/{case_id}").json()


@pytest.fixture
def resident(demo) -> Any:
    return lambda phone: Resident(demo[phone])


@pytest.fixture
def clerk(demo) -> Any:
    """Clerks by department code."""
    phones = {"housing": "13700000001", "education": "13700000002", "provident_fund": "13700000003"}
    return lambda department: login(phones[department], DEMO_PASSWORD)


def counter_verify(clerk_client: APIClient, case: dict[str, Any]) -> dict[str, Any]:
    """The counter alternative to the face check, for demo residents without a registry photo."""
    response = clerk_client.post(f"/api/v1/staff/cases/{case['id']}/verify-identity", {"note": "核验身份证原件"})
    assert response.status_code == 200, response.content
    return response.json()
