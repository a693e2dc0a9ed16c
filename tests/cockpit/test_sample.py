"""``manage.py cockpit_sample``: idempotent demo activity on top of ``load_demo``, and a page that renders it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from backend.cases.models import Bundle, Case, Rating
from backend.registries.models import DataAccessLog
from tests.personas import SUPERVISOR

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_sample_data_loads_once_and_renders() -> None:
    call_command("load_demo", stdout=StringIO())
    out = StringIO()
    call_command("cockpit_sample", "--cases", "60", "--events", "10", stdout=out)
    assert "sample cases: 60 created" in out.getvalue()
    assert "sample bundles: 7 created" in out.getvalue()  # 一件事一次办: one per eight cases
    bundles = Bundle.objects.filter(reference_no__startswith="SMP-B")
    assert bundles.count() == 7
    assert all(b.members.count() >= 2 and all(m.case is not None for m in b.members.all()) for b in bundles)
    counts = (Case.objects.count(), Rating.objects.count(), DataAccessLog.objects.count())
    assert Case.objects.filter(reference_no__startswith="SMP-", bundle_member__isnull=True).count() == 60
    assert counts[1] > 0 and counts[2] > 0

    call_command("cockpit_sample", stdout=(again := StringIO()))
    assert "already there" in again.getvalue()
    assert (Case.objects.count(), Rating.objects.count(), DataAccessLog.objects.count()) == counts

    client = Client()
    client.force_login(SUPERVISOR.account())  # the demo supervisor
    response = client.get("/cockpit/")
    assert response.status_code == 200
    assert response.content.decode().count('<svg class="chart"') >= 4
    data = client.get("/cockpit/data.json").json()
    assert data["bundles"]["submitted"] >= 1 and data["bundles"]["completed"] >= 1

    call_command("cockpit_sample", "--reset", "--cases", "0", "--events", "0", stdout=StringIO())
    assert not Case.objects.filter(reference_no__startswith="SMP-").exists()
    assert not Bundle.objects.filter(reference_no__startswith="SMP-").exists()
    assert not DataAccessLog.objects.filter(case_reference__startswith="SMP-").exists()
