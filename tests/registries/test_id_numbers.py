"""Identity numbers of a real city's residents: the address code is that of the county of first registration and
never changes, so codes younger than their holders and codes retired since are valid for life (GB 11643); typos,
unknown codes and impossible dates are refused, saying which."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from backend.accounts.models import Role, User
from backend.registries.idnumbers import InvalidIdNumber, validate_id_number
from backend.registries.models import DataAccessLog, Resident
from tests.factories import PASSWORD, login
from tests.idnumbers import RETIRED, id_number, lifetime_sample, with_check, wrong_check
from tests.personas import AYGUL, JI_XIANG, LI_DEFU, WANG_DA, WANG_GUILAN, Persona

URL = "/api/v1/me/real-name"


def test_every_resident_whose_code_is_younger_than_them_is_accepted() -> None:
    sample = list(lifetime_sample())
    refused = [(group, number) for group, number in sample if not _accepted(number)]
    assert len(sample) == 1248  # 5 × 43 + 3 × 52 + 1 × 45 code-years, three numbers each
    assert refused == []


@pytest.mark.parametrize("code", RETIRED)
@pytest.mark.parametrize("year", [1940, 1985, 2015])
def test_a_retired_code_stays_valid_whatever_the_birth_year(code: str, year: int) -> None:
    number = id_number(code, dt.date(year, 7, 1), 37)
    assert validate_id_number(number) == number


def test_full_width_digits_spaces_and_a_lowercase_x_are_read_as_typed() -> None:
    number = next(n for s in range(1, 999) if (n := id_number("460106", dt.date(1966, 4, 9), s)).endswith("X"))
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number[:17]) + "x"
    assert validate_id_number(full_width) == number
    assert validate_id_number(f" {number[:6]} {number[6:14]} {number[14:].lower()} ") == number


REFUSED = [
    ("41010519900105001", "length"),
    ("4101051990010500121", "length"),
    ("", "length"),
    ("41010519900105001Y", "characters"),
    ("abcdefghijklmnopqr", "characters"),
    ("4101051990-0105001", "characters"),
    (wrong_check(id_number("410105", dt.date(1990, 1, 5), 1)), "checksum"),
    (wrong_check(LI_DEFU.id_number), "checksum"),
    (with_check("41010519900231001"), "birth_date"),  # 31 February
    (with_check("41010519000229001"), "birth_date"),  # 1900 was no leap year
    (with_check("41010519901301001"), "birth_date"),  # month 13
    (with_check("41010519900100001"), "birth_date"),  # day 0
    (with_check("41010500000101001"), "birth_date"),  # year 0
    (with_check("99019919900101001"), "address_code"),  # never listed
    (with_check("11990119900101001"), "address_code"),  # a known province, a county code never listed
    (with_check("00000019900101001"), "address_code"),
]


@pytest.mark.parametrize(("number", "reason"), REFUSED)
def test_what_is_wrong_is_named(number: str, reason: str) -> None:
    with pytest.raises(InvalidIdNumber) as refused:
        validate_id_number(number)
    assert refused.value.reason == reason


def test_a_birth_date_after_today_is_refused() -> None:
    today = dt.date(2026, 5, 1)
    assert validate_id_number(id_number("460108", today, 2), today=today)
    with pytest.raises(InvalidIdNumber) as refused:
        validate_id_number(id_number("460108", today + dt.timedelta(days=1), 2), today=today)
    assert refused.value.reason == "future_birth_date"


def _accepted(number: str) -> bool:
    try:
        return validate_id_number(number) == number
    except InvalidIdNumber:
        return False


# -- a registry file of a real city, imported and bound through the API -----------------------------------------------
def person(name: str, code: str, birth: dt.date, seq: int, phone: str | None) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id_number": id_number(code, birth, seq),
        "name": name,
        "gender": "M" if seq % 2 else "F",
        "birth_date": birth.isoformat(),
        "address": "郑州市中原区伏牛路12号院1号楼101室",
        "district": "中原区",
        "household_id": f"HH-LIFE-{code}-{birth:%Y}",
    }
    if phone:
        record.update(phone=phone, account_password=PASSWORD)
    return record


def persona(who: Persona, phone: str | None) -> dict[str, Any]:
    """A persona of ``tests/personas.py`` (the same ID number) in this registry file, with this file's phone."""
    number = who.id_number
    return person(who.name, number[:6], dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
                  int(number[14:17]), phone)  # fmt: skip


