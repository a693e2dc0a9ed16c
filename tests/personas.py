"""The people the tests act as: one definition each, with who they are and which scenario they exist for.

Two kinds, and where they come from:

* **People of the demo city** (``backend/demo/city.py``, the data ``make run`` loads): their registry rows are
  looked up there by name, never copied, so a test about 张建国's rent withdrawal and the demo a clerk clicks
  through are about the same person. They log in with ``DEMO_PASSWORD`` once the demo city is loaded (the
  ``demo`` fixture of ``tests/conftest.py``); the staff of the demo city can also be created on their own
  (:meth:`Staff.account`) by tests that need a clerk but not the whole city.
* **People the demo city does not have** (a name outside the Basic Multilingual Plane, a retired address code, a
  resident of no demo household...): generated here with ``tests.idnumbers`` (GB 11643 check characters computed
  by the test suite, not by the code under test) and imported through the registry import like everybody else.

Every persona is also a pytest fixture of ``tests/conftest.py`` (same name in lower case) where a test wants the
person ready to act (logged in, real name bound); the constants here are for tests that need the data only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.utils import timezone
from rest_framework.test import APIClient

from backend.demo.city import DEMO_PASSWORD, STAFF_ACCOUNTS, SUPERUSER_USERNAME, build_demo_registry
from tests.factories import PASSWORD, login, resident_record
from tests.idnumbers import id_number

__all__ = [
    "AYGUL",
    "CHEN_GANG",
    "CHEN_SIQI",
    "CITY_CLERK",
    "DEMO_PASSWORD",
    "EDUCATION_CLERK",
    "FENG_XUE",
    "GAO_XIUYING",
    "GAO_YUAN",
    "GUO_JING",
    "HOUSEHOLD_CLERK",
    "HOUSING_CLERK",
    "JI_XIANG",
    "LIU_FANG",
    "LIU_YINUO",
    "LI_DEFU",
    "LI_MUYANG",
    "LI_NA",
    "LI_ZHIQIANG",
    "OU_WEN",
    "PASSWORD",
    "PHOTOS",
    "PLANNING_CLERK",
    "POLICE_CLERK",
    "PROVIDENT_FUND_CLERK",
    "SUPERUSER",
    "SUPERVISOR",
    "WANG_DA",
    "WANG_FANG",
    "WANG_GUILAN",
    "WANG_LEI",
    "WU_MIN",
    "YANG_FAN",
    "ZHANG_JIANGUO",
    "ZHANG_ZIHAN",
    "ZHAO_MING",
    "ZHAO_SHUZHEN",
    "Acting",
    "Persona",
    "Staff",
]

PHOTOS = Path(__file__).resolve().parents[1] / "fixtures" / "photos"


@cache
def _demo_city(today: dt.date) -> dict[str, list[dict[str, Any]]]:
    return build_demo_registry(today)


@dataclass(frozen=True)
class Persona:
    """A resident: their registry row, how they log in, and how they type their phone number.

    ``demo=True``: the row is the demo city's (looked up by ``name`` in :func:`build_demo_registry` for the given
    day, since the children's birth dates, and with them their ID numbers, follow the school year). Otherwise the
    row is generated from the other fields.
    """

    name: str
    about: str
    phone: str | None = None  # as stored, without +86; None: no phone in the registry (a child, a grandmother)
    demo: bool = False
    phone_as_typed: str | None = None  # how the person types it on the login screen, when not plainly
    # generated personas only:
    birth: dt.date = dt.date(1990, 1, 5)
    region: str = "410105"
    seq: int = 501
    household_id: str = "HH-T1"
    photo: str | None = None  # registry photo, relative to the import folder (``photos/obama_1.jpg``)
    account: bool = True  # the import creates an account (password :data:`PASSWORD`)
    address: str = "郑州市金水区花园路10号"
    district: str = "金水区"

    @property
    def password(self) -> str:
        return DEMO_PASSWORD if self.demo else PASSWORD

    def record(self, today: dt.date | None = None) -> dict[str, Any]:
        """The persona's row in the registry import format (``backend/registries/importer.py``)."""
        if self.demo:
            rows = _demo_city(today or timezone.localdate())["residents"]
            return dict(next(r for r in rows if r["name"] == self.name))
        record = resident_record(
            self.name,
            self.birth,
            self.seq,
            household_id=self.household_id,
            phone=self.phone,
            photo=self.photo,
            password=PASSWORD if self.account else None,
            address=self.address,
        )
        record["id_number"] = id_number(self.region, self.birth, self.seq)
        record["district"] = self.district
        return record

    def registry_row(self, today: dt.date | None = None) -> dict[str, Any]:
        """The persona in the registry only: the row without phone, account and photo."""
        row = self.record(today)
        for key in ("phone", "account_password", "photo"):
            row.pop(key, None)
        return row

    @property
    def id_number(self) -> str:
        return self.record()["id_number"]

    def login(self) -> APIClient:
        """An API client logged in through allauth (not yet real-name verified)."""
        assert self.phone, f"{self.name} has no phone and no account"
        return login(self.phone, self.password)


