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
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import translation
from PIL import Image, UnidentifiedImageError

from backend.accounts.models import Role, User, new_username
from backend.accounts.phones import is_mainland_mobile, to_e164

from .idnumbers import InvalidIdNumber, validate_id_number
from .models import (
    FundStatus,
    Gender,
    HouseholdIncome,
    Property,
    ProvidentFundAccount,
    ProvidentWithdrawal,
    Resident,
    SchoolDistrict,
    WithdrawalReason,
)

SECTIONS = ("residents", "provident_fund", "provident_withdrawals", "properties", "incomes", "school_districts")
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
        sections = Counter(problem.where.split("[", 1)[0].split(".", 1)[0] for problem in self.problems)
        summary = ", ".join(f"{section}: {count}" for section, count in sections.items())
        return "\n".join([f"{len(self.problems)} problems ({summary})", *(f"  {p}" for p in self.problems)])


@dataclass
class ImportReport:
    counts: dict[str, Counter] = field(default_factory=dict)

    def add(self, section: str, outcome: str) -> None:
        self.counts.setdefault(section, Counter())[outcome] += 1

    def lines(self) -> list[str]:
        out = []
        for section in (*SECTIONS, "accounts"):
            c = self.counts.get(section)
            if c:
                out.append(f"{section}: {c['created']} created, {c['updated']} updated, {c['unchanged']} unchanged")
        return out


_AT_KEY: Any = object()  # "read the value from the record" (a list item passes its value instead)


class _Bad(ValueError):
    """A field value is wrong (the message); :func:`_field` records it with the field's path."""


def _field(method: Callable[..., Any]) -> Callable[..., Any]:
    """A typed accessor that records a bad value as a :class:`Problem` and returns None, so parsing goes on and
    every problem of the file is reported in one run."""

    @functools.wraps(method)
    def read(self: _Record, key: str, *args: Any, **kwargs: Any) -> Any:
        if not self.is_object:
            return None  # reported once, as "expected an object"
        try:
            return method(self, key, *args, **kwargs)
        except _Bad as exc:
            self.fail(key, str(exc))
            return None

    return read


class _Record:
    """Typed access to one JSON record that reports problems with their location (``ok`` is False after one)."""

    def __init__(self, data: Any, where: str, problems: list[Problem]) -> None:
        self.is_object = isinstance(data, dict)
        self.data: dict[str, Any] = data if self.is_object else {}
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
    def str(self, key: str, *, required: bool = True, max_length: int = 200) -> str:
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
    def int(self, key: str) -> int:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise _Bad("must be a non-negative integer")
        return value

    @_field
    def bool(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise _Bad("must be true or false")
        return value

    @_field
    def id_number(self, key: str, value: Any = _AT_KEY) -> str:
        """The number at ``key`` (or ``value``, for list items such as ``owner_id_numbers[0]``), checked by the one
        validator of the project; the reason is given in English, as every message of this report."""
        if value is _AT_KEY:
            value = self._text(key, max_length=18)
        elif not isinstance(value, str):
            raise _Bad("must be a string")
        try:
            return validate_id_number(value)
        except InvalidIdNumber as exc:
            with translation.override("en"):
                raise _Bad(f"is not a valid resident ID number ({exc.reason}: {exc.message})") from None


def _upsert(model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any]) -> tuple[Any, str]:
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values), "created"
    return _update(obj, values)


def _update(obj: models.Model, values: dict[str, Any]) -> tuple[Any, str]:
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not changed:
        return obj, "unchanged"
    for name in changed:
        setattr(obj, name, values[name])
    obj.save()
    return obj, "updated"


def _read_photo(rec: _Record, base_dir: Path) -> tuple[bytes, str] | None:
    rel = rec.str("photo", required=False)
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


