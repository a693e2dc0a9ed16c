"""``import_registry``: good files, idempotent re-import, broken files that import nothing."""

from __future__ import annotations

import copy
import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from backend.accounts.models import User
from backend.registries.importer import Problem, RegistryImportError, import_registry
from backend.registries.models import (
    HouseholdIncome,
    Property,
    ProvidentFundAccount,
    ProvidentWithdrawal,
    Resident,
    SchoolDistrict,
)
from tests.factories import id_number, resident_record
from tests.idnumbers import with_check, wrong_check
from tests.personas import LI_DEFU, WANG_GUILAN

pytestmark = pytest.mark.django_db

MODELS = [Resident, ProvidentFundAccount, ProvidentWithdrawal, Property, HouseholdIncome, SchoolDistrict, User]


def full_registry() -> dict[str, Any]:
    parent = resident_record(
        "马超", dt.date(1988, 6, 1), 503, household_id="HH-3", phone="16600000903", photo="photos/kit_harington_1.jpg"
    )
    child = resident_record(
        "马小", dt.date(2020, 5, 5), 504, household_id="HH-3", phone=None, photo=None, password=None
    )
    return {
        "residents": [parent, child],
        "provident_fund": [
            {
                "id_number": parent["id_number"],
                "account_no": "GJJ-3",
                "status": "active",
                "balance": "12000.00",
                "monthly_deposit": "1000.00",
                "months_contributed": 3,
                "bank_card": "6222020000000000903",
            }
        ],
        "provident_withdrawals": [{"account_no": "GJJ-3", "date": "2026-01-05", "reason": "rent", "amount": "3000.00"}],
        "properties": [
            {
                "certificate_no": "豫(2019)郑州市不动产权第T000003号",
                "owner_id_numbers": [parent["id_number"]],
                "address": "郑州市金水区花园路10号",
                "district": "金水区",
                "area_m2": 100.5,
                "purchase_date": "2019-06-01",
                "price": "1000000.00",
                "deed_tax_paid": "10000.00",
                "first_home": True,
            }
        ],
        "incomes": [{"household_id": "HH-3", "monthly_income_per_capita": "2500.00"}],
        "school_districts": [
            {"district": "金水区", "address_prefix": "郑州市金水区花园路", "school": "郑州市花园路小学"}
        ],
    }


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def write(tmp: Path, data: dict[str, Any]) -> Path:
    path = tmp / "registry.json"
    path.write_text(json.dumps(data, ensure_ascii=False))
    return path


def test_good_file_imports_everything(registry_dir: Path) -> None:
    out = StringIO()
    call_command("import_registry", str(write(registry_dir, full_registry())), stdout=out)
    assert "residents: 2 created" in out.getvalue()
    assert counts() == {
        "Resident": 2,
        "ProvidentFundAccount": 1,
        "ProvidentWithdrawal": 1,
        "Property": 1,
        "HouseholdIncome": 1,
        "SchoolDistrict": 1,
        "User": 1,
    }
    parent = Resident.objects.get(name="马超")
    assert parent.photo.name.startswith("registry_photos/") and parent.photo_sha256
    assert ProvidentFundAccount.objects.get().balance == pytest.approx(12000)
    assert str(HouseholdIncome.objects.get().monthly_income_per_capita) == "2500.00"
    assert list(Property.objects.get().owners.all()) == [parent]
    user = User.objects.get()
    assert user.phone == "+8616600000903" and user.phone_verified and user.check_password("Test-Pass-2026!")


def test_reimport_creates_nothing_twice(registry_dir: Path) -> None:
    path = write(registry_dir, full_registry())
    call_command("import_registry", str(path), stdout=StringIO())
    before = counts()
    stamp = Resident.objects.get(name="马超").updated_at
    out = StringIO()
    call_command("import_registry", str(path), stdout=out)
    assert counts() == before
    assert "residents: 0 created, 0 updated, 2 unchanged" in out.getvalue()
    assert Resident.objects.get(name="马超").updated_at == stamp


