"""The statutory clock counts Chinese working days: holidays, moved days off and make-up working days."""

import datetime as dt
from zoneinfo import ZoneInfo

from backend.workflow import clock

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_national_day_week_is_skipped() -> None:
    # 2026: 1–7 October off (4 October is a Sunday), 8 October is the first working day after.
    assert clock.add_working_days(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)


def test_make_up_working_days_on_weekends_count() -> None:
    assert clock.is_working_day(dt.date(2026, 9, 20))  # Sunday, worked instead of 6 October
    assert clock.is_working_day(dt.date(2026, 10, 10))  # Saturday, worked instead of 7 October
    assert clock.add_working_days(dt.date(2026, 9, 19), 1) == dt.date(2026, 9, 20)


def test_ordinary_weekends_do_not_count() -> None:
    assert clock.add_working_days(dt.date(2026, 11, 27), 1) == dt.date(2026, 11, 30)  # Friday → Monday
    assert clock.working_days_between(dt.date(2026, 11, 27), dt.date(2026, 11, 30)) == 1


def test_limits_that_cross_into_next_year() -> None:
    due = clock.add_working_days(dt.date(2026, 12, 28), 5)
    assert due == dt.date(2027, 1, 5)  # 1 January is a holiday


def test_due_at_is_the_end_of_the_last_day_in_shanghai() -> None:
    start = dt.datetime(2026, 11, 25, 23, 30, tzinfo=SHANGHAI)  # late evening counts as that day
    due = clock.due_at(start, 10)
    assert due.astimezone(SHANGHAI).date() == dt.date(2026, 12, 9)
    assert due.astimezone(SHANGHAI).time() == dt.time(23, 59, 59)
    # 16:00 UTC on 25 November is already 26 November in Shanghai.
    utc_start = dt.datetime(2026, 11, 25, 16, 30, tzinfo=dt.UTC)
    assert clock.due_at(utc_start, 10).astimezone(SHANGHAI).date() == dt.date(2026, 12, 10)


def test_pause_extends_by_the_working_days_paused() -> None:
    due = clock.end_of_day(dt.date(2026, 12, 9))
    paused = dt.datetime(2026, 11, 27, 10, tzinfo=SHANGHAI)  # Friday
    resumed = dt.datetime(2026, 12, 1, 10, tzinfo=SHANGHAI)  # Tuesday: Monday and Tuesday were paused
    assert clock.extend(due, paused, resumed).astimezone(SHANGHAI).date() == dt.date(2026, 12, 11)


def test_countdown_is_negative_when_overdue() -> None:
    due = clock.end_of_day(dt.date(2026, 11, 23))
    assert clock.working_days_left(due, now=dt.datetime(2026, 11, 25, 9, tzinfo=SHANGHAI)) == -2
    assert (
        clock.working_days_left(
            clock.end_of_day(dt.date(2026, 11, 27)), now=dt.datetime(2026, 11, 25, 9, tzinfo=SHANGHAI)
        )
        == 2
    )
