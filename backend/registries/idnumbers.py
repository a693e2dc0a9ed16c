"""Resident identity numbers (GB 11643-1999): checksum via python-stdnum, plus a real, past birth date."""

from __future__ import annotations

import datetime as dt

from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from backend.core import crypto


class InvalidIdNumber(ValueError):
    pass


def validate_id_number(value: str, today: dt.date | None = None) -> str:
    """Return the normalised 18-character number (upper-case X) or raise :class:`InvalidIdNumber`."""
    number = normalise(value)
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


# -- at rest -----------------------------------------------------------------------------------------------------------
# Identity numbers are stored sealed (encrypted, for the few reads that need the number) and as a keyed blind index
# (for every equality lookup), never in clear; see backend/core/crypto.py and docs/SECURITY.md.
PURPOSE = b"registry-id-number"


def normalise(value: str) -> str:
    """The form every index is computed from: no surrounding blanks, upper-case X."""
    return (value or "").strip().upper()


def id_index(number: str) -> str:
    """The blind index a row stores (current index key)."""
    return crypto.blind_index(normalise(number), purpose=PURPOSE)


def id_indexes(number: str) -> list[str]:
    """The indexes a lookup matches: one per configured index key, so lookups work during a key rotation."""
    return crypto.blind_indexes(normalise(number), purpose=PURPOSE)


def seal(number: str, index: str) -> str:
    """Encrypt the number, bound to its index (a token copied onto another row does not open there)."""
    return crypto.encrypt(normalise(number).encode("ascii"), context=index.encode("ascii"), purpose=PURPOSE)


def unseal(token: str, index: str, *, with_secret_derived: bool = False) -> str:
    """The number; raises :class:`backend.core.crypto.Unreadable` when no configured key opens the token."""
    plain = crypto.decrypt(
        token, context=index.encode("ascii"), purpose=PURPOSE, with_secret_derived=with_secret_derived
    )
    return plain.decode("ascii")


def rotate_residents(*, from_secret_key: bool = False, batch: int = 500) -> int:
    """Re-seal and re-index every resident under the current (first) keys; returns how many rows changed.

    Restartable: rows already under the current keys are skipped, each batch commits on its own, and lookups keep
    working throughout because they match the index under every configured index key.
    """
    from backend.core.batches import locked_batches

    from .models import Resident

    changed = 0
    for rows in locked_batches(Resident.objects.all(), batch):
        for resident in rows:
            token, index = resident.id_number_sealed, resident.id_number_index
            number = unseal(token, index, with_secret_derived=from_secret_key)
            if index == id_index(number) and crypto.is_current(token, purpose=PURPOSE):
                continue  # already under the current keys
            resident.id_number = number
            resident.save(update_fields=["id_number_index", "id_number_sealed", "id_number_masked"])
            changed += 1
    return changed
