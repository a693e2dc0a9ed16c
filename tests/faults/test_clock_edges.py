"""Clock and time-zone edges: "today" and due dates are Shanghai's (UTC+8), whatever the server's clock says in UTC.

At 23:30 UTC it is already 07:30 the next day in Shanghai: the rules' "today", the statutory clock's day of
submission, the sweep's digest day and the enrolment year all follow the city's calendar.
"""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from backend.cases.models import Case
from backend.cases.tasks import classify, sweep_statutory_clock
from backend.notifications.models import Notification
from backend.workflow import clock
from tests.factories import id_number
from tests.personas import LIN_JING, LIN_XIAOMAN

UTC = dt.UTC


def at(*args: int) -> mock._patch:
    """Freeze django.utils.timezone.now() (what models, rules and the clock read) at a UTC instant."""
    return mock.patch("django.utils.timezone.now", return_value=dt.datetime(*args, tzinfo=UTC))


def test_23_30_utc_is_the_next_day_in_shanghai() -> None:
    with at(2026, 12, 31, 23, 30):
        assert timezone.localdate() == dt.date(2027, 1, 1)
        assert timezone.now().date() == dt.date(2026, 12, 31)


def test_a_limit_expires_at_the_end_of_its_shanghai_day() -> None:
    due = clock.end_of_day(dt.date(2026, 11, 27))  # 23:59:59 in Shanghai = 15:59:59 UTC
    assert due.astimezone(UTC) == dt.datetime(2026, 11, 27, 15, 59, 59, tzinfo=UTC)
    assert classify(due, dt.datetime(2026, 11, 27, 15, 30, tzinfo=UTC)) == "due_soon"  # 23:30 Shanghai: still due
    assert classify(due, dt.datetime(2026, 11, 27, 16, 0, 1, tzinfo=UTC)) == "overdue"  # 00:00:01 next day


def test_due_soon_counts_working_days_of_the_shanghai_calendar() -> None:
    due = clock.end_of_day(dt.date(2026, 12, 7))  # a Monday
    # Thursday 3 Dec 23:30 Shanghai: Fri and Mon left (2 working days) → due soon
    assert classify(due, dt.datetime(2026, 12, 3, 15, 30, tzinfo=UTC)) == "due_soon"
    # Wednesday 2 Dec 15:30 UTC is Wednesday 23:30 in Shanghai: Thu, Fri, Mon left → not yet
    assert classify(due, dt.datetime(2026, 12, 2, 15, 30, tzinfo=UTC)) is None


@pytest.fixture
def guardian(import_data, api):
    """A guardian and a child born 15 September 2020 in one household, with a school for the address."""
    from tests.factories import login

    guardian, child = LIN_JING.record(), LIN_XIAOMAN.record()
    import_data(
        {
            "residents": [guardian, child],
            "school_districts": [
                {"district": "金水区", "address_prefix": "郑州市金水区花园路", "school": "花园路小学"}
            ],
            "incomes": [{"household_id": "HH-CLK", "monthly_income_per_capita": "1800.00"}],
        }
    )
    client = login(guardian["phone"])
    bound = client.post("/api/v1/me/real-name", {"name": guardian["name"], "id_number": guardian["id_number"]})
    assert bound.status_code == 200, bound.content
    return client, child["id_number"]


@pytest.mark.django_db
def test_enrolment_age_window_turns_over_at_shanghai_midnight(guardian) -> None:
    """Born 15 Sep 2020: too young for the September 2026 intake, right for September 2027. The intake year turns
    on 1 September — in Shanghai, i.e. at 16:00 UTC on 31 August."""
    client, child = guardian
    url = f"/api/v1/services/primary-school-enrolment/eligibility?child_id_number={child}"
    with at(2026, 8, 31, 15, 30):  # 23:30 on 31 Aug in Shanghai: the 2026 intake
        body = client.get(url).json()
    assert body["reason_code"] == "age_out_of_range", body
    with at(2026, 8, 31, 16, 30):  # 00:30 on 1 Sep in Shanghai (still 31 Aug in UTC): the 2027 intake
        body = client.get(url).json()
    assert body["eligible"] is True, body


@pytest.mark.django_db
def test_statutory_clock_starts_on_the_shanghai_day_of_submission(guardian) -> None:
    client, _ = guardian
    with at(2026, 11, 26, 23, 30):  # Thursday 23:30 UTC = Friday 07:30 in Shanghai
        response = client.post(
            "/api/v1/cases", {"service": "public-rental-housing", "form": {}, "consent": True}, format="json"
        )
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["id"])
    assert case.status == "in_review", case.decision
    friday = clock.end_of_day(clock.add_working_days(dt.date(2026, 11, 27), 20))  # counted from the Shanghai day
    thursday = clock.end_of_day(clock.add_working_days(dt.date(2026, 11, 26), 20))
    assert friday != thursday
    assert case.due_at == friday
    assert timezone.localtime(case.due_at).time() == dt.time(23, 59, 59)


@pytest.mark.django_db
def test_sweep_digest_and_overdue_notice_use_the_shanghai_day(guardian) -> None:
    """A sweep at 23:30 UTC on 30 Nov files the clerks' digest under 1 December, and runs once per day."""
    from io import StringIO

    from django.core.management import call_command

    from backend.accounts.models import User

    call_command("load_demo", stdout=StringIO())
    assert guardian
    case = Case.objects.create(
        reference_no="ZZ-CLK-1",
        service_code="public-rental-housing",
        department=User.objects.get(phone="+8613700000001").department,
        mode="review",
        applicant=User.objects.get(phone="+8616600000951"),
        resident_id=User.objects.get(phone="+8616600000951").resident.pk,
        household_id="HH-CLK",
        status="in_review",
        consent_at=timezone.now(),
        due_at=clock.end_of_day(dt.date(2026, 11, 30)),
    )
    with at(2026, 11, 30, 23, 30):
        first = sweep_statutory_clock()
        again = sweep_statutory_clock()
    assert first["overdue"] >= 1 and first["clerks_notified"] >= 1 and first["residents_notified"] >= 1
    assert again.get("clerks_notified", 0) == 0 and again.get("residents_notified", 0) == 0
    digest = Notification.objects.filter(user__phone="+8613700000001", kind="queue.digest").get()
    assert digest.target["date"] == "2026-12-01"
    assert digest.title.startswith("今日待办：逾期 ") and digest.title_en.startswith("Today: ")
    overdue = Notification.objects.filter(kind="case.overdue", target__id=case.pk).get()
    assert overdue.title == "【ZZ-CLK-1】已超过法定办结时限"
    assert overdue.title_en == "[ZZ-CLK-1] The statutory time limit has passed"
    assert id_number  # the factory builds the valid ID numbers used above
