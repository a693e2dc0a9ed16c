"""Throttles behind a reverse proxy (NUM_PROXIES=1): the client address is the one the proxy appended to
X-Forwarded-For, so a client that writes its own X-Forwarded-For cannot reset its limits — and two residents behind
the same proxy are not counted as one.

Login attempts are limited per client IP by allauth (``ACCOUNT_RATE_LIMITS``, IP from ``ALLAUTH_TRUSTED_PROXY_COUNT
= NUM_PROXIES``); face and submission endpoints per user (DRF scoped throttles ``face`` and ``submit``);
anonymous Open311 calls per client IP (DRF ``AnonRateThrottle`` with ``NUM_PROXIES``).
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"  # REMOTE_ADDR: the load balancer
CLIENT, NEIGHBOUR = "203.0.113.7", "198.51.100.9"


def via_proxy(client_ip: str, spoofed: str) -> dict[str, str]:
    """Headers as the app sees them: the client's own X-Forwarded-For, then the address the proxy appended."""
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{spoofed}, {client_ip}"}


@pytest.fixture
def behind_proxy(settings) -> None:
    settings.NUM_PROXIES = 1
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


def test_settings_pass_num_proxies_to_drf_and_allauth(settings) -> None:
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == settings.NUM_PROXIES
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == (settings.NUM_PROXIES or None)


def test_login_limit_is_per_client_and_not_reset_by_spoofed_forwarded_for(behind_proxy, settings, resident) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    api = APIClient()
    body = {"phone": resident["phone"], "password": PASSWORD}
    codes = [
        api.post("/_allauth/app/v1/auth/login", body, format="json", **via_proxy(CLIENT, f"10.0.0.{i}")).status_code
        for i in range(4)
    ]
    assert codes == [200, 200, 200, 429], codes
    # another resident behind the same proxy is not locked out by the first one's attempts
    other = api.post("/_allauth/app/v1/auth/login", body, format="json", **via_proxy(NEIGHBOUR, "10.0.0.1"))
    assert other.status_code == 200, other.content


def test_submission_limit_is_per_user_whatever_the_address(behind_proxy, verified_client, monkeypatch) -> None:
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "submit", "2/min")
    form = {"service": "talent-housing-subsidy", "form": {"degree": "master", "employer": "郑州大学"}, "consent": True}
    codes = [
        verified_client.post(
            "/api/v1/cases", form, format="json", **via_proxy(f"192.0.2.{i}", f"10.1.0.{i}")
        ).status_code
        for i in range(3)
    ]
    assert codes == [201, 201, 429], codes


def test_face_limit_is_per_user_whatever_the_address(behind_proxy, verified_client, monkeypatch) -> None:
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "face", "2/min")
    codes = [
        verified_client.get("/api/v1/face/status", **via_proxy(f"192.0.2.{i}", f"10.2.0.{i}")).status_code
        for i in range(3)
    ]
    assert codes == [200, 200, 429], codes


def test_anonymous_open311_limit_uses_the_proxy_appended_address(behind_proxy, monkeypatch, api) -> None:
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "2/min")
    codes = [api.get("/open311/v2/services.json", **via_proxy(CLIENT, f"10.3.0.{i}")).status_code for i in range(3)]
    assert codes[-1] == 429, codes
    assert api.get("/open311/v2/services.json", **via_proxy(NEIGHBOUR, "10.3.0.1")).status_code == 200
