"""Fixtures for the resident app: the demo city behind pytest-django's live server, real HTTP, real database.

The app's API client and controllers talk to ``live_server.url`` exactly as the app does in production; nothing of
our own API is mocked. The people are the personas of ``tests/personas.py`` (``ZHANG_JIANGUO.phone`` ...); password
hashing is made cheap for every test by ``tests/conftest.py`` (the demo loader hashes twenty passwords).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Coroutine
from io import StringIO
from typing import Any, TypeVar

import httpx
import pytest
from django.core.management import call_command
from django.utils import timezone

from backend.demo.city import build_demo_registry
from mobileapp.api import ApiClient
from mobileapp.session import AppState, MemoryStorage
from tests.factories import senior_allowance_offer
from tests.personas import DEMO_PASSWORD, PHOTOS

__all__ = ["PHOTOS", "app_state", "photo", "run", "senior_offer_of_zhang", "staff_decide", "verified_state"]

T = TypeVar("T")


_LOOP = asyncio.new_event_loop()


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run one coroutine of the app's async code from a (sync) test. One loop for all: an ``httpx.AsyncClient``
    keeps its connections on the loop that opened them, as the app's session does."""
    return _LOOP.run_until_complete(coro)


@pytest.fixture
def city(live_server) -> dict[str, Any]:
    """The demo city (as ``make run`` loads it) behind a live server: ``{"url", "residents": {phone: record}}``."""
    call_command("load_demo", stdout=StringIO())
    data = build_demo_registry(timezone.localdate())
    residents = {r["phone"]: r for r in data["residents"] if r.get("phone")}
    return {"url": live_server.url, "residents": residents, "data": data}


@pytest.fixture
def new_client(city) -> Callable[..., ApiClient]:
    """``new_client(phone=None, language="zh-CN")``: an app API client, logged in when a phone is given."""

    def make(phone: str | None = None, language: str = "zh-CN", verify: bool = False) -> ApiClient:
        client = ApiClient(city["url"], language=language)
        if phone:
            run(client.login(phone, DEMO_PASSWORD))
            if verify:
                record = city["residents"][phone]
                run(client.bind_real_name(record["name"], record["id_number"]))
        return client

    return make


def app_state(city, storage: MemoryStorage | None = None, language: str = "zh-CN") -> AppState:
    """The app's session as a fresh install on a device would have it (not logged in)."""
    return AppState(ApiClient(city["url"], language=language), storage or MemoryStorage())


def verified_state(city, phone: str) -> AppState:
    """A resident logged in through the app's session and bound to their real name."""
    state = app_state(city)
    run(state.login(phone, DEMO_PASSWORD))
    record = city["residents"][phone]
    run(state.bind_real_name(record["name"], record["id_number"]))
    return state


def senior_offer_of_zhang() -> int:
    """A 免申即享 offer for 张建国 (born 1988-04-12) to draw the offer screen with: the senior allowance, made by the
    city's scan of the day he turns 80."""
    return senior_allowance_offer("+8613800000001", dt.date(2068, 4, 12))


def photo(name: str) -> bytes:
    return (PHOTOS / name).read_bytes()


def staff_decide(base_url: str, clerk_phone: str, case_id: int, action: str, reason: str = "") -> dict[str, Any]:
    """A clerk's decision through the staff API (what the Django admin's actions also call)."""
    with httpx.Client(base_url=base_url, timeout=30) as http:
        token = http.post("/_allauth/app/v1/auth/login", json={"phone": clerk_phone, "password": DEMO_PASSWORD}).json()[
            "meta"
        ]["session_token"]
        response = http.post(
            f"/api/v1/staff/cases/{case_id}/decide",
            json={"action": action, "reason": reason},
            headers={"X-Session-Token": token},
        )
    assert response.status_code == 200, response.text
    return response.json()