@dataclass(frozen=True)
class Staff:
    """A member of staff: a clerk of one department, the cockpit's supervisor, or the Django superuser."""

    name: str
    about: str
    phone: str | None  # None: the superuser, who logs in to the admin with a username
    role: str = "clerk"
    department: str | None = None
    demo: bool = True  # one of the demo city's staff accounts (``STAFF_ACCOUNTS``), else generated here
    superuser: bool = False

    @property
    def username(self) -> str:
        return SUPERUSER_USERNAME if self.superuser else str(self.phone)

    @property
    def password(self) -> str:
        return DEMO_PASSWORD if self.demo else PASSWORD

    def account(self) -> Any:
        """The staff account, created as the demo loader creates it (``backend/accounts/demo.py``: department,
        role, staff group) when it is not there yet; the departments themselves come from the migrations."""
        from backend.accounts.groups import assign_staff_group, ensure_staff_groups
        from backend.accounts.models import Department, Role, User

        if self.superuser:
            user = User.objects.filter(username=self.username).first()
            return user or User.objects.create_superuser(self.username, password=self.password, role=Role.SUPERVISOR)
        department = Department.objects.get(code=self.department) if self.department else None
        user, created = User.objects.get_or_create(
            phone="+86" + str(self.phone),
            defaults={
                "username": self.username,
                "phone_verified": True,
                "role": self.role,
                "department": department,
                "display_name": self.name,
                "is_staff": True,
            },
        )
        if created:
            user.set_password(self.password)
            user.save(update_fields=["password"])
            assign_staff_group(user, ensure_staff_groups())
        return user

    def login(self) -> APIClient:
        """An API client with the staff member's allauth session token (the staff API)."""
        assert self.phone, "the superuser has no phone; use the admin (django.test.Client.login)"
        return login(self.phone, self.password)


@dataclass
class Acting:
    """A resident acting through the API: logged in and bound to their real name, as the app does it."""

    record: dict[str, Any]
    password: str = DEMO_PASSWORD
    client: APIClient = field(init=False)

    def __post_init__(self) -> None:
        self.client = login(self.record["phone"], self.password)
        response = self.client.post(
            "/api/v1/me/real-name", {"name": self.record["name"], "id_number": self.record["id_number"]}, format="json"
        )
        assert response.status_code == 200, response.content

    def apply(self, service: str, form: dict[str, Any] | None = None, **headers: str) -> dict[str, Any]:
        response = self.client.post(
            "/api/v1/cases", {"service": service, "form": form or {}, "consent": True}, format="json", **headers
        )
        assert response.status_code == 201, response.content
        return response.json()

    def face_check(self, case: dict[str, Any], photo: str) -> dict[str, Any]:
        """Pass the face check for a pending case with a real selfie; returns the case after the decision."""
        challenge = self.client.post("/api/v1/face/challenges", {"purpose": "case", "case": case["id"]}, format="json")
        assert challenge.status_code == 201, challenge.content
        with open(PHOTOS / photo, "rb") as image:
            verify = self.client.post(
                "/api/v1/face/verify",
                {"challenge_id": challenge.json()["challenge_id"], "image": image},
                format="multipart",
            )
        assert verify.status_code == 200, verify.content
        assert verify.json()["verified"] is True, verify.content
        return verify.json()["case"]

    def enrol(self, photo: str) -> None:
        with open(PHOTOS / photo, "rb") as image:
            response = self.client.post("/api/v1/face/enrol", {"image": image}, format="multipart")
        assert response.status_code == 201, response.content

    def case(self, case_id: int) -> dict[str, Any]:
        return self.client.get(f"/api/v1/cases/{case_id}").json()


