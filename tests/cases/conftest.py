"""Fixtures for the case engine. The demo city (``demo``), its residents acting through the API (``acting``) and
its clerks (``clerk("housing")``) are the shared personas of ``tests/conftest.py``; here, a resident is a demo
resident, and a clerk can verify an identity at the counter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.personas import PHOTOS, Acting

__all__ = ["PHOTOS", "counter_verify"]


@pytest.fixture
def resident(acting) -> Callable[[Any], Acting]:
    """In the case tests, ``resident(phone)`` is the demo resident with that phone, logged in and verified."""
    return acting


def counter_verify(clerk_client: APIClient, case: dict[str, Any]) -> dict[str, Any]:
    """The counter alternative to the face check, for demo residents without a registry photo."""
    response = clerk_client.post(f"/api/v1/staff/cases/{case['id']}/verify-identity", {"note": "核验身份证原件"})
    assert response.status_code == 200, response.content
    return response.json()
