"""Personal identifiers never leave the server in full (DESIGN §3.2): every GET under /api/v1/ that the owner can
call, on every object they own, is scanned for a full ID number, mobile number or bank card number."""

from __future__ import annotations

import re

import pytest

from tests.personas import ZHANG_ZIHAN
from tests.security.conftest import api_routes
from tests.security.test_bola import OWNED

pytestmark = pytest.mark.django_db

FULL_IDENTIFIERS = {
    "id_number": re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])"),
    "mobile": re.compile(r"(?<!\d)(?:\+?86)?1[3-9]\d{9}(?!\d)"),
    "bank_card": re.compile(r"(?<!\d)\d{16,19}(?!\d)"),
}


def scan(client, url: str) -> dict[str, list[str]]:
    response = client.get(url)
    if response.status_code != 200 or not response["Content-Type"].startswith("application/json"):
        return {}
    text = response.content.decode()
    return {kind: pattern.findall(text) for kind, pattern in FULL_IDENTIFIERS.items() if pattern.findall(text)}


def owner_urls(world) -> list[str]:
    victim = world["victim"]
    urls = []
    for route in api_routes():
        if "GET" not in route.methods or route.name in {"schema", "docs"} or route.route.startswith("api/v1/staff/"):
            continue
        if not route.params:
            urls.append(route.url())
        elif route.name in OWNED:
            urls.append(route.url(**{route.params[0]: victim.objects[OWNED[route.name]]}))
    urls += [f"/api/v1/services/{code}/prefill" for code in ("provident-fund-withdrawal", "deed-tax-subsidy")]
    return urls


def test_no_owner_response_carries_a_full_identifier(world) -> None:
    leaks = {url: found for url in owner_urls(world) if (found := scan(world["victim"].client, url))}
    assert not leaks, leaks


def test_a_case_form_does_not_echo_a_full_id_number(world) -> None:
    victim = world["victim"]
    applied = victim.acting.apply("primary-school-enrolment", {"child_id_number": ZHANG_ZIHAN.id_number})
    assert not scan(victim.client, f"/api/v1/cases/{applied['id']}")
