"""Loading department registry data (DESIGN §3.6).

Two phases: every record is parsed and validated first, then everything is written in one transaction. A bad file
therefore imports nothing, and the error lists every bad record and field of the file, each with its location
(``properties[2].purchase_date``), so a department fixes its export in one go. Writes are
upserts by natural key that only touch rows whose values changed, so re-importing the same file reports
"unchanged" and does not bump the departments' "last updated" times.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Concatenate, ParamSpec, TypedDict, TypeVar, cast

from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import translation
from PIL import Image, UnidentifiedImageError

from backend.accounts.models import Role, User, new_username
from backend.accounts.phones import is_mainland_mobile, to_e164

from . import idnumbers
from .idnumbers import InvalidIdNumber, validate_id_number
from .models import (
    BirthCertificate,
    CardDelivery,
    CardStatus,
    EnrolmentStatus,
    FundStatus,
    Gender,
    HouseholdIncome,
    InsuranceScheme,
    MedicalInsuranceEnrolment,
    Property,
    ProvidentFundAccount,
    ProvidentWithdrawal,
    Resident,
    SchoolDistrict,
    SocialSecurityCard,
    WithdrawalReason,
)

SECTIONS = (
    "residents",
    "provident_fund",
    "provident_withdrawals",
    "properties",
    "incomes",
    "school_districts",
    "birth_certificates",
    "medical_insurance",
    "social_security_cards",
)
#: 出生医学证明编号: one letter (the print batch) and nine digits, e.g. ``O410123456``.
CERTIFICATE_NO = re.compile(r"[A-Z]\d{9}")
#: 社会保障卡卡号: nine to twenty capital letters and digits.
CARD_NO = re.compile(r"[A-Z0-9]{9,20}")
MAX_PHOTO_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: where (``residents[13].id_number``) and why."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class RegistryImportError(ValueError):
    """Nothing was imported. ``problems`` lists everything wrong with the file, in file order, so a department
    fixes its export once instead of once per bad row; ``where`` and ``message`` are those of the first."""

    def __init__(self, where: str | list[Problem], message: str = "") -> None:
        self.problems = list(where) if isinstance(where, list) else [Problem(where, message)]
        self.where, self.message = self.problems[0].where, self.problems[0].message
        super().__init__(self.report())

    def report(self) -> str:
        """One problem: that problem. Several: a count by section first (readable for thousands), then each."""
        if len(self.problems) == 1:
            return str(self.problems[0])
        sections = Counter[str](problem.where.split("[", 1)[0].split(".", 1)[0] for problem in self.problems)
        summary = ", ".join(f"{section}: {count}" for section, count in sections.items())
        return "\n".join([f"{len(self.problems)} problems ({summary})", *(f"  {p}" for p in self.problems)])


@dataclass
class ImportReport:
    counts: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, section: str, outcome: str) -> None:
        self.counts.setdefault(section, Counter())[outcome] += 1

    def lines(self) -> list[str]:
        out: list[str] = []
        for section in (*SECTIONS, "accounts"):
            c = self.counts.get(section)
            if c:
                out.append(f"{section}: {c['created']} created, {c['updated']} updated, {c['unchanged']} unchanged")
        return out


class ResidentRow(TypedDict):
    """A validated ``residents`` record (``photo``: the file's bytes and extension, when one is given)."""

    id_number: str
    name: str
    gender: str
    birth_date: dt.date
    phone: str
    address: str
    district: str
    household_id: str
    photo: tuple[bytes, str] | None
    account_password: str


class FundAccountRow(TypedDict):
    id_number: str
    account_no: str
    status: str
    balance: Decimal
    monthly_deposit: Decimal
    months_contributed: int
    bank_card: str


class WithdrawalRow(TypedDict):
    account_no: str
    date: dt.date
    reason: str
    amount: Decimal


class PropertyRow(TypedDict):
    certificate_no: str
    owner_id_numbers: list[str]
    address: str
    district: str
    area_m2: Decimal
    purchase_date: dt.date
    price: Decimal
    deed_tax_paid: Decimal
    first_home: bool


class IncomeRow(TypedDict):
    household_id: str
    monthly_income_per_capita: Decimal


class SchoolDistrictRow(TypedDict):
    district: str
    address_prefix: str
    school: str


class BirthCertificateRow(TypedDict):
    certificate_no: str
    child_name: str
    child_gender: str
    birth_date: dt.date
    birth_time: dt.time
    hospital: str
    mother_name: str
    mother_id_number: str
    father_name: str
    father_id_number: str
    issued_date: dt.date
    child_id_number: str


class EnrolmentRow(TypedDict):
    id_number: str
    scheme: str
    status: str
    coverage_start: dt.date
    enrolled_date: dt.date


class CardRow(TypedDict):
    id_number: str
    card_no: str
    status: str
    issued_date: dt.date
    delivery: str


@dataclass
class ParsedFile:
    """The whole file, validated: what :func:`import_registry` writes (nothing is written while parsing)."""

    residents: list[ResidentRow] = field(default_factory=list)
    provident_fund: list[FundAccountRow] = field(default_factory=list)
    provident_withdrawals: list[WithdrawalRow] = field(default_factory=list)
    properties: list[PropertyRow] = field(default_factory=list)
    incomes: list[IncomeRow] = field(default_factory=list)
    school_districts: list[SchoolDistrictRow] = field(default_factory=list)
    birth_certificates: list[BirthCertificateRow] = field(default_factory=list)
    medical_insurance: list[EnrolmentRow] = field(default_factory=list)
    social_security_cards: list[CardRow] = field(default_factory=list)


class _AtKey:
    """The type of :data:`_AT_KEY`."""


_AT_KEY = _AtKey()  # "read the value from the record" (a list item passes its value instead)


class _Bad(ValueError):
    """A field value is wrong (the message); :func:`_field` records it with the field's path."""


_P = ParamSpec("_P")
_T = TypeVar("_T")


def _field(method: Callable[Concatenate[_Record, str, _P], _T]) -> Callable[Concatenate[_Record, str, _P], _T]:
    """A typed accessor that records a bad value as a :class:`Problem` and returns None, so parsing goes on and
    every problem of the file is reported in one run.

    The None is typed as the field's type on purpose: after it the record is not ``ok`` and its row is dropped, so
    no row ever holds it; the only readers that look at a value before ``ok`` is known (duplicate and unknown ID
    numbers) test for None. Typing it ``T | None`` would make every row's type lie the other way.
    """

    @functools.wraps(method)
    def read(self: _Record, key: str, /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
        if not self.is_object:
            return cast(_T, None)  # reported once, as "expected an object"
        try:
            return method(self, key, *args, **kwargs)
        except _Bad as exc:
            self.fail(key, str(exc))
            return cast(_T, None)

    return read


class _Record:
    """Typed access to one JSON record that reports problems with their location (``ok`` is False after one)."""

    def __init__(self, data: object, where: str, problems: list[Problem]) -> None:
        self.is_object = isinstance(data, dict)
        self.data: dict[str, object] = data if isinstance(data, dict) else {}
        self.where, self.problems, self.ok = where, problems, self.is_object
        if not self.is_object:
            problems.append(Problem(where, "expected an object"))

    def fail(self, key: str, message: str) -> None:
        self.problems.append(Problem(f"{self.where}.{key}", message))
        self.ok = False

    def _text(self, key: str, *, required: bool = True, max_length: int = 200) -> str:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                raise _Bad("is required")
            return ""
        if not isinstance(value, str):
            raise _Bad("must be a string")
        value = value.strip()
        if len(value) > max_length:
            raise _Bad(f"is longer than {max_length} characters")
        return value

    @_field
    def text(self, key: str, *, required: bool = True, max_length: int = 200) -> str:
        return self._text(key, required=required, max_length=max_length)

    @_field
    def choice(self, key: str, choices: type[models.TextChoices]) -> str:
        value = self._text(key)
        if value not in choices.values:
            raise _Bad(f"must be one of {', '.join(choices.values)}")
        return value

    @_field
    def date(self, key: str) -> dt.date:
        value = self._text(key)
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise _Bad("must be a date YYYY-MM-DD") from None

    @_field
    def time(self, key: str) -> dt.time:
        value = self._text(key, max_length=8)
        try:
            return dt.time.fromisoformat(value)
        except ValueError:
            raise _Bad("must be a time HH:MM") from None

    @_field
    def matching(self, key: str, pattern: re.Pattern[str], example: str, *, max_length: int = 40) -> str:
        value = self._text(key, max_length=max_length)
        if not pattern.fullmatch(value):
            raise _Bad(f"must look like {example}")
        return value

    @_field
    def decimal(self, key: str, *, places: int = 2) -> Decimal:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise _Bad("must be a decimal string")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise _Bad("must be a decimal string") from None
        if not number.is_finite() or number < 0:
            raise _Bad("must be a non-negative number")
        if number != number.quantize(Decimal(1).scaleb(-places)):
            raise _Bad(f"has more than {places} decimal places")
        return number.quantize(Decimal(1).scaleb(-places))

    @_field
    def integer(self, key: str) -> int:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise _Bad("must be a non-negative integer")
        return value

    @_field
    def boolean(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise _Bad("must be true or false")
        return value

    @_field
    def id_number(self, key: str, value: object = _AT_KEY) -> str:
        """The number at ``key`` (or ``value``, for list items such as ``owner_id_numbers[0]``), checked by the one
        validator of the project; the reason is given in English, as every message of this report."""
        if isinstance(value, _AtKey):
            value = self._text(key, max_length=18)
        elif not isinstance(value, str):
            raise _Bad("must be a string")
        try:
            return validate_id_number(value)
        except InvalidIdNumber as exc:
            with translation.override("en"):
                raise _Bad(f"is not a valid resident ID number ({exc.reason}: {exc.message})") from None


_M = TypeVar("_M", bound=models.Model)


def _upsert(model: type[_M], lookup: Mapping[str, object], values: Mapping[str, object]) -> tuple[_M, str]:
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        return model._default_manager.create(**lookup, **values), "created"
    return _update(obj, values)


def _update(obj: _M, values: Mapping[str, object]) -> tuple[_M, str]:
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not changed:
        return obj, "unchanged"
    for name in changed:
        setattr(obj, name, values[name])
    obj.save()
    return obj, "updated"


def _read_photo(rec: _Record, base_dir: Path) -> tuple[bytes, str] | None:
    rel = rec.text("photo", required=False)
    if not rel:
        return None
    try:
        return _photo_file(base_dir, rel)
    except _Bad as exc:
        rec.fail("photo", str(exc))
        return None


def _photo_file(base_dir: Path, rel: str) -> tuple[bytes, str]:
    path = (base_dir / rel).resolve()
    if not path.is_file():
        raise _Bad(f"file not found: {rel}")
    data = path.read_bytes()
    if len(data) > MAX_PHOTO_BYTES:
        raise _Bad("file is larger than 10 MB")
    try:
        with Image.open(path) as image:
            image.verify()
            fmt = (image.format or "").lower()
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise _Bad(f"not a readable image: {rel}") from None
    if fmt not in {"jpeg", "png", "webp"}:
        raise _Bad("must be a JPEG, PNG or WebP image")
    return data, {"jpeg": "jpg"}.get(fmt, fmt)


def _parse(data: object, base_dir: Path) -> ParsedFile:
    """Validate the whole file into plain dicts; nothing is written here.

    Every record is checked even after a bad one, and every bad field of it, so that one run reports all the
    problems of the file (:class:`RegistryImportError`); a record with a problem is left out of the result, and
    the rows that refer to it are not reported a second time for that.
    """
    if not isinstance(data, dict):
        raise RegistryImportError("$", "the file must contain one JSON object")
    problems: list[Problem] = []
    unknown = set(data) - set(SECTIONS)
    if unknown:
        problems.append(Problem("$", f"unknown sections: {', '.join(sorted(unknown))}"))
    sections: dict[str, list[object]] = {}
    for section in SECTIONS:
        items = data.get(section, [])
        if isinstance(items, list):
            sections[section] = items
        else:
            problems.append(Problem(section, "must be a list"))
            sections[section] = []
    parsed = ParsedFile()

    def records(section: str) -> Iterator[_Record]:
        for i, raw in enumerate(sections[section]):
            yield _Record(raw, f"{section}[{i}]", problems)

    # Numbers of the file's residents, bad rows included: a fund account of a resident whose phone is wrong is not
    # also reported as "no such resident".
    file_ids: set[str] = set()
    for rec in records("residents"):
        id_number = rec.id_number("id_number")
        if id_number is not None:
            if id_number in file_ids:
                rec.fail("id_number", "appears twice in this file")
            file_ids.add(id_number)
        phone = rec.text("phone", required=False, max_length=20)
        if phone and not is_mainland_mobile(phone):
            rec.fail("phone", "must be a mainland mobile number")
        password = rec.text("account_password", required=False, max_length=128)
        if password and phone == "":  # none given (a bad one is reported as such)
            rec.fail("account_password", "needs a phone number to log in with")
        resident_row: ResidentRow = {
            "id_number": id_number,
            "name": rec.text("name", max_length=50),
            "gender": rec.choice("gender", Gender),
            "birth_date": rec.date("birth_date"),
            "phone": to_e164(phone) if phone else "",
            "address": rec.text("address"),
            "district": rec.text("district", max_length=50),
            "household_id": rec.text("household_id", max_length=40),
            "photo": _read_photo(rec, base_dir),
            "account_password": password,
        }
        if rec.ok:
            parsed.residents.append(resident_row)

    def known_resident(rec: _Record, key: str, value: str | None) -> None:
        if value is None or value in file_ids:
            return
        if not Resident.objects.with_id_number(value).exists():
            rec.fail(key, f"no resident with ID number {value[:6]}… in the registry or this file")

    accounts_in_file: set[str] = set()
    for rec in records("provident_fund"):
        id_number = rec.id_number("id_number")
        known_resident(rec, "id_number", id_number)
        account_no = rec.text("account_no", max_length=40)
        if account_no:
            accounts_in_file.add(account_no)
        fund_row: FundAccountRow = {
            "id_number": id_number,
            "account_no": account_no,
            "status": rec.choice("status", FundStatus),
            "balance": rec.decimal("balance"),
            "monthly_deposit": rec.decimal("monthly_deposit"),
            "months_contributed": rec.integer("months_contributed"),
            "bank_card": rec.text("bank_card", max_length=30),
        }
        if rec.ok:
            parsed.provident_fund.append(fund_row)
    for rec in records("provident_withdrawals"):
        account_no = rec.text("account_no", max_length=40)
        if (
            account_no
            and account_no not in accounts_in_file
            and not ProvidentFundAccount.objects.filter(account_no=account_no).exists()
        ):
            rec.fail("account_no", f"no provident fund account {account_no}")
        withdrawal_row: WithdrawalRow = {
            "account_no": account_no,
            "date": rec.date("date"),
            "reason": rec.choice("reason", WithdrawalReason),
            "amount": rec.decimal("amount"),
        }
        if rec.ok:
            parsed.provident_withdrawals.append(withdrawal_row)
    for rec in records("properties"):
        owners = rec.data.get("owner_id_numbers")
        owner_ids: list[str] = []
        if rec.is_object and (not isinstance(owners, list) or not owners):
            rec.fail("owner_id_numbers", "must be a non-empty list of ID numbers")
        for j, value in enumerate(owners if isinstance(owners, list) else []):
            key = f"owner_id_numbers[{j}]"
            number = rec.id_number(key, value)
            known_resident(rec, key, number)
            owner_ids.append(number)
        property_row: PropertyRow = {
            "certificate_no": rec.text("certificate_no", max_length=80),
            "owner_id_numbers": owner_ids,
            "address": rec.text("address"),
            "district": rec.text("district", max_length=50),
            "area_m2": rec.decimal("area_m2"),
            "purchase_date": rec.date("purchase_date"),
            "price": rec.decimal("price"),
            "deed_tax_paid": rec.decimal("deed_tax_paid"),
            "first_home": rec.boolean("first_home"),
        }
        if rec.ok:
            parsed.properties.append(property_row)
    for rec in records("incomes"):
        income_row: IncomeRow = {
            "household_id": rec.text("household_id", max_length=40),
            "monthly_income_per_capita": rec.decimal("monthly_income_per_capita"),
        }
        if rec.ok:
            parsed.incomes.append(income_row)
    for rec in records("school_districts"):
        district_row: SchoolDistrictRow = {
            "district": rec.text("district", max_length=50),
            "address_prefix": rec.text("address_prefix"),
            "school": rec.text("school", max_length=100),
        }
        if rec.ok:
            parsed.school_districts.append(district_row)
    _parse_birth_records(records, known_resident, parsed)
    if problems:
        raise RegistryImportError(problems)
    return parsed


def _parse_birth_records(
    records: Callable[[str], Iterator[_Record]],
    known_resident: Callable[[_Record, str, str | None], None],
    parsed: ParsedFile,
) -> None:
    """The sections of 新生儿出生一件事: birth medical certificates (卫健委), medical insurance enrolments (医保局) and
    social security cards (人社局). Their people are named by ID number; a parent on a certificate need not be a
    resident of the city, everybody else must be in the registry or the file."""
    certificates: set[str] = set()
    for rec in records("birth_certificates"):
        number = rec.matching("certificate_no", CERTIFICATE_NO, "O410123456", max_length=10)
        if number is not None and number in certificates:
            rec.fail("certificate_no", "appears twice in this file")
        certificates.add(number)
        father_name = rec.text("father_name", required=False, max_length=50)
        father_id = rec.id_number("father_id_number") if rec.data.get("father_id_number") else ""
        if bool(father_name) != bool(rec.data.get("father_id_number")):
            rec.fail("father_id_number", "father_name and father_id_number go together (both or neither)")
        child_id = rec.id_number("child_id_number") if rec.data.get("child_id_number") else ""
        known_resident(rec, "child_id_number", child_id or None)
        row: BirthCertificateRow = {
            "certificate_no": number,
            "child_name": rec.text("child_name", max_length=50),
            "child_gender": rec.choice("child_gender", Gender),
            "birth_date": rec.date("birth_date"),
            "birth_time": rec.time("birth_time"),
            "hospital": rec.text("hospital", max_length=100),
            "mother_name": rec.text("mother_name", max_length=50),
            "mother_id_number": rec.id_number("mother_id_number"),
            "father_name": father_name,
            "father_id_number": father_id,
            "issued_date": rec.date("issued_date"),
            "child_id_number": child_id,
        }
        if row["birth_date"] and row["issued_date"] and row["issued_date"] < row["birth_date"]:
            rec.fail("issued_date", "is before the birth date")
        if row["birth_date"] and row["birth_date"] > dt.date.today():
            rec.fail("birth_date", "is in the future")
        if row["mother_id_number"] and row["mother_id_number"] in {father_id, child_id}:
            rec.fail("mother_id_number", "is also the father's or the child's number")
        if rec.ok:
            parsed.birth_certificates.append(row)

    enrolments: set[tuple[str, str]] = set()
    for rec in records("medical_insurance"):
        enrolment: EnrolmentRow = {
            "id_number": rec.id_number("id_number"),
            "scheme": rec.choice("scheme", InsuranceScheme),
            "status": rec.choice("status", EnrolmentStatus),
            "coverage_start": rec.date("coverage_start"),
            "enrolled_date": rec.date("enrolled_date"),
        }
        known_resident(rec, "id_number", enrolment["id_number"])
        key = (enrolment["id_number"], enrolment["scheme"])
        if None not in key and key in enrolments:
            rec.fail("scheme", "this person's enrolment in this scheme appears twice in this file")
        enrolments.add(key)
        if rec.ok:
            parsed.medical_insurance.append(enrolment)
    _one_in_use(
        parsed.medical_insurance,
        {EnrolmentStatus.ACTIVE},
        "medical_insurance",
        "scheme",
        records,
        lambda number: MedicalInsuranceEnrolment.objects.filter(
            resident__in=Resident.objects.with_id_number(number), status=EnrolmentStatus.ACTIVE
        ).values_list("scheme", flat=True),
        "is actively insured in another scheme (one active enrolment per person)",
    )

    cards: set[str] = set()
    for rec in records("social_security_cards"):
        card: CardRow = {
            "id_number": rec.id_number("id_number"),
            "card_no": rec.matching("card_no", CARD_NO, "A12345678", max_length=20),
            "status": rec.choice("status", CardStatus),
            "issued_date": rec.date("issued_date"),
            "delivery": rec.choice("delivery", CardDelivery) if rec.data.get("delivery") else "",
        }
        known_resident(rec, "id_number", card["id_number"])
        if card["card_no"] is not None and card["card_no"] in cards:
            rec.fail("card_no", "appears twice in this file")
        cards.add(card["card_no"])
        if rec.ok:
            parsed.social_security_cards.append(card)
    _one_in_use(
        parsed.social_security_cards,
        {CardStatus.ACTIVE, CardStatus.ISSUING},
        "social_security_cards",
        "card_no",
        records,
        lambda number: SocialSecurityCard.objects.filter(
            resident__in=Resident.objects.with_id_number(number),
            status__in=[CardStatus.ACTIVE, CardStatus.ISSUING],
        ).values_list("card_no", flat=True),
        "holds another card that is active or being made (one card in use per person)",
    )


_Row = TypeVar("_Row", EnrolmentRow, CardRow)


def _one_in_use(
    rows: list[_Row],
    in_use: set[str],
    section: str,
    key: str,
    records: Callable[[str], Iterator[_Record]],
    in_registry: Callable[[str], Iterable[str]],
    message: str,
) -> None:
    """A person holds at most one active enrolment (one card in use): after the import, counting the registry's
    rows that the file does not restate. A clash is reported on every row of the file that is part of it."""
    in_file: dict[str, set[str]] = {}
    for row in rows:
        in_file.setdefault(row["id_number"], set())
    for row in rows:
        if row["status"] in in_use:
            in_file[row["id_number"]].add(str(row[key]))  # type: ignore[literal-required]
    restated = {(row["id_number"], str(row[key])) for row in rows}  # type: ignore[literal-required]
    clashing: set[str] = set()
    for number, keys in in_file.items():
        kept = {k for k in in_registry(number) if (number, k) not in restated}
        if len(keys | kept) > 1:
            clashing.add(number)
    if not clashing:
        return
    for rec in records(section):
        given = rec.data.get("id_number")
        if isinstance(given, str) and rec.data.get("status") in in_use:
            try:
                normalised = validate_id_number(given)
            except InvalidIdNumber:
                continue
            if normalised in clashing:
                rec.fail("status", message)


def _write_resident(row: ResidentRow, report: ImportReport) -> None:
    values = {
        "name": row["name"],
        "gender": row["gender"],
        "birth_date": row["birth_date"],
        "phone": row["phone"],
        "address": row["address"],
        "district": row["district"],
        "household_id": row["household_id"],
    }
    existing = Resident.objects.with_id_number(row["id_number"]).first()  # the natural key, by its blind index
    if existing is None:
        resident = Resident(**values)
        resident.id_number = row["id_number"]  # seals the number and sets its blind index
        resident.save()
        outcome = "created"
    else:
        resident, outcome = _update(existing, values)
    if row["photo"] is not None:
        data, ext = row["photo"]
        digest = hashlib.sha256(data).hexdigest()
        if resident.photo_sha256 != digest:
            resident.photo.save(f"{digest[:32]}.{ext}", ContentFile(data), save=False)
            resident.photo_sha256 = digest
            resident.save(update_fields=["photo", "photo_sha256", "updated_at"])
            outcome = "updated" if outcome == "unchanged" else outcome
    report.add("residents", outcome)
    if row["account_password"]:
        user = User.objects.filter(phone=row["phone"]).first()
        if user is None:
            user = User(
                username=new_username(),
                phone=row["phone"],
                phone_verified=True,
                role=Role.RESIDENT,
                display_name=row["name"],
            )
            user.set_password(row["account_password"])
            user.save()
            report.add("accounts", "created")
        else:
            report.add("accounts", "unchanged")


@transaction.atomic
def import_registry(data: object, base_dir: Path) -> ImportReport:
    parsed = _parse(data, base_dir)
    report = ImportReport()
    for resident_row in parsed.residents:
        _write_resident(resident_row, report)
    for fund_row in parsed.provident_fund:
        resident = Resident.objects.with_id_number(fund_row["id_number"]).get()
        fund_values = {key: value for key, value in fund_row.items() if key not in {"id_number", "account_no"}}
        _, outcome = _upsert(
            ProvidentFundAccount, {"account_no": fund_row["account_no"]}, {**fund_values, "resident": resident}
        )
        report.add("provident_fund", outcome)
    for withdrawal_row in parsed.provident_withdrawals:
        account = ProvidentFundAccount.objects.get(account_no=withdrawal_row["account_no"])
        withdrawal = {key: value for key, value in withdrawal_row.items() if key != "account_no"}
        _, outcome = _upsert(ProvidentWithdrawal, {"account": account, **withdrawal}, {})
        report.add("provident_withdrawals", outcome)
    for property_row in parsed.properties:
        property_values = {
            key: value for key, value in property_row.items() if key not in {"certificate_no", "owner_id_numbers"}
        }
        prop, outcome = _upsert(Property, {"certificate_no": property_row["certificate_no"]}, property_values)
        owners = list(Resident.objects.with_id_numbers(property_row["owner_id_numbers"]))
        if {o.pk for o in owners} != set(prop.owners.values_list("pk", flat=True)):
            prop.owners.set(owners)
            prop.save(update_fields=["updated_at"])  # new owners are a change of the record (the scan's watermark)
            outcome = "updated" if outcome == "unchanged" else outcome
        report.add("properties", outcome)
    for income_row in parsed.incomes:
        income = {"monthly_income_per_capita": income_row["monthly_income_per_capita"]}
        _, outcome = _upsert(HouseholdIncome, {"household_id": income_row["household_id"]}, income)
        report.add("incomes", outcome)
    for district_row in parsed.school_districts:
        lookup = {"district": district_row["district"], "address_prefix": district_row["address_prefix"]}
        _, outcome = _upsert(SchoolDistrict, lookup, {"school": district_row["school"]})
        report.add("school_districts", outcome)
    for certificate_row in parsed.birth_certificates:
        report.add("birth_certificates", _write_birth_certificate(certificate_row))
    # Rows that stop an enrolment (a card) first: the one-in-use constraints hold after every single write.
    for enrolment_row in sorted(parsed.medical_insurance, key=lambda r: r["status"] == EnrolmentStatus.ACTIVE):
        person = Resident.objects.with_id_number(enrolment_row["id_number"]).get()
        enrolment_values = {k: v for k, v in enrolment_row.items() if k not in {"id_number", "scheme"}}
        natural_key: dict[str, object] = {"resident": person, "scheme": enrolment_row["scheme"]}
        report.add("medical_insurance", _upsert(MedicalInsuranceEnrolment, natural_key, enrolment_values)[1])
    for card_row in sorted(parsed.social_security_cards, key=lambda r: r["status"] != CardStatus.LOST):
        holder = Resident.objects.with_id_number(card_row["id_number"]).get()
        card_values = {k: v for k, v in card_row.items() if k not in {"id_number", "card_no"}}
        report.add(
            "social_security_cards",
            _upsert(SocialSecurityCard, {"card_no": card_row["card_no"]}, {**card_values, "resident": holder})[1],
        )
    return report


def _write_birth_certificate(row: BirthCertificateRow) -> str:
    """Upsert by certificate number; the parents' numbers are compared by their blind index (a sealed token differs
    at every encryption), so an unchanged certificate stays unchanged."""
    child = Resident.objects.with_id_number(row["child_id_number"]).get() if row["child_id_number"] else None
    values: dict[str, object] = {
        key: row[key]  # type: ignore[literal-required]
        for key in (
            "child_name",
            "child_gender",
            "birth_date",
            "birth_time",
            "hospital",
            "mother_name",
            "father_name",
            "issued_date",
        )
    }
    certificate = BirthCertificate.objects.filter(certificate_no=row["certificate_no"]).first()
    created = certificate is None
    if certificate is None:
        certificate = BirthCertificate(certificate_no=row["certificate_no"])
    changed = created
    for name, value in values.items():
        if getattr(certificate, name) != value:
            setattr(certificate, name, value)
            changed = True
    for parent in ("mother", "father"):
        number = row[f"{parent}_id_number"]  # type: ignore[literal-required]
        if getattr(certificate, f"{parent}_id_index") != (idnumbers.id_index(number) if number else ""):
            certificate.set_parent_id(parent, number)
            changed = True
    if child is not None and certificate.child_id != child.pk:
        certificate.child = child  # an import may name the registered child; it never unlinks one
        changed = True
    if changed:
        certificate.save()
    return "created" if created else "updated" if changed else "unchanged"


def import_registry_file(path: Path) -> ImportReport:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RegistryImportError(str(path), "file not found") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise RegistryImportError(str(path), f"not valid JSON ({exc})") from None
    return import_registry(data, path.parent)
