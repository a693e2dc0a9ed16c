"""好差评 rules shared by case and city-event ratings (backend/workflow/ratings.py)."""

from __future__ import annotations

import pytest

from backend.core.errors import Conflict, DomainError
from backend.workflow import ratings

INVALID = DomainError("validation_error", "评分须为 1 到 5。", fields={"score": ["1..5"]})


@pytest.mark.parametrize("value", [1, 3, 5])
def test_whole_scores_from_one_to_five_are_accepted(value: int) -> None:
    assert ratings.score(value, INVALID) == value
    assert ratings.score(value, INVALID, text=True) == value


@pytest.mark.parametrize("value", [0, 6, -1, 10**30, True, False, 3.0, 4.5, None, "3", [], {}, float("inf")])
def test_anything_else_is_refused_with_the_apps_error(value: object) -> None:
    with pytest.raises(DomainError) as refused:
        ratings.score(value, INVALID)
    assert refused.value is INVALID


@pytest.mark.parametrize("text", ["3", " 4 ", "5\n"])
def test_digit_strings_are_scores_where_the_channel_sends_text(text: str) -> None:
    assert ratings.score(text, INVALID, text=True) == int(text)


@pytest.mark.parametrize("text", ["", "0", "6", "04", "+3", "-1", "3.0", "1e400", "٣", "three", "True"])
def test_not_every_string_is_a_score(text: str) -> None:
    with pytest.raises(DomainError):
        ratings.score(text, INVALID, text=True)


def test_a_bad_rating_is_two_stars_or_fewer() -> None:
    assert [s for s in range(ratings.LOWEST, ratings.HIGHEST + 1) if ratings.is_bad(s)] == [1, 2]
    assert ratings.BAD_RATING == 2


def test_a_rating_is_given_once() -> None:
    ratings.require_unrated(False, "已评价")
    with pytest.raises(Conflict) as second:
        ratings.require_unrated(True, "已评价")
    assert second.value.code == "already_rated" and second.value.status_code == 409
