"""The change tracking the incremental scan relies on: ``import_registry`` bumps ``updated_at`` exactly when it
changes a row (a home's owners included), and ``changed_residents`` finds the owners of every changed row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from backend.registries.changes import changed_residents
from backend.registries.models import HouseholdIncome, Property, ProvidentFundAccount, Resident

pytestmark = pytest.mark.django_db


def _changed_names(since: dt.datetime) -> set[str]:
    return set(Resident.objects.filter(pk__in=changed_residents(since)).values_list("name", flat=True))


def test_unchanged_rows_keep_their_time_and_changed_ones_are_found(import_data, registry, people) -> None:
    import_data(registry)
    mark = timezone.now()
    import_data(registry)  # the same file again: nothing changed, nobody found
    assert _changed_names(mark) == set()

    import_data({"residents": [{**people["child"], "address": "郑州市金水区文化路1号"}]})
    assert _changed_names(mark) == {"吉星"}

    mark = timezone.now()
    account = {**registry["provident_fund"][0], "balance": "51000.00"}
    import_data({"provident_fund": [account]})
    assert _changed_names(mark) == {"阿依古丽·买买提"}
    assert ProvidentFundAccount.objects.get().updated_at > mark

    mark = timezone.now()
    home = registry["properties"][0]
    owners = [people["buyer"]["id_number"], people["elder"]["id_number"]]
    import_data({"properties": [{**home, "owner_id_numbers": owners}]})
    assert Property.objects.get().updated_at > mark  # a new owner is a change of the record
    assert _changed_names(mark) == {"阿依古丽·买买提", "𠮷龘秀"}

    mark = timezone.now()
    import_data({"incomes": [{"household_id": "HH-P-2", "monthly_income_per_capita": "3100.00"}]})
    assert HouseholdIncome.objects.get().updated_at > mark
    assert _changed_names(mark) == {"阿依古丽·买买提", "吉星"}  # the whole household


def test_the_admin_lists_offers_and_scans(superuser, import_data, registry) -> None:
    from backend.proactive.scan import scan_all

    import_data(registry)
    scan_all()
    for path in ("/admin/proactive/offer/", "/admin/proactive/scanrun/"):
        response = superuser.get(path)
        assert response.status_code == 200 and "senior-allowance" in response.content.decode()


def _elders(count: int, first_seq: int) -> list[dict]:
    from tests.factories import resident_record

    return [
        resident_record(
            f"老人{i}",
            dt.date(1930 + i % 15, 1 + i % 12, 1 + i % 27),
            first_seq + i,
            household_id=f"HH-E-{i}",
            phone=None,
            password=None,
            photo=None,
        )
        for i in range(count)
    ]


def test_a_scan_asks_the_database_per_chunk_not_per_resident(import_data, django_assert_max_num_queries) -> None:
    """The rules' reads (the allowance's ``has_other_case``, the deed tax's homes) come from one query per chunk: a
    scan of 120 elders costs the statements of one of 40."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from backend.cases.discovery import get_service
    from backend.proactive.models import Offer
    from backend.proactive.scan import scan_service

    service = get_service("senior-allowance")
    assert service is not None
    scan_service(service)  # the first scan of a service also records its watermark
    counts = []
    for count, seq in ((40, 100), (80, 300)):
        import_data({"residents": _elders(count, seq)})
        with CaptureQueriesContext(connection) as queries:
            result = scan_service(service, full=True)
        assert result.offered == count  # the second run evaluates all 120 and offers the 80 new ones
        counts.append(len(queries.captured_queries))
    # 40 residents evaluated, then 120: the same statements (an INSERT may split in two on SQLite's variable limit)
    assert counts[0] < 25 and counts[1] <= counts[0] + 2, counts
    assert Offer.objects.count() == 120


def test_the_beat_entries_name_the_task_and_it_runs_inline(settings, import_data, registry) -> None:
    """``make run`` has no broker: the task runs eagerly; beat names it with ``full`` for the daily scan."""
    from backend.celery import app
    from backend.proactive.tasks import proactive_scan

    entries = {name: entry for name, entry in settings.CELERY_BEAT_SCHEDULE.items() if "proactive" in name}
    assert {entry["task"] for entry in entries.values()} == {proactive_scan.name}
    assert proactive_scan.name in app.tasks
    assert [entry.get("kwargs", {}) for entry in entries.values()] == [{}, {"full": True}]
    import_data(registry)
    lines = proactive_scan.delay().get()
    assert any(line.startswith("proactive full scan senior-allowance: 2 evaluated, 2 offered") for line in lines)


def test_the_command_scans_incrementally_unless_full(import_data, registry) -> None:
    from io import StringIO

    from django.core.management import call_command

    def run(*args: str) -> str:
        out = StringIO()
        call_command("proactive_scan", *args, stdout=out)
        return out.getvalue()

    import_data(registry)
    assert "proactive full scan senior-allowance: 2 evaluated, 2 offered" in run()  # the first scan is full
    assert "proactive incremental scan senior-allowance: 0 evaluated, 0 offered" in run()
    assert "proactive full scan senior-allowance: 2 evaluated, 0 offered" in run("--full")
    later = run("--today", (timezone.localdate() + dt.timedelta(days=1)).isoformat())
    assert "proactive incremental scan senior-allowance: 1 evaluated, 1 offered" in later  # 王老七 turned 80