# -- people of the demo city ------------------------------------------------------------------------------------------
ZHANG_JIANGUO = Persona(
    "张建国",
    "HH-JS-001 (金水区, renters, income exactly 2500.00), registry photo obama_1: the main happy paths: rent "
    "withdrawal approved (last one exactly 90 days ago), public rental housing reaching review, the talent housing "
    "subsidy; guardian of 张子涵 (school enrolment, category B). The victim of the security tests.",
    phone="13800000001",
    demo=True,
    phone_as_typed="+86 138 0000 0001",
)
LI_NA = Persona(
    "李娜",
    "张建国's wife (HH-JS-001), no registry photo; her provident fund account is closed (account_not_active).",
    phone="13800000002",
    demo=True,
)
ZHANG_ZIHAN = Persona(
    "张子涵",
    "A child: 张建国's daughter, born on the last day of the school-age window (her ID number follows the school "
    "year). No phone, no account: she exists in the registry for her guardian's school application.",
    demo=True,
)
LI_MUYANG = Persona(
    "李沐阳",
    "A child: 李志强's son, born on the first day of the school-age window (the oldest eligible for enrolment).",
    demo=True,
)
LIU_YINUO = Persona(
    "刘一诺",
    "A child: 刘芳's son, born the day before the school-age window opens (one day too old for enrolment).",
    demo=True,
)
CHEN_SIQI = Persona(
    "陈思琪",
    "A child: 陈刚's daughter, of school age, whose household address lies in no school district.",
    demo=True,
)
GAO_XIUYING = Persona(
    "高秀英",
    "张建国's mother-in-law (HH-JS-001), born 1956, registered under 荥阳县 410121, an address code retired in "
    "1994 that her ID number keeps for life. Registry only: no phone, no account.",
    demo=True,
)
LI_ZHIQIANG = Persona(
    "李志强",
    "HH-ZD-002 (郑东新区), owner of his home (房户一致), registry photo biden_1: deed-tax subsidy and purchase "
    "withdrawal happy paths, category A school.",
    phone="13800000003",
    demo=True,
)
LIU_FANG = Persona(
    "刘芳",
    "HH-EQ-004 (二七区), registry photo rose_leslie_1: two months contributed (insufficient_contribution), "
    "income one fen over the limit; applies for the talent housing subsidy (commitment mode).",
    phone="13800000006",
    demo=True,
)
WU_MIN = Persona(
    "吴敏",
    "HH-EQ-007 (二七区), a renter with a small balance (amount over balance), no registry photo; another "
    "household whose public rental application reaches review. The attacker of the security tests.",
    phone="13800000010",
    demo=True,
)
WANG_LEI = Persona(
    "王磊",
    "HH-ZY-003 (中原区), registry photo kit_harington_1: an old first home and a second home bought 60 days ago "
    "(no_eligible_property for the deed-tax subsidy).",
    phone="13800000005",
    demo=True,
)
CHEN_GANG = Persona(
    "陈刚",
    "HH-GC-005 (管城回族区), registry photo alex_lacamoire_1: a frozen provident fund account, an address outside "
    "every school district.",
    phone="13800000007",
    demo=True,
)
ZHAO_MING = Persona(
    "赵明",
    "HH-ZY-006 (中原区), registry photo lin_manuel_miranda_1: a home bought 400 days ago (too old for the "
    "deed-tax subsidy and the purchase withdrawal).",
    phone="13800000008",
    demo=True,
)
FENG_XUE = Persona(
    "冯雪",
    "HH-ZD-009 (郑东新区): a first home bought 20 days ago, deed tax 8800.00 -> subsidy 4400.00.",
    phone="13800000012",
    demo=True,
)
GUO_JING = Persona(
    "郭静",
    "HH-ZY-010 (中原区): a first home bought 100 days ago, deed tax exempt (no_eligible_property).",
    phone="13800000013",
    demo=True,
)
YANG_FAN = Persona(
    "杨帆",
    "HH-ZY-012: in the registry with a phone but no demo account: signs up with his phone, then binds his real name.",
    phone="13800000015",
    demo=True,
)
LI_DEFU = Persona(
    "李德福",
    "An elder of elder mode: retired, born 1948-10-01, HH-ZY-013 with his wife 王桂兰; his ID number carries "
    "中原区's code of 1983, younger than him. Provident fund account closed on retirement.",
    phone="13800000016",
    demo=True,
)
WANG_GUILAN = Persona(
    "王桂兰",
    "An elder of elder mode: 李德福's wife, born 1952-03-08, 二七区 code of 1983.",
    phone="13800000017",
    demo=True,
)
ZHAO_SHUZHEN = Persona(
    "赵淑珍",
    "免申即享: a widow of HH-JS-014 who turned 80 on 2026-11-20 and never applied; the scan offers her the senior "
    "allowance (100.00 a month), which she only confirms.",
    phone="13800000018",
    demo=True,
)

