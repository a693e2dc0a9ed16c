"""Resident identity numbers (GB 11643-1999): checksum via python-stdnum, plus a real, past birth date."""

from __future__ import annotations

import datetime as dt

from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError


class InvalidIdNumber(ValueError):
    pass


def validate_id_number(value: str, today: dt.date | None = None) -> str:
    """Return the normalised 18-character number (upper-case X) or raise :class:`InvalidIdNumber`."""
    number = (value or "").strip().upper()
    if len(number) != 18:
        raise InvalidIdNumber("length")
    try:
        number = ric.validate(number)
        birth = ric.get_birth_date(number)
    except StdnumError as exc:
        raise InvalidIdNumber(str(exc)) from exc
    if birth > (today or dt.date.today()):
        raise InvalidIdNumber("birth date in the future")
    return number