def test_reimport_updates_changed_values(registry_dir: Path) -> None:
    data = full_registry()
    call_command("import_registry", str(write(registry_dir, data)), stdout=StringIO())
    data["provident_fund"][0]["balance"] = "8000.00"
    data["properties"][0]["owner_id_numbers"].append(data["residents"][1]["id_number"])
    out = StringIO()
    call_command("import_registry", str(write(registry_dir, data)), stdout=out)
    assert "provident_fund: 0 created, 1 updated" in out.getvalue()
    assert "properties: 0 created, 1 updated" in out.getvalue()
    assert str(ProvidentFundAccount.objects.get().balance) == "8000.00"
    assert Property.objects.get().owners.count() == 2


def _break(path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(full_registry())
    target: Any = data
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    last = keys[-1]
    if value is KeyError:
        del target[last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        ("residents.1.id_number", "410105202005050040", "residents[1].id_number"),
        ("residents.1.birth_date", "2020-02-30", "residents[1].birth_date"),
        ("residents.0.gender", "X", "residents[0].gender"),
        ("residents.0.name", KeyError, "residents[0].name"),
        ("residents.0.photo", "photos/missing.jpg", "residents[0].photo"),
        ("residents.0.phone", "12345", "residents[0].phone"),
        ("provident_fund.0.balance", "12,000", "provident_fund[0].balance"),
        ("provident_fund.0.balance", "-1.00", "provident_fund[0].balance"),
        ("provident_fund.0.status", "open", "provident_fund[0].status"),
        ("provident_fund.0.months_contributed", "3", "provident_fund[0].months_contributed"),
        ("provident_withdrawals.0.account_no", "GJJ-404", "provident_withdrawals[0].account_no"),
        ("provident_withdrawals.0.reason", "travel", "provident_withdrawals[0].reason"),
        ("properties.0.owner_id_numbers", [], "properties[0].owner_id_numbers"),
        ("properties.0.first_home", "yes", "properties[0].first_home"),
        ("incomes.0.monthly_income_per_capita", "1.234", "incomes[0].monthly_income_per_capita"),
        ("school_districts.0.school", KeyError, "school_districts[0].school"),
        ("residents", {"not": "a list"}, "residents"),
    ],
)
def test_broken_file_imports_nothing(registry_dir: Path, path: str, value: Any, where: str) -> None:
    with pytest.raises(CommandError) as excinfo:
        call_command("import_registry", str(write(registry_dir, _break(path, value))), stdout=StringIO())
    assert where in str(excinfo.value)
    assert all(n == 0 for n in counts().values()), counts()


def test_error_late_in_file_rolls_back_everything(registry_dir: Path) -> None:
    data = full_registry()
    data["school_districts"].append({"district": "金水区"})
    with pytest.raises(CommandError):
        call_command("import_registry", str(write(registry_dir, data)), stdout=StringIO())
    assert all(n == 0 for n in counts().values())


def test_owner_must_exist(registry_dir: Path) -> None:
    data = full_registry()
    data["properties"][0]["owner_id_numbers"] = [id_number("410105", dt.date(1970, 1, 1), 999)]
    with pytest.raises(CommandError, match=r"properties\[0\]\.owner_id_numbers\[0\]"):
        call_command("import_registry", str(write(registry_dir, data)), stdout=StringIO())


def test_not_json_and_missing_file(registry_dir: Path) -> None:
    bad = registry_dir / "bad.json"
    bad.write_text("{oops")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("import_registry", str(bad), stdout=StringIO())
    with pytest.raises(CommandError, match="file not found"):
        call_command("import_registry", str(registry_dir / "nope.json"), stdout=StringIO())


def test_photo_that_is_not_an_image(registry_dir: Path) -> None:
    (registry_dir / "photos" / "fake.jpg").write_text("not an image")
    data = full_registry()
    data["residents"][0]["photo"] = "photos/fake.jpg"
    with pytest.raises(CommandError, match="not a readable image"):
        call_command("import_registry", str(write(registry_dir, data)), stdout=StringIO())
    assert Resident.objects.count() == 0


