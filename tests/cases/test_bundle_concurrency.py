"""A bundle moves on exactly once when its members are decided at the same moment (PostgreSQL, real HTTP against a
live server): every step locks the bundle row, so two departments' decisions arriving together submit the member
that waits for one of them once, and a resident's double tap on "continue" is one choice."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from backend.cases.models import Bundle, BundleEvent, Case
from tests.cases.test_concurrency import _bind, _fire_together, _login
from tests.personas import HOUSING_CLERK, LI_ZHIQIANG, PROVIDENT_FUND_CLERK, WANG_LEI

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-lock behaviour is tested on PostgreSQL"),
]
APPLY = "/api/v1/bundles/buying-a-home/apply"


def _counter_checks_together(base: str, ref: str) -> list:
    cases = {c.service_code: c.pk for c in Case.objects.filter(bundle_member__bundle__reference_no=ref)}
    housing, fund = _login(base, HOUSING_CLERK.phone), _login(base, PROVIDENT_FUND_CLERK.phone)
    note = {"note": "已查验身份证原件"}
    return _fire_together(
        [
            lambda: housing.post(f"/api/v1/staff/cases/{cases['deed-tax-subsidy']}/verify-identity", json=note),
            lambda: fund.post(f"/api/v1/staff/cases/{cases['provident-fund-withdrawal']}/verify-identity", json=note),
        ]
    )


def test_two_departments_deciding_at_once_start_the_dependant_once(live_server) -> None:
    call_command("load_demo", stdout=StringIO())
    resident = _bind(live_server.url, LI_ZHIQIANG.phone)
    ref = resident.post(APPLY, json={"form": {"amount": "1000"}, "consent": True}).json()["reference_no"]
    responses = _counter_checks_together(live_server.url, ref)
    assert [r.status_code for r in responses] == [200, 200], [r.text[:200] for r in responses]
    assert Case.objects.filter(service_code="school-district-check").count() == 1
    assert BundleEvent.objects.filter(action="member_submitted", service_code="school-district-check").count() == 1
    assert Bundle.objects.get().status == "in_progress"


def test_a_double_tap_on_continue_is_one_choice(live_server) -> None:
    call_command("load_demo", stdout=StringIO())
    resident = _bind(live_server.url, WANG_LEI.phone)
    ref = resident.post(APPLY, json={"form": {"amount": "1000"}, "consent": True}).json()["reference_no"]
    _counter_checks_together(live_server.url, ref)
    assert Bundle.objects.get().status == "action_required"
    assert BundleEvent.objects.filter(action="member_failed").count() == 1
    taps = [_login(live_server.url, WANG_LEI.phone) for _ in range(4)]
    responses = _fire_together([lambda t=t: t.post(f"/api/v1/me/bundles/{ref}/continue") for t in taps])
    assert sorted(r.status_code for r in responses) == [200, 409, 409, 409]
    assert BundleEvent.objects.filter(action="continued").count() == 1
    assert Bundle.objects.get().status == "partially_completed"
