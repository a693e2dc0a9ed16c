"""Redis down: the cache degrades to process memory (limits still hold), and no case is lost when the broker is gone.

The production settings put the cache (throttles, allauth rate limits, face replay fingerprints) and the Celery
broker on Redis. These tests point both at a closed port while the API runs.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from backend.cases.models import Case
from backend.notifications.models import Notification, PushReceipt
from tests.factories import PASSWORD
from tests.faults.conftest import closed_port

TALENT = {"service": "talent-housing-subsidy", "form": {"degree": "master", "employer": "郑州大学"}, "consent": True}


@pytest.mark.django_db
def test_requests_work_while_the_cache_is_unreachable(cache_down, api: APIClient, verified_client: APIClient) -> None:
    assert api.get("/api/v1/health").status_code == 200
    assert api.get("/api/v1/services").status_code == 200
    assert verified_client.get("/api/v1/cases").status_code == 200
    response = verified_client.post("/api/v1/cases", TALENT, format="json")
    assert response.status_code == 201, response.content


@pytest.mark.django_db
def test_login_works_and_is_still_rate_limited_while_the_cache_is_unreachable(cache_down, resident) -> None:
    """Not fail-closed (every login a 429, as allauth's cache lock would make it) and not fail-open either."""
    api = APIClient()
    ok = api.post("/_allauth/app/v1/auth/login", {"phone": resident["phone"], "password": PASSWORD}, format="json")
    assert ok.status_code == 200, ok.content
    codes = []
    for _ in range(6):
        response = api.post(
            "/_allauth/app/v1/auth/login", {"phone": resident["phone"], "password": "wrong-1"}, format="json"
        )
        codes.append(response.json()["errors"][0]["code"])
    # login_failed: 5 per 5 minutes per phone, counted in the fallback memory while Redis is away
    assert codes[:5] == ["phone_password_mismatch"] * 5, codes
    assert codes[5] == "too_many_login_attempts", codes
    right = api.post("/_allauth/app/v1/auth/login", {"phone": resident["phone"], "password": PASSWORD}, format="json")
    assert right.status_code == 400 and right.json()["errors"][0]["code"] == "too_many_login_attempts"


@pytest.mark.django_db
def test_submission_throttle_still_holds_while_the_cache_is_unreachable(
    cache_down, verified_client: APIClient, monkeypatch
) -> None:
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "submit", "2/min")
    assert api_settings  # the rates dict is the one the throttles read
    codes = [verified_client.post("/api/v1/cases", TALENT, format="json").status_code for _ in range(3)]
    assert codes == [201, 201, 429]


@pytest.mark.django_db(transaction=True)
def test_no_case_is_lost_when_the_broker_is_down(cache_down, broker, verified_client: APIClient) -> None:
    """The case and the inbox row are committed before the push is queued. With the broker gone the request must
    still answer 201 (the push is logged and left to the re-push sweep), and the case must exist exactly once."""
    from tests.faults.conftest import closed_port

    broker(f"redis://127.0.0.1:{closed_port()}/0")
    try:
        response = verified_client.post("/api/v1/cases", TALENT, format="json", HTTP_IDEMPOTENCY_KEY="k-broker-down")
        status: Any = response.status_code
    except Exception as exc:  # the test client re-raises what the view raised
        status = type(exc).__name__
    # Whatever the answer, nothing is lost: one case, its timeline and the resident's notice are stored.
    assert Case.objects.filter(idempotency_key="k-broker-down").count() == 1
    case = Case.objects.get(idempotency_key="k-broker-down")
    assert case.events.exists()
    assert Notification.objects.filter(target__id=case.pk).exists()
    assert status == 201, "a broker outage must not fail a request that has committed its case"
    # the push was not queued: no receipt, so the re-push sweep (notifications.tasks.repush_pending) sends it later
    assert not PushReceipt.objects.filter(notification_id__in=case.applicant.notifications.values("pk")).exists()


@pytest.mark.django_db
def test_unpushed_notifications_are_pushed_by_the_sweep_once_the_broker_is_back(verified_client: APIClient) -> None:
    """A notice whose push was never queued (broker down) has no receipt; the sweep pushes it exactly once."""
    from datetime import timedelta

    from django.utils import timezone

    from backend.notifications.tasks import repush_pending

    user = verified_client.get("/api/v1/me").json()["id"]
    old = timezone.now() - timedelta(minutes=10)
    notification = Notification.objects.create(user_id=user, kind="case.approved", title="t")
    Notification.objects.filter(pk=notification.pk).update(created_at=old)
    assert not PushReceipt.objects.filter(notification_id=notification.pk).exists()
    assert repush_pending() >= 1
    receipt = PushReceipt.objects.get(notification_id=notification.pk)
    assert receipt.sent_at is not None and receipt.attempts == 1
    repush_pending()
    receipt.refresh_from_db()
    assert receipt.attempts == 1  # sent once: the sweep skips what has a receipt


def test_one_redis_client_per_pool_and_the_breaker_still_works(redis_url: str) -> None:
    """The production backend reuses its redis-py client (backend/core/cache.py) — and still falls back to local
    memory when that client's server goes away, and back to Redis after it returns."""
    from backend.core.cache import ResilientRedisCache

    cache = ResilientRedisCache(redis_url, {"KEY_PREFIX": f"reuse-{os.getpid()}", "TIMEOUT": 30})
    client = cache.primary._cache.get_client(write=True)
    assert cache.primary._cache.get_client(write=True) is client
    cache.set("k", "shared")
    assert cache.get("k") == "shared" and cache.primary.get("k") == "shared"

    down = ResilientRedisCache(f"redis://127.0.0.1:{closed_port()}/0", {"OPTIONS": {"socket_connect_timeout": 0.2}})
    down.set("k", "local")  # Redis refuses: served from process memory, no exception
    assert down.get("k") == "local" and not down.redis_available
    cache.delete("k")
