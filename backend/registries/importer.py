"""Loading department registry data (DESIGN §3.6).

Two phases: every record is parsed and validated first, then everything is written in one transaction. A bad file
therefore imports nothing, and the error names the record and field (``properties[2].purchase_date``). Writes are
upserts by natural key that only touch rows whose values changed, so re-importing the same file reports
"unchanged" and does not bump the departments' "last updated" times.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import models, transaction
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


class RegistryImportError(ValueError):
    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


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


class _Record:
    """Typed access to one JSON record that reports errors with their location."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, dict):
            raise RegistryImportError(where, "expected an object")
        self.data, self.where = data, where

    def error(self, key: str, message: str) -> RegistryImportError:
        return RegistryImportError(f"{self.where}.{key}", message)

    def str(self, key: str, *, required: bool = True, max_length: int = 200) -> str:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                raise self.error(key, "is required")
            return ""
        if not isinstance(value, str):
            raise self.error(key, "must be a string")
        value = value.strip()
        if len(value) > max_length:
            raise self.error(key, f"is longer than {max_length} characters")
        return value

    def choice(self, key: str, choices: type[models.TextChoices]) -> str:
        value = self.str(key)
        if value not in choices.values:
            raise self.error(key, f"must be one of {', '.join(choices.values)}")
        return value

    def date(self, key: str) -> dt.date:
        value = self.str(key)
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise self.error(key, "must be a date YYYY-MM-DD") from None

    def decimal(self, key: str, *, places: int = 2) -> Decimal:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.error(key, "must be a decimal string")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise self.error(key, "must be a decimal string") from None
        if not number.is_finite() or number < 0:
            raise self.error(key, "must be a non-negative number")
        if number != number.quantize(Decimal(1).scaleb(-places)):
            raise self.error(key, f"has more than {places} decimal places")
        return number.quantize(Decimal(1).scaleb(-places))

    def int(self, key: str) -> int:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.error(key, "must be a non-negative integer")
        return value

    def bool(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, "must be true or false")
        return value

    def id_number(self, key: str = "id_number") -> str:
        try:
            return validate_id_number(self.str(key, max_length=18))
        except InvalidIdNumber as exc:
            raise self.error(key, f"is not a valid resident ID number ({exc})") from None


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
    path = (base_dir / rel).resolve()
    if not path.is_file():
        raise rec.error("photo", f"file not found: {rel}")
    data = path.read_bytes()
    if len(data) > MAX_PHOTO_BYTES:
        raise rec.error("photo", "file is larger than 10 MB")
    try:
        with Image.open(path) as image:
            image.verify()
            fmt = (image.format or "").lower()
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise rec.error("photo", f"not a readable image: {rel}") from None
    if fmt not in {"jpeg", "png", "webp"}:
        raise rec.error("photo", "must be a JPEG, PNG or WebP image")
    return data, {"jpeg": "jpg"}.get(fmt, fmt)


def _parse(data: Any, base_dir: Path) -> dict[str, list[dict[str, Any]]]:
    """Validate the whole file into plain dicts; nothing is written here."""
    if not isinstance(data, dict):
        raise RegistryImportError("$", "the file must contain one JSON object")
    unknown = set(data) - set(SECTIONS)
    if unknown:
        raise RegistryImportError("$", f"unknown sections: {', '.join(sorted(unknown))}")
    parsed: dict[str, list[dict[str, Any]]] = {s: [] for s in SECTIONS}
    for section in SECTIONS:
        items = data.get(section, [])
        if not isinstance(items, list):
            raise RegistryImportError(section, "must be a list")
    seen_ids: set[str] = set()
    for i, raw in enumerate(data.get("residents", [])):
        rec = _Record(raw, f"residents[{i}]")
        id_number = rec.id_number()
        if id_number in seen_ids:
            raise rec.error("id_number", "appears twice in this file")
        seen_ids.add(id_number)
        phone = rec.str("phone", required=False, max_length=20)
        if phone and not is_mainland_mobile(phone):
            raise rec.error("phone", "must be a mainland mobile number")
        password = rec.str("account_password", required=False, max_length=128)
        if password and not phone:
            raise rec.error("account_password", "needs a phone number to log in with")
        parsed["residents"].append(
            {
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
        )
    file_ids = seen_ids

    def known_resident(rec: _Record, key: str, value: str) -> None:
        if value not in file_ids and not Resident.objects.with_id_number(value).exists():
            raise rec.error(key, f"no resident with ID number {value[:6]}… in the registry or this file")

    accounts_in_file: set[str] = set()
    for i, raw in enumerate(data.get("provident_fund", [])):
        rec = _Record(raw, f"provident_fund[{i}]")
        id_number = rec.id_number()
        known_resident(rec, "id_number", id_number)
        account_no = rec.str("account_no", max_length=40)
        accounts_in_file.add(account_no)
        parsed["provident_fund"].append(
            {
                "id_number": id_number,
                "account_no": account_no,
                "status": rec.choice("status", FundStatus),
                "balance": rec.decimal("balance"),
                "monthly_deposit": rec.decimal("monthly_deposit"),
                "months_contributed": rec.int("months_contributed"),
                "bank_card": rec.str("bank_card", max_length=30),
            }
        )
    for i, raw in enumerate(data.get("provident_withdrawals", [])):
        rec = _Record(raw, f"provident_withdrawals[{i}]")
        account_no = rec.str("account_no", max_length=40)
        if (
            account_no not in accounts_in_file
            and not ProvidentFundAccount.objects.filter(account_no=account_no).exists()
        ):
            raise rec.error("account_no", f"no provident fund account {account_no}")
        parsed["provident_withdrawals"].append(
            {
                "account_no": account_no,
                "date": rec.date("date"),
                "reason": rec.choice("reason", WithdrawalReason),
                "amount": rec.decimal("amount"),
            }
        )
    for i, raw in enumerate(data.get("properties", [])):
        rec = _Record(raw, f"properties[{i}]")
        owners = raw.get("owner_id_numbers") if isinstance(raw, dict) else None
        if not isinstance(owners, list) or not owners:
            raise rec.error("owner_id_numbers", "must be a non-empty list of ID numbers")
        owner_ids = []
        for j, value in enumerate(owners):
            sub = _Record({"id": value}, f"properties[{i}].owner_id_numbers[{j}]")
            number = sub.id_number("id")
            known_resident(rec, f"owner_id_numbers[{j}]", number)
            owner_ids.append(number)
        parsed["properties"].append(
            {
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
        )
    for i, raw in enumerate(data.get("incomes", [])):
        rec = _Record(raw, f"incomes[{i}]")
        parsed["incomes"].append(
            {
                "household_id": rec.str("household_id", max_length=40),
                "monthly_income_per_capita": rec.decimal("monthly_income_per_capita"),
            }
        )
    for i, raw in enumerate(data.get("school_districts", [])):
        rec = _Record(raw, f"school_districts[{i}]")
        parsed["school_districts"].append(
            {
                "district": rec.str("district", max_length=50),
                "address_prefix": rec.str("address_prefix"),
                "school": rec.str("school", max_length=100),
            }
        )
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