HOUSING_CLERK = Staff(
    "住房保障局窗口",
    "Clerk of the housing bureau: decides public rental and talent housing subsidy cases.",
    "13700000001",
    department="housing",
)
EDUCATION_CLERK = Staff(
    "教育局窗口",
    "Clerk of the education bureau: decides school enrolment cases.",
    "13700000002",
    department="education",
)
PROVIDENT_FUND_CLERK = Staff(
    "公积金中心窗口",
    "Clerk of the provident fund centre: withdrawals (instant, post-checked) and their counter.",
    "13700000003",
    department="provident_fund",
)
CITY_CLERK = Staff(
    "城市管理局窗口",
    "Clerk of the city management bureau: receives, dispatches and resolves city event reports.",
    "13700000004",
    department="city_management",
)
SUPERVISOR = Staff(
    "数字驾驶舱主管",
    "The supervisor: sees every department in the cockpit and the admin, belongs to none.",
    "13700000009",
    role="supervisor",
)
SUPERUSER = Staff(
    "admin",
    "The Django superuser the demo loader creates (username ``admin``): the admin, with every permission.",
    None,
    role="supervisor",
    superuser=True,
)
HOUSEHOLD_CLERK = Staff(
    "公安局户政窗口",
    "Household registration clerk of public security (demo city): decides newborn registrations (新生儿入户).",
    "13700000005",
    department="public_security",
)
POLICE_CLERK = Staff(
    "公安局窗口",
    "Clerk of public security (not in the demo city): city events routed to the police.",
    "13700000105",
    department="public_security",
    demo=False,
)
PLANNING_CLERK = Staff(
    "自然资源和规划局窗口",
    "Clerk of natural resources and planning (not in the demo city): events about illegal building.",
    "13700000106",
    department="natural_resources",
    demo=False,
)
for _staff in (HOUSING_CLERK, EDUCATION_CLERK, PROVIDENT_FUND_CLERK, CITY_CLERK, HOUSEHOLD_CLERK, SUPERVISOR):
    assert any(s["phone"] == _staff.phone and s["department_code"] == _staff.department for s in STAFF_ACCOUNTS), _staff

# -- people the demo city does not have --------------------------------------------------------------------------------
GAO_YUAN = Persona(
    "高远",
    "A resident of no demo household, imported with an account and a registry photo (biden_1), not yet real-name "
    "verified: the one resident of tests that do not need the demo city (accounts, real name, notifications).",
    phone="16600000901",
    photo="photos/biden_1.jpg",
)
WANG_FANG = Persona(
    "王芳",
    "A second resident of no demo household, no photo: the other person whose data must stay out of reach.",
    phone="16600000902",
    birth=dt.date(1993, 3, 3),
    seq=602,
)
OU_WEN = Persona(
    "欧文",
    "A resident whose registry photo is obama_1 without the demo city: face enrolment and checks on their own.",
    phone="16600000911",
    seq=611,
    household_id="HH-F611",
    photo="photos/obama_1.jpg",
)
LIN_JING = Persona(
    "林静",
    "A guardian of no demo household (HH-CLK), with a school for her address: the clock-edge tests of school age.",
    phone="16600000951",
    seq=613,
    household_id="HH-CLK",
)
LIN_XIAOMAN = Persona(
    "林小满",
    "A child: 林静's, born 15 September 2020 (just after a school-age window closes), registry only.",
    birth=dt.date(2020, 9, 15),
    seq=612,
    household_id="HH-CLK",
    account=False,
)
JI_XIANG = Persona(
    "𠮷祥",
    "A name outside the Basic Multilingual Plane (𠮷, U+20BB7): stored, searched and shown without loss.",
    phone="16600001008",
    birth=dt.date(1984, 6, 30),
    region="140502",  # 晋城 城区 (1985)
    seq=71,
    household_id="HH-RARE-1",
)
WANG_DA = Persona(
    "王龘",
    "A rare character (龘) and a retired address code: 荥阳县 410121, retired in 1994, valid on his number for life.",
    phone="16600001009",
    birth=dt.date(1990, 5, 4),
    region="410121",
    seq=83,
    household_id="HH-RARE-2",
)
AYGUL = Persona(
    "阿依古丽·买买提",
    "A Uyghur name with the middle dot (·) between given name and father's name; 天山区 650102 (1983).",
    phone="16600001011",
    birth=dt.date(1958, 4, 1),
    region="650102",
    seq=26,
    household_id="HH-RARE-3",
    address="乌鲁木齐市天山区解放南路1号",
    district="天山区",
)
