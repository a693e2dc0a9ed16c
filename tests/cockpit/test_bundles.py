"""The cockpit counts bundles (一件事一次办): submitted, completed, withdrawn, waiting for the resident, and the
median end-to-end time (submission to the last member's result), on a hand-made set:

====  ====================  ===========  ============================
b     status                submitted    completed after
====  ====================  ===========  ============================
b1    completed             N-5d         2 h
b2    partially_completed   N-4d         10 h
b3    completed             N-3d         30 h
b4    withdrawn             N-2d         1 h (not a completion)
b5    action_required       N-1d         —
b6    completed             N-40d        100 h (outside a 30-day period)
====  ====================  ===========  ============================

All: submitted 6, completed 4 (b1 b2 b3 b6) → median of 2, 10, 30, 100 = (10 + 30) / 2 = 20 h.
From N-30d: submitted 5, completed 3 → median of 2, 10, 30 = 10 h.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from backend.accounts.models import Role
from backend.cases.models import Bundle
from backend.cockpit import metrics
from tests.cockpit.conftest import FIXED_NOW, make_resident, make_user

pytestmark = pytest.mark.django_db
H, D = dt.timedelta(hours=1), dt.timedelta(days=1)


def build(now: dt.datetime) -> None:
    applicant = make_user("bundle_resident")
    resident = make_resident(applicant)
    rows = [
        ("completed", 5 * D, 2 * H),
        ("partially_completed", 4 * D, 10 * H),
        ("completed", 3 * D, 30 * H),
        ("withdrawn", 2 * D, 1 * H),
        ("action_required", 1 * D, None),
        ("completed", 40 * D, 100 * H),
    ]
    for i, (status, ago, took) in enumerate(rows, start=1):
        submitted = now - ago
        record = Bundle.objects.create(
            reference_no=f"T-B-{i}",
            bundle_code="buying-a-home",
            applicant=applicant,
            resident=resident,
            status=status,
            consent_at=submitted,
            completed_at=submitted + took if took else None,
        )
        Bundle.objects.filter(pk=record.pk).update(submitted_at=submitted)


def test_bundle_totals_and_the_median_end_to_end_time() -> None:
    build(FIXED_NOW)
    totals = metrics.bundle_totals(Bundle.objects.all())
    assert totals == {
        "submitted": 6,
        "completed": 4,
        "fully_completed": 3,
        "withdrawn": 1,
        "action_required": 1,
        "median_hours": pytest.approx(20.0),
    }
    data = metrics.collect(FIXED_NOW, start=(FIXED_NOW - 30 * D).date())
    assert data["bundles"]["submitted"] == 5 and data["bundles"]["completed"] == 3
    assert data["bundles"]["median_hours"] == pytest.approx(10.0)


def test_no_bundles_no_median() -> None:
    assert metrics.bundle_totals(Bundle.objects.all())["median_hours"] is None


def test_the_page_shows_the_bundle_tile() -> None:
    build(timezone.now())
    client = Client()
    client.force_login(make_user("bundle_supervisor", Role.SUPERVISOR))
    html = client.get("/cockpit/").content.decode()
    tiles = dict(re.findall(r'<div class="label">([^<]+)<small>.*?<div class="value">([^<]+)', html, re.S))
    assert tiles["一件事办结"].strip() == "4"
    assert "全程用时中位数 20.0 小时" in html and "待群众确认 1" in html
    assert client.get("/cockpit/data.json").json()["bundles"]["submitted"] == 6