CITY = [
    persona(LI_DEFU, "16600001001"),  # 中原区 (1983), born in the 1940s
    persona(WANG_GUILAN, "166 0000 1002"),  # 二七区 (1983), phone typed with spaces
    person("赵建华", "410105", dt.date(1982, 12, 31), 91, "+8616600001003"),  # 金水区, the last year refused before
    person("符亚妹", "460106", dt.date(1950, 1, 1), 22, "16600001004"),  # 龙华区 (2002)
    person("吴清", "460107", dt.date(1976, 11, 2), 33, "16600001005"),  # 琼山区 (2002)
    person("陈小海", "460108", dt.date(2001, 12, 31), 45, "16600001006"),  # 美兰区 (2002)
    person("郭秀珍", "140502", dt.date(1940, 2, 29), 58, "16600001007"),  # 晋城 城区 (1985), a leap day
    persona(JI_XIANG, JI_XIANG.phone),  # 晋城 城区 (1985), a name outside the BMP
    persona(WANG_DA, WANG_DA.phone),  # 荥阳县, retired in 1994
    person("刘金海", "410111", dt.date(1961, 9, 9), 95, "16600001010"),  # 金海区, 1983-1987 only
    persona(AYGUL, AYGUL.phone),  # 天山区 (1983), a middle dot
    person("李小宝", "410105", dt.date(2019, 10, 1), 7, None),  # a child: registry only
    person("符小妹", "460106", dt.date(2016, 3, 3), 8, None),
]


def _write(tmp: Path, data: dict[str, Any]) -> Path:
    path = tmp / "registry.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.django_db
def test_a_real_citys_residents_are_imported_and_bind_their_real_name(registry_dir: Path) -> None:
    out = StringIO()
    call_command("import_registry", str(_write(registry_dir, {"residents": CITY})), stdout=out)
    assert f"residents: {len(CITY)} created" in out.getvalue()
    for record in CITY:
        assert Resident.objects.with_id_number(record["id_number"]).get().name == record["name"]
    for record in (r for r in CITY if "phone" in r):
        client = login(record["phone"].replace(" ", ""))
        response = client.post(URL, {"name": record["name"], "id_number": record["id_number"]}, format="json")
        assert response.status_code == 200, (record["name"], response.content)
        assert response.json()["real_name_verified"] is True
    assert Resident.objects.filter(account__isnull=False).count() == sum("phone" in r for r in CITY)


# -- refusals through the API: 400 invalid_id_number, saying what is wrong, nothing bound or logged ----------------
MESSAGES = {  # reason → (words of the Chinese message, words of the English one)
    "length": ("18位", "18 characters"),
    "characters": ("数字或X", "digit or X"),
    "checksum": ("校验位", "check digit"),
    "birth_date": ("出生日期不存在", "birth date"),
    "future_birth_date": ("晚于今天", "after today"),
    "address_code": ("行政区划代码", "administrative division code"),
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("number", "reason"),
    [
        *[(number, reason) for number, reason in REFUSED if number],
        (id_number("410105", dt.date(2099, 1, 1), 12), "future_birth_date"),
    ],
)
def test_a_refused_number_says_what_is_wrong(resident_client: APIClient, number: str, reason: str) -> None:
    zh, en = MESSAGES[reason]
    response = resident_client.post(URL, {"name": "高远", "id_number": number}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_id_number"
    assert zh in error["message"] and error["fields"]["id_number"] == [error["message"]]

    english = resident_client.post(URL, {"name": "高远", "id_number": number}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400
    assert en in english.json()["error"]["message"]
    assert not any("\u4e00" <= c <= "\u9fff" for c in english.json()["error"]["message"])
    assert not Resident.objects.filter(account__isnull=False).exists()
    assert not DataAccessLog.objects.exists()


# -- the admin form goes through the same function ---------------------------------------------------------------
@pytest.fixture
def admin_browser(db) -> Client:
    user = User.objects.create_superuser(username="root", phone="+8613900000099", password="x", role=Role.SUPERVISOR)
    browser = Client()
    browser.force_login(user)
    return browser


ADMIN_FIELDS = {
    "name": "李德福",
    "gender": "M",
    "birth_date": "1948-10-01",
    "phone": "",
    "address": "郑州市中原区伏牛路88号院3号楼1单元101室",
    "district": "中原区",
    "household_id": "HH-ADMIN-ELDER",
}


def test_a_clerk_registers_an_elder_in_the_admin(admin_browser: Client) -> None:
    number = LI_DEFU.id_number
    response = admin_browser.post("/admin/registries/resident/add/", {**ADMIN_FIELDS, "id_number": number})
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    assert Resident.objects.with_id_number(number).get().household_id == "HH-ADMIN-ELDER"


def test_the_admin_says_what_is_wrong_with_a_number(admin_browser: Client) -> None:
    number = wrong_check(LI_DEFU.id_number)
    response = admin_browser.post("/admin/registries/resident/add/", {**ADMIN_FIELDS, "id_number": number})
    assert response.status_code == 200
    assert "校验位" in " ".join(response.context["adminform"].form.errors["id_number"])
    assert not Resident.objects.exists()