def test_every_problem_of_the_file_is_reported_in_one_run_and_nothing_is_written(registry_dir: Path) -> None:
    data = full_registry()
    typo = wrong_check(WANG_GUILAN.id_number)
    data["residents"] += [
        LI_DEFU.registry_row(),  # fine
        {**WANG_GUILAN.registry_row(), "id_number": typo},
        {**resident_record("孙", dt.date(1950, 1, 1), 2, photo=None), "id_number": with_check("99019919500101002")},
        "not an object",
        data["residents"][0],  # the same person twice
    ]
    del data["residents"][3]["name"]
    data["residents"][4]["phone"] = "12345"
    data["provident_fund"][0]["balance"] = "12,000"
    data["provident_fund"].append({**data["provident_fund"][0], "id_number": typo, "balance": "1.00"})
    data["properties"][0]["owner_id_numbers"].append(with_check("41010519480231001"))
    del data["school_districts"][0]["school"]
    data["pets"] = []
    with pytest.raises(CommandError) as excinfo:
        call_command("import_registry", str(write(registry_dir, data)), stdout=StringIO())
    assert all(n == 0 for n in counts().values()), counts()
    summary, *problems = str(excinfo.value).splitlines()
    assert summary == (
        "nothing imported: 11 problems ($: 1, residents: 6, provident_fund: 2, properties: 1, school_districts: 1)"
    )
    assert [line.strip().split(": ", 1)[0] for line in problems] == [
        "$",
        "residents[3].id_number",
        "residents[3].name",
        "residents[4].id_number",
        "residents[4].phone",
        "residents[5]",
        "residents[6].id_number",
        "provident_fund[0].balance",
        "provident_fund[1].id_number",
        "properties[0].owner_id_numbers[1]",
        "school_districts[0].school",
    ]
    reasons = [line.split(": ", 1)[1] for line in problems]
    assert reasons[0] == "unknown sections: pets"
    assert reasons[1].startswith("is not a valid resident ID number (checksum: The check digit")
    assert reasons[3].startswith("is not a valid resident ID number (address_code: ")
    assert reasons[4] == "must be a mainland mobile number"
    assert reasons[5] == "expected an object"
    assert reasons[6] == "appears twice in this file"
    assert reasons[9].startswith("is not a valid resident ID number (birth_date: ")


def test_thousands_of_bad_rows_are_counted_first_then_each_is_listed(registry_dir: Path) -> None:
    def bad(i: int) -> dict[str, Any]:
        record = resident_record(f"居民{i}", dt.date(1950, 1, 1), 2, phone=None, photo=None, password=None)
        return {**record, "id_number": wrong_check(id_number("410105", dt.date(1950, 1, 1), i % 999))}

    rows = [bad(i) for i in range(3000)]
    rows.append(LI_DEFU.registry_row())
    with pytest.raises(CommandError) as excinfo:
        call_command("import_registry", str(write(registry_dir, {"residents": rows})), stdout=StringIO())
    summary, *problems = str(excinfo.value).splitlines()
    assert summary == "nothing imported: 3000 problems (residents: 3000)"
    assert [line.split(": ", 1)[0].strip() for line in problems] == [f"residents[{i}].id_number" for i in range(3000)]
    assert Resident.objects.count() == 0


def test_the_importer_hands_the_problems_over_as_a_list(registry_dir: Path) -> None:
    data = full_registry()
    data["residents"][1]["gender"] = "X"
    data["incomes"][0]["monthly_income_per_capita"] = "1.234"
    with pytest.raises(RegistryImportError) as excinfo:
        import_registry(data, registry_dir)
    assert excinfo.value.problems == [
        Problem("residents[1].gender", "must be one of M, F"),
        Problem("incomes[0].monthly_income_per_capita", "has more than 2 decimal places"),
    ]
    assert (excinfo.value.where, excinfo.value.message) == ("residents[1].gender", "must be one of M, F")
    assert all(n == 0 for n in counts().values()), counts()