def _parse(data: Any, base_dir: Path) -> dict[str, list[dict[str, Any]]]:
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
    sections: dict[str, list[Any]] = {}
    for section in SECTIONS:
        items = data.get(section, [])
        if isinstance(items, list):
            sections[section] = items
        else:
            problems.append(Problem(section, "must be a list"))
            sections[section] = []
    parsed: dict[str, list[dict[str, Any]]] = {s: [] for s in SECTIONS}

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
        phone = rec.str("phone", required=False, max_length=20)
        if phone and not is_mainland_mobile(phone):
            rec.fail("phone", "must be a mainland mobile number")
        password = rec.str("account_password", required=False, max_length=128)
        if password and phone == "":  # none given (a bad one is reported as such)
            rec.fail("account_password", "needs a phone number to log in with")
        row = {
            "id_number": id_number,
            "name": rec.str("name", max_length=50),
            "gender": rec.choice("gender", Gender),
            "birth_date": rec.date("birth_date"),
            "phone": to_e164(phone) if phone else "",
            "address": rec.str("address"),
            "district": rec.str("district", max_length=50),
            "household_id": rec.str("household_id", max_length=40),
            "photo": _read_photo(rec, base_dir),
            "account_password": password,
        }
        if rec.ok:
            parsed["residents"].append(row)

    def known_resident(rec: _Record, key: str, value: str | None) -> None:
        if value is None or value in file_ids:
            return
        if not Resident.objects.with_id_number(value).exists():
            rec.fail(key, f"no resident with ID number {value[:6]}… in the registry or this file")

    accounts_in_file: set[str] = set()
    for rec in records("provident_fund"):
        id_number = rec.id_number("id_number")
        known_resident(rec, "id_number", id_number)
        account_no = rec.str("account_no", max_length=40)
        if account_no:
            accounts_in_file.add(account_no)
        row = {
            "id_number": id_number,
            "account_no": account_no,
            "status": rec.choice("status", FundStatus),
            "balance": rec.decimal("balance"),
            "monthly_deposit": rec.decimal("monthly_deposit"),
            "months_contributed": rec.int("months_contributed"),
            "bank_card": rec.str("bank_card", max_length=30),
        }
        if rec.ok:
            parsed["provident_fund"].append(row)
    for rec in records("provident_withdrawals"):
        account_no = rec.str("account_no", max_length=40)
        if (
            account_no
            and account_no not in accounts_in_file
            and not ProvidentFundAccount.objects.filter(account_no=account_no).exists()
        ):
            rec.fail("account_no", f"no provident fund account {account_no}")
        row = {
            "account_no": account_no,
            "date": rec.date("date"),
            "reason": rec.choice("reason", WithdrawalReason),
            "amount": rec.decimal("amount"),
        }
        if rec.ok:
            parsed["provident_withdrawals"].append(row)
    for rec in records("properties"):
        owners = rec.data.get("owner_id_numbers")
        owner_ids = []
        if rec.is_object and (not isinstance(owners, list) or not owners):
            rec.fail("owner_id_numbers", "must be a non-empty list of ID numbers")
        for j, value in enumerate(owners if isinstance(owners, list) else []):
            key = f"owner_id_numbers[{j}]"
            number = rec.id_number(key, value)
            known_resident(rec, key, number)
            owner_ids.append(number)
        row = {
            "certificate_no": rec.str("certificate_no", max_length=80),
            "owner_id_numbers": owner_ids,
            "address": rec.str("address"),
            "district": rec.str("district", max_length=50),
            "area_m2": rec.decimal("area_m2"),
            "purchase_date": rec.date("purchase_date"),
            "price": rec.decimal("price"),
            "deed_tax_paid": rec.decimal("deed_tax_paid"),
            "first_home": rec.bool("first_home"),
        }
        if rec.ok:
            parsed["properties"].append(row)
    for rec in records("incomes"):
        row = {
            "household_id": rec.str("household_id", max_length=40),
            "monthly_income_per_capita": rec.decimal("monthly_income_per_capita"),
        }
        if rec.ok:
            parsed["incomes"].append(row)
    for rec in records("school_districts"):
        row = {
            "district": rec.str("district", max_length=50),
            "address_prefix": rec.str("address_prefix"),
            "school": rec.str("school", max_length=100),
        }
        if rec.ok:
            parsed["school_districts"].append(row)
    if problems:
        raise RegistryImportError(problems)
    return parsed


def _write_resident(row: dict[str, Any], report: ImportReport) -> None:
    photo = row.pop("photo")
    password = row.pop("account_password")
    id_number = row.pop("id_number")
    existing = Resident.objects.with_id_number(id_number).first()  # the natural key, by its blind index
    if existing is None:
        resident, outcome = Resident.objects.create(id_number=id_number, **row), "created"
    else:
        resident, outcome = _update(existing, row)
    if photo is not None:
        data, ext = photo
        digest = hashlib.sha256(data).hexdigest()
        if resident.photo_sha256 != digest:
            resident.photo.save(f"{digest[:32]}.{ext}", ContentFile(data), save=False)
            resident.photo_sha256 = digest
            resident.save(update_fields=["photo", "photo_sha256", "updated_at"])
            outcome = "updated" if outcome == "unchanged" else outcome
    report.add("residents", outcome)
    if password:
        user = User.objects.filter(phone=row["phone"]).first()
        if user is None:
            user = User(
                username=new_username(),
                phone=row["phone"],
                phone_verified=True,
                role=Role.RESIDENT,
                display_name=row["name"],
            )
            user.set_password(password)
            user.save()
            report.add("accounts", "created")
        else:
            report.add("accounts", "unchanged")


@transaction.atomic
def import_registry(data: Any, base_dir: Path) -> ImportReport:
    parsed = _parse(data, base_dir)
    report = ImportReport()
    for row in parsed["residents"]:
        _write_resident(row, report)
    for row in parsed["provident_fund"]:
        resident = Resident.objects.with_id_number(row.pop("id_number")).get()
        account_no = row.pop("account_no")
        _, outcome = _upsert(ProvidentFundAccount, {"account_no": account_no}, {**row, "resident": resident})
        report.add("provident_fund", outcome)
    for row in parsed["provident_withdrawals"]:
        account = ProvidentFundAccount.objects.get(account_no=row.pop("account_no"))
        _, outcome = _upsert(ProvidentWithdrawal, {"account": account, **row}, {})
        report.add("provident_withdrawals", outcome)
    for row in parsed["properties"]:
        owner_ids = row.pop("owner_id_numbers")
        prop, outcome = _upsert(Property, {"certificate_no": row.pop("certificate_no")}, row)
        owners = list(Resident.objects.with_id_numbers(owner_ids))
        if {o.pk for o in owners} != set(prop.owners.values_list("pk", flat=True)):
            prop.owners.set(owners)
            outcome = "updated" if outcome == "unchanged" else outcome
        report.add("properties", outcome)
    for row in parsed["incomes"]:
        _, outcome = _upsert(HouseholdIncome, {"household_id": row.pop("household_id")}, row)
        report.add("incomes", outcome)
    for row in parsed["school_districts"]:
        lookup = {"district": row.pop("district"), "address_prefix": row.pop("address_prefix")}
        _, outcome = _upsert(SchoolDistrict, lookup, row)
        report.add("school_districts", outcome)
    return report


def import_registry_file(path: Path) -> ImportReport:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RegistryImportError(str(path), "file not found") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise RegistryImportError(str(path), f"not valid JSON ({exc})") from None
    return import_registry(data, path.parent)
