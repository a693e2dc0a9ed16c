"""Money moves exactly once: simultaneous decisions on PostgreSQL, through real HTTP against a live server.

Eight rent withdrawals of the same resident are decided at the same moment (eight clerks' counter checks arrive
together). The engine locks the household's registry rows before it evaluates ``too_frequent``, so exactly one is
paid and seven are rejected — never two payouts, never a negative balance.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from io import StringIO

import httpx
import pytest
from django.core.management import call_command
from django.db import connection

from backend.cases import services
from backend.cases.models import Case, Payout, SubsidyClaim
from backend.demo.city import DEMO_PASSWORD
from backend.registries.models import ProvidentFundAccount, ProvidentWithdrawal, Resident
from tests.personas import ZHANG_JIANGUO

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-lock behaviour is tested on PostgreSQL"),
]

ZHANG = ZHANG_JIANGUO.phone
LI_ZHIQIANG, SUN_LI = "13800000003", "13800000004"  # co-owners of one first home


def _login(base: str, phone: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    response = client.post("/_allauth/app/v1/auth/login", json={"phone": phone, "password": DEMO_PASSWORD})
    client.headers["X-Session-Token"] = response.json()["meta"]["session_token"]
    return client


def _bind(base: str, phone: str) -> httpx.Client:
    client = _login(base, phone)
    resident = Resident.objects.get(phone="+86" + phone)
    assert client.post("/api/v1/me/real-name", json={"name": resident.name, "id_number": resident.id_number}).is_success
    return client


def _fire_together(requests: list) -> list[httpx.Response]:
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def run(i: int) -> None:
        barrier.wait()
        results[i] = requests[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_eight_simultaneous_rent_withdrawals_pay_once(live_server) -> None:
    call_command("load_demo", stdout=StringIO())
    base = live_server.url
    resident = _bind(base, ZHANG)
    cases = [
        resident.post(
            "/api/v1/cases",
            json={
                "service": "provident-fund-withdrawal",
                "form": {"reason": "rent", "amount": "1000.00"},
                "consent": True,
            },
        ).json()
        for _ in range(8)
    ]
    assert {c["status"] for c in cases} == {"pending_face"}
    account = ProvidentFundAccount.objects.get(resident__phone="+86" + ZHANG)
    balance = account.balance
    clerks = [_login(base, "13700000003") for _ in cases]
    responses = _fire_together(
        [
            lambda c=c, k=k: k.post(f"/api/v1/staff/cases/{c['id']}/verify-identity", json={"note": "已查验身份证原件"})
            for c, k in zip(cases, clerks, strict=True)
        ]
    )
    assert all(r.status_code == 200 for r in responses), [r.text[:200] for r in responses]
    statuses = sorted(r.json()["status"] for r in responses)
    assert statuses == ["approved"] + ["rejected"] * 7
    assert {r.json()["decision"]["reason_code"] for r in responses if r.json()["status"] == "rejected"} == {
        "too_frequent"
    }
    account.refresh_from_db()
    assert account.balance == balance - Decimal("1000.00")
    assert Payout.objects.count() == 1
    assert ProvidentWithdrawal.objects.filter(account=account, case_reference__startswith="ZZ-").count() == 1


def test_co_owners_claiming_the_same_home_at_once_are_paid_once(live_server) -> None:
    """Different households are not serialized by the household lock: the unique claim constraint decides."""
    call_command("load_demo", stdout=StringIO())
    base = live_server.url
    owners = [_bind(base, LI_ZHIQIANG), _bind(base, SUN_LI)]
    cases = [
        o.post("/api/v1/cases", json={"service": "deed-tax-subsidy", "form": {}, "consent": True}).json()
        for o in owners
    ]
    clerks = [_login(base, "13700000001") for _ in cases]
    responses = _fire_together(
        [
            lambda c=c, k=k: k.post(f"/api/v1/staff/cases/{c['id']}/verify-identity", json={"note": "已查验身份证原件"})
            for c, k in zip(cases, clerks, strict=True)
        ]
    )
    statuses = sorted(r.json()["status"] for r in responses)
    assert statuses == ["approved", "rejected"]
    assert SubsidyClaim.objects.count() == 1 and Payout.objects.count() == 1
    assert Case.objects.get(status="rejected").decision["reason_code"] == "already_claimed"


def test_reference_numbers_stay_unique_under_concurrent_submissions(live_server) -> None:
    call_command("load_demo", stdout=StringIO())
    base = live_server.url
    residents = [_bind(base, p) for p in ("13800000001", "13800000010", "13800000012", "13800000013")]
    responses = _fire_together(
        [
            lambda r=r: r.post(
                "/api/v1/cases",
                json={
                    "service": "talent-housing-subsidy",
                    "form": {"degree": "master", "employer": "郑大"},
                    "consent": True,
                },
            )
            for r in residents
        ]
    )
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses]
    assert len({r.json()["reference_no"] for r in responses}) == 4
    assert services  # the services module is what the endpoints call
