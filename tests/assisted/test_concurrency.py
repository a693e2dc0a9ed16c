"""Confirming one session from several counter screens at once submits one case (PostgreSQL only: row locks).

Each thread is a separate HTTP client with its own database connection; a barrier releases them together."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.db import connection

from backend.accounts import sms
from backend.assisted.models import AssistedEvent
from backend.cases.models import Case
from tests import personas
from tests.appointments.test_concurrency import run_concurrently

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
    pytest.mark.django_db(transaction=True),
]

BASE = "/api/v1/staff/assisted-sessions"


def test_four_simultaneous_confirmations_submit_one_case(demo) -> None:
    zhang = personas.ZHANG_JIANGUO.record()
    clerk = personas.PROVIDENT_FUND_CLERK.login()
    body = {"id_number": zhang["id_number"], "name": zhang["name"], "id_card_checked": True}
    session = clerk.post(BASE, body, format="json").json()
    filled = clerk.post(
        f"{BASE}/{session['id']}/application",
        {"service": "provident-fund-withdrawal", "form": {"reason": "rent", "amount": "500.00"}, "consent": True},
        format="json",
    )
    assert filled.status_code == 200, filled.content
    assert clerk.post(f"{BASE}/{session['id']}/send-code").status_code == 200
    code = re.search(r"确认码 (\d{6})", sms.outbox[-1].text).group(1)
    screens = [personas.PROVIDENT_FUND_CLERK.login() for _ in range(4)]

    def attempt(screen):
        def call():
            response = screen.post(
                f"{BASE}/{session['id']}/confirm", {"method": "sms_code", "code": code}, format="json"
            )
            return response.status_code, response.json()

        return call

    results = run_concurrently([attempt(screen) for screen in screens])
    statuses = Counter(r[0] if isinstance(r, tuple) else repr(r) for r in results)
    assert statuses == {200: 1, 409: 3}, results
    assert {r[1]["error"]["code"] for r in results if r[0] == 409} == {"session_closed"}
    assert Case.objects.count() == 1
    assert AssistedEvent.objects.filter(session_id=session["id"], kind="confirmed").count() == 1
