"""The statutory clock: time limits are counted in Chinese working days.

Working days come from the ``holidays`` package (China): statutory holidays, the days off moved onto weekdays and
the make-up working days on weekends (调休). We chose it over ``chinesecalendar`` because it keeps both the official
schedules of past years and rule-based holidays for years whose official schedule is not out yet (``chinesecalendar``
refuses dates past its last published year, and a 20-day limit in December already needs next year).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
from django.utils import timezone


@lru_cache(maxsize=16)
def _calendar(year: int) -> holidays.HolidayBase:
    return holidays.China(years=[year - 1, year, year + 1])


def is_working_day(day: dt.date) -> bool:
    return _calendar(day.year).is_working_day(day)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date of the ``days``-th working day after ``start`` (the day of submission does not count)."""
    day = start
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]: how much of the clock ran between two dates."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def end_of_day(day: dt.date) -> dt.datetime:
    """A limit expires at the end of its last day in the city's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def due_at(start: dt.datetime, working_days: int) -> dt.datetime:
    return end_of_day(add_working_days(timezone.localdate(start), working_days))


def extend(due: dt.datetime, paused_from: dt.datetime, resumed_at: dt.datetime) -> dt.datetime:
    """Add back the working days the clock was paused (a case returned for correction)."""
    paused = working_days_between(timezone.localdate(paused_from), timezone.localdate(resumed_at))
    return end_of_day(add_working_days(timezone.localdate(due), paused)) if paused else due


def working_days_left(due: dt.datetime, now: dt.datetime | None = None) -> int:
    """Countdown shown to residents and clerks; negative when overdue."""
    today = timezone.localdate(now or timezone.now())
    last = timezone.localdate(due)
    if last >= today:
        return working_days_between(today, last)
    return -working_days_between(last, today)
