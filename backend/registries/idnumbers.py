"""Resident identity numbers (GB 11643-1999): python-stdnum's checksum, date and code table, our lifetime rule.

Why not ``stdnum.cn.ric.validate`` as is: besides checksum and date it requires the address code (digits 1-6) to
have been in force *in the birth year* (python-stdnum issue #442). GB 11643 defines the address code as the code of
the county of the holder's registered permanent residence when the number is first assigned, and a number never
changes afterwards. So a number can carry a code introduced after the holder was born (the first cards were issued
in 1984-85, to people born decades earlier: every Zhengzhou resident of 中原区 / 二七区 / 金水区, codes of 1983, born
before 1983; Haikou's 460106-460108, codes of 2002; Jincheng 城区 140502, a code of 1985) or one retired since (荥阳县
410121, a city since 1994), and it stays valid for life. The rule here: the code must be one GB/T 2260 has listed
at *some* time, whatever the birth year. Everything else (checksum, the date, the code history itself) is
stdnum's.
"""

from __future__ import annotations

import datetime as dt

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.util import isdigits

from backend.core import crypto

# What is wrong, in the words a resident reads (they need to know whether they mistyped, and where).
REASONS: dict[str, Promise] = {
    "length": _("身份证号码应为18位，请检查是否漏输或多输。"),
    "characters": _("身份证号码前17位应为数字，最后一位为数字或X，请检查是否输入了其他字符。"),
    "checksum": _("身份证号码校验位（最后一位）不符，可能有数字输错，请逐位核对。"),
    "birth_date": _("身份证号码第7至14位的出生日期不存在，请核对。"),
    "future_birth_date": _("身份证号码中的出生日期晚于今天，请核对。"),
    "address_code": _("身份证号码前6位不是有效的行政区划代码，请核对。"),
}


class InvalidIdNumber(ValueError):
    """``reason`` is a key of :data:`REASONS`; ``message`` is its resident-facing text (lazy, translated)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = REASONS[reason]


def validate_id_number(value: str, today: dt.date | None = None) -> str:
    """Return the normalised 18-character number (ASCII digits, upper-case X) or raise :class:`InvalidIdNumber`.

    The one check of an identity number everywhere (real-name binding, registry import, admin, service forms).
    The order matters for the message: a mistyped digit almost always shows as a wrong check digit first.
    """
    number = normalise(value)
    if len(number) != 18:
        raise InvalidIdNumber("length")
    if not isdigits(number[:17]) or number[17] not in "0123456789X":
        raise InvalidIdNumber("characters")
    if number[17] != ric.calc_check_digit(number):
        raise InvalidIdNumber("checksum")
    try:
        birth = ric.get_birth_date(number)
    except StdnumError:
        raise InvalidIdNumber("birth_date") from None
    if birth > (today or dt.date.today()):
        raise InvalidIdNumber("future_birth_date")
    if not ever_listed(number[:6]):
        raise InvalidIdNumber("address_code")
    return number


def ever_listed(code: str) -> bool:
    """Whether GB/T 2260 has listed this six-digit code at any time (current or retired), per stdnum's table.

    The lifetime rule (module docstring): unlike ``ric.get_birth_place``, the years a code was in force are not
    compared with the birth year. A code whose first two or four digits are known but which was itself never
    listed (``119901``) is refused too (``get_birth_place`` fails there with a KeyError).
    """
    if len(code) != 6 or not isdigits(code):
        return False
    return "county" in numdb.get("cn/loc").info(code)[-1][1]


# -- assigning a new number (出生登记) -------------------------------------------------------------------------------
def sequence_code(serial: int, gender: str) -> int:
    """The 3-digit sequence code (digits 15-17) of the ``serial``-th number (1, 2, …) given to a ``gender`` (``M``
    or ``F``) person born on one day in one county: GB 11643 gives men odd and women even codes, so men get 001,
    003, … 999 and women 002, 004, … 998 (000 is never used). Raises ValueError once the day's codes are used up."""
    code = 2 * serial - 1 if gender == "M" else 2 * serial
    if serial < 1 or code > 999:
        raise ValueError(f"no sequence code left for serial {serial} ({gender})")
    return code


def compose_id_number(address_code: str, birth_date: dt.date, sequence: int) -> str:
    """The 18-character number: address code, birth date, sequence code and the check character, which is
    python-stdnum's ISO 7064 MOD 11-2 (``ric.calc_check_digit``). Validated like every number before it is
    returned, so a code GB/T 2260 never listed cannot be assigned."""
    body = f"{address_code}{birth_date:%Y%m%d}{sequence:03d}"
    return validate_id_number(body + ric.calc_check_digit(body + "0"), today=birth_date)


# -- at rest -----------------------------------------------------------------------------------------------------------
# Identity numbers are stored sealed (encrypted, for the few reads that need the number) and as a keyed blind index
# (for every equality lookup), never in clear; see backend/core/crypto.py and docs/SECURITY.md.
PURPOSE = b"registry-id-number"


def normalise(value: str) -> str:
    """The form every index is computed from: no blanks, ASCII digits (full-width ones typed with a Chinese input
    method are converted by stdnum's ``compact``), upper-case X."""
    return "".join(ric.compact(value or "").split())


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


def rotate_birth_certificates(*, from_secret_key: bool = False, batch: int = 500) -> int:
    """Re-seal and re-index the parents' numbers on birth medical certificates under the current keys, like
    :func:`rotate_residents` (restartable, batch by batch); returns how many certificates changed."""
    from backend.core.batches import locked_batches

    from .models import BirthCertificate

    changed = 0
    for rows in locked_batches(BirthCertificate.objects.all(), batch):
        for certificate in rows:
            fields: list[str] = []
            for parent in ("mother", "father"):
                token, index = getattr(certificate, f"{parent}_id_sealed"), getattr(certificate, f"{parent}_id_index")
                if not token:
                    continue
                number = unseal(token, index, with_secret_derived=from_secret_key)
                if index == id_index(number) and crypto.is_current(token, purpose=PURPOSE):
                    continue
                certificate.set_parent_id(parent, number)
                fields += [f"{parent}_id_index", f"{parent}_id_sealed", f"{parent}_id_masked"]
            if fields:
                certificate.save(update_fields=fields)
                changed += 1
    return changed
