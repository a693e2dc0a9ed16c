"""Date boundaries of the seed rules, as plain functions (the HTTP tests cover them on demo data too)."""

import datetime as dt

import pytest

from backend.cases.sdk import within_last
from backend.servicemodules.primary_school_enrolment import age_window, enrolment_year


@pytest.mark.parametrize(
    ("today", "year"),
    [
        (dt.date(2026, 8, 31), 2026),
        (dt.date(2026, 9, 1), 2027),
        (dt.date(2026, 11, 25), 2027),
        (dt.date(2027, 1, 1), 2027),
    ],
)
def test_enrolment_year_is_the_coming_first_of_september(today: dt.date, year: int) -> None:
    assert enrolment_year(today) == year


@pytest.mark.parametrize(
    ("birth", "eligible"),
    [
        (dt.date(2020, 8, 31), False),  # 31 August Y−7: seven on 31 August, one day too old
        (dt.date(2020, 9, 1), True),  # 1 September Y−7
        (dt.date(2021, 8, 31), True),  # 31 August Y−6
        (dt.date(2021, 9, 1), False),  # 1 September Y−6: only five on 31 August
    ],
)
def test_age_window_for_enrolment_2027(birth: dt.date, eligible: bool) -> None:
    first, last = age_window(dt.date(2026, 11, 25))
    assert (first <= birth <= last) is eligible


@pytest.mark.parametrize(("days_ago", "within"), [(0, True), (89, True), (90, False), (91, False), (-1, False)])
def test_within_the_last_90_days(days_ago: int, within: bool) -> None:
    today = dt.date(2026, 11, 25)
    assert within_last(today - dt.timedelta(days=days_ago), today, 90) is within
