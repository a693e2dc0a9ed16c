"""The demo city events load idempotently on top of the demo staff and residents."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from backend.cityevents.models import EventCategory, EventReport, RoutingRule

pytestmark = pytest.mark.django_db


def test_demo_events_load_twice_without_duplicates() -> None:
    from backend.accounts import demo as accounts_demo
    from backend.cityevents import demo
    from backend.registries import demo as registries_demo

    today = timezone.localdate()
    lines: list[str] = []
    accounts_demo.load(today, lines.append)
    registries_demo.load(today, lines.append)
    demo.load(today, lines.append)
    counts = (EventCategory.objects.count(), RoutingRule.objects.count(), EventReport.objects.count())
    assert counts == (len(demo.CATEGORIES), len(demo.ROUTING_RULES), len(demo.REPORTS))

    demo.load(today + dt.timedelta(days=1), lines.append)
    assert (EventCategory.objects.count(), RoutingRule.objects.count(), EventReport.objects.count()) == counts

    statuses = set(EventReport.objects.values_list("status", flat=True))
    assert statuses == {"received", "dispatched", "in_progress", "resolved", "closed"}
    assert EventReport.objects.filter(duplicate_of__isnull=False).count() == 1
    assert EventReport.objects.get(idempotency_key="demo-7").department.code == "natural_resources"
    assert len(set(EventReport.objects.values_list("district", flat=True))) >= 5
