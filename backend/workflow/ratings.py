"""好差评, the rules shared by case ratings and city-event ratings: the score range, what counts as a bad rating
(差评: a case's opens a follow-up task, the cockpit counts both), the comment's length and "once only".

Each app keeps its own wording of the refusal (the messages residents already see), passed in as the error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backend.core.errors import Conflict, DomainError

if TYPE_CHECKING:  # a typing-only package: not a runtime dependency (backend/core/generics.py)
    from django_stubs_ext import StrPromise

LOWEST, HIGHEST = 1, 5
#: A score at or below this is a 差评: it opens a follow-up (cases) and is counted as bad (cockpit).
BAD_RATING = 2
COMMENT_MAX = 500


def score(value: Any, invalid: DomainError, *, text: bool = False) -> int:
    """The score as an int in LOWEST..HIGHEST, or ``invalid`` raised.

    JSON booleans are not scores (``True == 1`` in Python). With ``text`` a string of digits is accepted too
    (``"4"``: Open311 and form posts send strings); a float, ``"4.0"``, ``"04"`` or ``1e400`` never is."""
    if isinstance(value, bool):
        raise invalid
    if isinstance(value, int):
        number = value
    elif text and isinstance(value, str) and _canonical_digits(value.strip()):
        number = int(value.strip())
    else:
        raise invalid
    if not LOWEST <= number <= HIGHEST:
        raise invalid
    return number


def _canonical_digits(text: str) -> bool:
    return text.isascii() and text.isdigit() and text == str(int(text))


def is_bad(value: int) -> bool:
    return value <= BAD_RATING


def require_unrated(rated: bool, message: str | StrPromise) -> None:
    """A rating is given once: 409 ``already_rated`` for a second one."""
    if rated:
        raise Conflict("already_rated", message)
