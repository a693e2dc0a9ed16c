"""Demo registry data for Yiwang (一网): about twenty fictitious residents of Zhengzhou (郑州), elders included.

``build_demo_registry(today)`` returns one dict in the registry import format of DESIGN.md §3.6, ready to be
written to ``fixtures/`` as JSON and loaded with ``python manage.py import_registry`` (``photo`` paths are
relative to the ``fixtures/`` folder, e.g. ``photos/obama_1.jpg``).

Why everything is built relative to ``today``: the seed-service rules of §3.7 are evaluated on the server's
current date ("no rent withdrawal in the last 90 days", "purchased within the last 365 days", "6 years old on
31 August of the enrolment year"). Fixed calendar dates would drift out of those windows within weeks, and a
demo resident meant to show "approved" would start showing "rejected". So every date that a rule looks at
(withdrawal dates, purchase dates, the birth dates of the school-age children, and with them the children's
ID numbers) is computed from ``today``; dates no rule looks at (adults' birth dates, an old home bought in
2012) are fixed, so that adults keep stable ID numbers and re-imports update rather than duplicate them.
Natural keys (ID numbers of adults, ``account_no``, ``certificate_no``) never depend on ``today``; only the
school-age children's ID numbers do, because a GB 11643 ID number contains the birth date (re-importing in a
later school year therefore adds new children next to the old ones, which no rule is harmed by).

Every rule and reason code of §3.7 is exercised by at least one resident, passing and failing; the scenario of
each resident is in ``fixtures/README.md`` and in the comments below. Six residents hold a registry photo, one
per real person available (a face belongs to exactly one resident), chosen so that the face services have a
photo holder for their main happy paths and main rejections.

Residents without ``account_password`` (children, a grandmother, one registry-only adult who demonstrates
sign-up + real-name verification) get no demo account. Children and the grandmother have no ``phone`` key.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

DEMO_PASSWORD = "Demo-Pass-2026"

DEPARTMENTS: list[dict[str, str]] = [
    {"code": "housing", "name_zh": "住房保障局", "name_en": "Housing Security Bureau"},
    {"code": "education", "name_zh": "教育局", "name_en": "Education Bureau"},
    {"code": "provident_fund", "name_zh": "住房公积金管理中心", "name_en": "Housing Provident Fund Center"},
    {"code": "city_management", "name_zh": "城市管理局", "name_en": "City Management Bureau"},
    {"code": "public_security", "name_zh": "公安局", "name_en": "Public Security Bureau"},
    {"code": "natural_resources", "name_zh": "自然资源和规划局", "name_en": "Natural Resources and Planning Bureau"},
    {"code": "civil_affairs", "name_zh": "民政局", "name_en": "Civil Affairs Bureau"},
    {"code": "tax", "name_zh": "税务局", "name_en": "Tax Bureau"},
    {"code": "health", "name_zh": "卫生健康委员会", "name_en": "Health Commission"},
    {"code": "medical_insurance", "name_zh": "医疗保障局", "name_en": "Healthcare Security Administration"},
    {
        "code": "social_security",
        "name_zh": "人力资源和社会保障局",
        "name_en": "Human Resources and Social Security Bureau",
    },
]

STAFF_ACCOUNTS: list[dict[str, str | None]] = [
    {"phone": "13700000001", "name": "住房保障局窗口", "role": "clerk", "department_code": "housing"},
    {"phone": "13700000002", "name": "教育局窗口", "role": "clerk", "department_code": "education"},
    {"phone": "13700000003", "name": "公积金中心窗口", "role": "clerk", "department_code": "provident_fund"},
    {"phone": "13700000004", "name": "城市管理局窗口", "role": "clerk", "department_code": "city_management"},
    {"phone": "13700000005", "name": "公安局户政窗口", "role": "clerk", "department_code": "public_security"},
    {"phone": "13700000009", "name": "数字驾驶舱主管", "role": "supervisor", "department_code": None},
]

# Django superuser created by the demo loader (password DEMO_PASSWORD as well).
SUPERUSER_USERNAME = "admin"

ID_WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"

# Administrative division codes used in the demo ID numbers (郑东新区 has no code of its own). The district codes
# exist since 1983 and residents born before then carry them too (the number gets the code of the county of first
# registration and never changes: see backend/registries/idnumbers.py); the grandmother's number keeps 荥阳县,
# a code retired in 1994.
REGION_CODES: dict[str, str] = {
    "中原区": "410102",
    "二七区": "410103",
    "管城回族区": "410104",
    "金水区": "410105",
    "荥阳县": "410121",
}

RENT_LIMIT = Decimal("4500.00")

# Household id -> (district, registered household address). Addresses that should find a primary school start
# with a school district's ``address_prefix``; property addresses equal these strings where 房户一致 is meant.
HOUSEHOLDS: dict[str, tuple[str, str]] = {
    "HH-JS-001": ("金水区", "郑州市金水区花园路66号院2号楼1单元302室"),
    "HH-ZD-002": ("郑东新区", "郑州市郑东新区如意西路18号院5号楼1单元1201室"),
    "HH-ZY-003": ("中原区", "郑州市中原区建设西路120号院7号楼3单元402室"),
    "HH-EQ-004": ("二七区", "郑州市二七区大学路40号院1号楼2单元601室"),
    "HH-GC-005": ("管城回族区", "郑州市管城回族区商城路25号院3号楼1单元201室"),
    "HH-ZY-006": ("中原区", "郑州市中原区桐柏路90号院6号楼2单元1102室"),
    "HH-EQ-007": ("二七区", "郑州市二七区大学路88号院4号楼1单元503室"),
    "HH-JS-008": ("金水区", "郑州市金水区经三路15号院2号楼3单元701室"),
    "HH-ZD-009": ("郑东新区", "郑州市郑东新区商务外环路9号院3号楼2单元1803室"),
    "HH-ZY-010": ("中原区", "郑州市中原区华山路31号院1号楼1单元602室"),
    "HH-JS-011": ("金水区", "郑州市金水区农业路56号院4号楼1单元902室"),
    "HH-ZY-012": ("中原区", "郑州市中原区建设西路200号院2号楼2单元301室"),
    "HH-ZY-013": ("中原区", "郑州市中原区伏牛路88号院3号楼1单元101室"),
    "HH-JS-014": ("金水区", "郑州市金水区纬五路12号院1号楼1单元102室"),
}

SCHOOL_DISTRICTS: list[dict[str, str]] = [
    {"district": "金水区", "address_prefix": "郑州市金水区花园路", "school": "郑州市金水区花园路小学"},
    {"district": "郑东新区", "address_prefix": "郑州市郑东新区如意西路", "school": "郑州市郑东新区如意湖小学"},
    {"district": "二七区", "address_prefix": "郑州市二七区大学路", "school": "郑州市二七区大学路小学"},
    {"district": "中原区", "address_prefix": "郑州市中原区建设西路", "school": "郑州市中原区建设路第三小学"},
    # 管城回族区 has a school district, but not for 商城路, where HH-GC-005 lives (no_school_district).
    {
        "district": "管城回族区",
        "address_prefix": "郑州市管城回族区紫荆山南路",
        "school": "郑州市管城回族区紫荆山南路小学",
    },
]

# Monthly income per capita by household (民政局). HH-JS-001 sits exactly on the 2500.00 limit (passes),
# HH-EQ-004 one fen above it (income_too_high).
INCOMES: dict[str, str] = {
    "HH-JS-001": "2500.00",
    "HH-ZD-002": "6800.00",
    "HH-ZY-003": "5200.00",
    "HH-EQ-004": "2500.01",
    "HH-GC-005": "3100.00",
    "HH-ZY-006": "1800.00",
    "HH-EQ-007": "2100.00",
    "HH-JS-008": "3600.00",
    "HH-ZD-009": "4300.00",
    "HH-ZY-010": "3300.00",
    "HH-JS-011": "3900.00",
    "HH-ZY-012": "1500.00",
    "HH-ZY-013": "1600.00",
    "HH-JS-014": "2300.00",
}


def id_check_char(body17: str) -> str:
    """GB 11643 check character of the first 17 digits of an ID number."""
    if len(body17) != 17 or not body17.isdigit():
        raise ValueError(f"need 17 digits, got {body17!r}")
    total = sum(int(digit) * weight for digit, weight in zip(body17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def make_id_number(region_code: str, birth_date: datetime.date, sequence: int, gender: str) -> str:
    """An 18-character ID number; the sequence's last digit (the 17th digit) is odd for men, even for women."""
    if gender not in ("M", "F"):
        raise ValueError(f"gender must be M or F, got {gender!r}")
    if not 0 <= sequence <= 999 or (sequence % 2 == 1) != (gender == "M"):
        raise ValueError(f"sequence {sequence} does not fit gender {gender}")
    body = f"{region_code}{birth_date:%Y%m%d}{sequence:03d}"
    return body + id_check_char(body)


def luhn_complete(partial: str) -> str:
    """Append the Luhn check digit (bank card numbers)."""
    total = 0
    for index, char in enumerate(reversed(partial)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return partial + str((10 - total % 10) % 10)


def enrolment_year(today: datetime.date) -> int:
    """Y of §3.7: the year of the coming 1 September (today's year up to 31 August, else the next year)."""
    return today.year if today <= datetime.date(today.year, 8, 31) else today.year + 1


def school_age_window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Inclusive birth-date window of children entering primary school: 1 Sep Y−7 .. 31 Aug Y−6."""
    year = enrolment_year(today)
    return datetime.date(year - 7, 9, 1), datetime.date(year - 6, 8, 31)


def _money(amount: str) -> str:
    """Validate a yuan amount and normalise it to two decimals (the import format wants decimal strings)."""
    return str(Decimal(amount).quantize(Decimal("0.01")))


def build_demo_registry(today: datetime.date) -> dict[str, list[dict[str, Any]]]:
    """The demo registry in the §3.6 import format, with every rule-relevant date computed from ``today``.

    Boundary readings used (the engine must read the rules the same way for the boundary residents to behave as
    documented):

    * "no rent withdrawal in the last 90 days": a rent withdrawal counts when its date is *after*
      ``today - 90 days`` (``date > today - timedelta(days=90)``). So a withdrawal exactly 90 days ago does not
      count (张建国 passes), one 89 days ago does (马超: ``too_frequent``). A withdrawal dated today counts, so a
      second rent withdrawal on the same day is ``too_frequent``.
    * "purchase_date within the last 365 days" is read the same way (``purchase_date > today - 365 days``); the
      demo purchases are 20-100 days old (inside) or 400 days old and older (outside), clear of the boundary.
    * ``months_contributed >= 3``: exactly 3 passes (张建国), 2 fails (刘芳).
    * amount limits are inclusive: 4500.00 passes, 4500.01 fails; an amount equal to the balance or price passes.
    * income limit inclusive: 2500.00 passes (HH-JS-001), 2500.01 fails (HH-EQ-004).
    * school age: born 1 Sep Y−7 .. 31 Aug Y−6 inclusive, Y from :func:`enrolment_year`.
    """

    def days_ago(days: int) -> str:
        return (today - datetime.timedelta(days=days)).isoformat()

    first_eligible, last_eligible = school_age_window(today)
    year = enrolment_year(today)

    residents: list[dict[str, Any]] = []
    ids: dict[str, str] = {}

    def add_resident(
        key: str,
        name: str,
        gender: str,
        birth_date: datetime.date,
        birth_region: str,
        sequence: int,
        household_id: str,
        *,
        phone: str | None = None,
        photo: str | None = None,
        login: bool = False,
    ) -> None:
        district, address = HOUSEHOLDS[household_id]
        id_number = make_id_number(REGION_CODES[birth_region], birth_date, sequence, gender)
        record: dict[str, Any] = {
            "id_number": id_number,
            "name": name,
            "gender": gender,
            "birth_date": birth_date.isoformat(),
        }
        if phone is not None:
            record["phone"] = phone
        record.update({"address": address, "district": district, "household_id": household_id})
        if photo is not None:
            record["photo"] = photo
        if login:
            if phone is None:
                raise ValueError(f"{key}: a demo account needs a phone")
            record["account_password"] = DEMO_PASSWORD
        ids[key] = id_number
        residents.append(record)

    d = datetime.date

    # HH-JS-001, 金水区, renters, income exactly 2500.00: rent happy path, category B school, public rental passes.
    add_resident(
        "zhang_jianguo",
        "张建国",
        "M",
        d(1988, 4, 12),
        "金水区",
        31,
        "HH-JS-001",
        phone="13800000001",
        photo="photos/obama_1.jpg",
        login=True,
    )
    add_resident("li_na", "李娜", "F", d(1990, 9, 23), "金水区", 42, "HH-JS-001", phone="13800000002", login=True)
    add_resident("zhang_zihan", "张子涵", "F", last_eligible, "金水区", 26, "HH-JS-001")
    add_resident("gao_xiuying", "高秀英", "F", d(1956, 2, 2), "荥阳县", 68, "HH-JS-001")

    # HH-ZD-002, 郑东新区, owners of their home (房户一致): deed-tax and purchase happy paths, category A school.
    add_resident(
        "li_zhiqiang",
        "李志强",
        "M",
        d(1984, 11, 3),
        "中原区",
        15,
        "HH-ZD-002",
        phone="13800000003",
        photo="photos/biden_1.jpg",
        login=True,
    )
    add_resident("sun_li", "孙丽", "F", d(1984, 6, 17), "二七区", 24, "HH-ZD-002", phone="13800000004", login=True)
    add_resident("li_muyang", "李沐阳", "M", first_eligible, "金水区", 57, "HH-ZD-002")

    # HH-ZY-003, 中原区: owns an old first home (here) and a second home bought 60 days ago.
    add_resident(
        "wang_lei",
        "王磊",
        "M",
        d(1986, 2, 8),
        "中原区",
        73,
        "HH-ZY-003",
        phone="13800000005",
        photo="photos/kit_harington_1.jpg",
        login=True,
    )

    # HH-EQ-004, 二七区, renters, income 2500.01: 2 months contributed; child one day too old for school.
    add_resident(
        "liu_fang",
        "刘芳",
        "F",
        d(1991, 7, 19),
        "二七区",
        36,
        "HH-EQ-004",
        phone="13800000006",
        photo="photos/rose_leslie_1.jpg",
        login=True,
    )
    add_resident("liu_yinuo", "刘一诺", "M", d(year - 7, 8, 31), "二七区", 19, "HH-EQ-004")

    # HH-GC-005, 管城回族区, address outside every school district; frozen provident fund account.
    add_resident(
        "chen_gang",
        "陈刚",
        "M",
        d(1987, 12, 25),
        "管城回族区",
        53,
        "HH-GC-005",
        phone="13800000007",
        photo="photos/alex_lacamoire_1.png",
        login=True,
    )
    add_resident("chen_siqi", "陈思琪", "F", d(year - 6, 3, 15), "管城回族区", 48, "HH-GC-005")

    # HH-ZY-006, 中原区: husband owns a home bought 400 days ago; wife owns nothing (household member owns).
    add_resident(
        "zhao_ming",
        "赵明",
        "M",
        d(1983, 5, 30),
        "中原区",
        91,
        "HH-ZY-006",
        phone="13800000008",
        photo="photos/lin_manuel_miranda_1.png",
        login=True,
    )
    add_resident(
        "zhou_jing", "周静", "F", d(1985, 10, 11), "管城回族区", 62, "HH-ZY-006", phone="13800000009", login=True
    )

    # HH-EQ-007, 二七区, renter with a small balance: amount over balance; public rental passes.
    add_resident("wu_min", "吴敏", "F", d(1995, 3, 14), "二七区", 84, "HH-EQ-007", phone="13800000010", login=True)

    # HH-JS-008, 金水区, renter whose last rent withdrawal was 89 days ago: too_frequent.
    add_resident("ma_chao", "马超", "M", d(1990, 1, 5), "金水区", 39, "HH-JS-008", phone="13800000011", login=True)

    # HH-ZD-009, 郑东新区: first home bought 20 days ago, deed tax 8800.00 -> subsidy 4400.00 (plain 50 %).
    add_resident("feng_xue", "冯雪", "F", d(1994, 1, 27), "金水区", 28, "HH-ZD-009", phone="13800000012", login=True)

    # HH-ZY-010, 中原区: first home bought 100 days ago but deed tax 0.00 (exempt): no_eligible_property.
    add_resident("guo_jing", "郭静", "F", d(1996, 8, 9), "中原区", 14, "HH-ZY-010", phone="13800000013", login=True)

    # HH-JS-011, 金水区: bought a parking space (price 120000.00) 45 days ago; balance larger than that price.
    add_resident("he_wei", "何伟", "M", d(1985, 9, 9), "金水区", 77, "HH-JS-011", phone="13800000014", login=True)

    # HH-ZY-012, 中原区: registry only, no demo account: sign up with the phone, then real-name verification.
    add_resident("yang_fan", "杨帆", "M", d(1998, 6, 21), "中原区", 95, "HH-ZY-012", phone="13800000015")

    # HH-ZY-013, 中原区, a retired couple renting, pensions 1600.00 per head: the elders of elder mode. Their numbers
    # carry 中原区 / 二七区 codes of 1983 with birth years before it (refused by a birth-year code check).
    add_resident("li_defu", "李德福", "M", d(1948, 10, 1), "中原区", 17, "HH-ZY-013", phone="13800000016", login=True)
    add_resident(
        "wang_guilan", "王桂兰", "F", d(1952, 3, 8), "二七区", 64, "HH-ZY-013", phone="13800000017", login=True
    )

    # HH-JS-014, 金水区, a widow living alone who turned 80 on 20 November 2026 and never applied for anything: the
    # 免申即享 scan offers her the senior allowance (高龄津贴, 100.00 a month); she only confirms.
    add_resident(
        "zhao_shuzhen", "赵淑珍", "F", d(1946, 11, 20), "金水区", 82, "HH-JS-014", phone="13800000018", login=True
    )

    def bank_card(serial: int) -> str:
        return luhn_complete(f"621700{serial:012d}")

    def account(key: str, serial: int, status: str, balance: str, deposit: str, months: int) -> dict[str, Any]:
        return {
            "id_number": ids[key],
            "account_no": f"4101002{serial:05d}",
            "status": status,
            "balance": _money(balance),
            "monthly_deposit": _money(deposit),
            "months_contributed": months,
            "bank_card": bank_card(serial),
        }

    provident_fund = [
        account("zhang_jianguo", 1, "active", "8000.00", "1600.00", 3),  # transferred in; exactly 3 months
        account("li_na", 2, "closed", "5600.00", "0.00", 40),  # closed (balance not yet paid out): account_not_active
        account("li_zhiqiang", 3, "active", "86000.00", "3200.00", 96),
        account("sun_li", 4, "active", "52000.00", "2400.00", 80),
        account("wang_lei", 5, "active", "31000.00", "2000.00", 60),
        account("liu_fang", 6, "active", "3000.00", "1500.00", 2),  # insufficient_contribution
        account("chen_gang", 7, "frozen", "20500.00", "1800.00", 36),  # account_not_active
        account("zhao_ming", 8, "active", "64000.00", "2800.00", 120),
        account("wu_min", 10, "active", "2000.00", "1000.00", 18),  # 2000.01 exceeds the balance
        account("ma_chao", 11, "active", "20000.00", "1800.00", 36),
        account("feng_xue", 12, "active", "21000.00", "1400.00", 30),
        account("guo_jing", 13, "active", "9000.00", "1200.00", 24),
        account("he_wei", 14, "active", "150000.00", "4000.00", 120),  # more than his parking space's price
        account("li_defu", 15, "closed", "0.00", "0.00", 312),  # retired in 2008, paid out: account_not_active
    ]
    account_no = {row["id_number"]: row["account_no"] for row in provident_fund}

    provident_withdrawals = [
        {
            "account_no": account_no[ids["zhang_jianguo"]],
            "date": days_ago(200),
            "reason": "rent",
            "amount": _money("2500.00"),
        },
        # exactly 90 days ago: not within the last 90 days, so a new rent withdrawal is allowed
        {
            "account_no": account_no[ids["zhang_jianguo"]],
            "date": days_ago(90),
            "reason": "rent",
            "amount": _money("3000.00"),
        },
        # 89 days ago: within the last 90 days -> too_frequent
        {"account_no": account_no[ids["ma_chao"]], "date": days_ago(89), "reason": "rent", "amount": _money("3000.00")},
        {
            "account_no": account_no[ids["zhao_ming"]],
            "date": days_ago(380),
            "reason": "purchase",
            "amount": _money("60000.00"),
        },
    ]

    def home(household_id: str) -> tuple[str, str]:
        return HOUSEHOLDS[household_id]

    properties = [
        {
            # co-owned, at the household address (房户一致), first home, bought 30 days ago;
            # 50 % of 45000.00 = 22500.00, capped at 20000.00
            "certificate_no": "豫(郑州市)不动产权第0210001号",
            "owner_id_numbers": [ids["li_zhiqiang"], ids["sun_li"]],
            "address": home("HH-ZD-002")[1],
            "district": home("HH-ZD-002")[0],
            "area_m2": "128.50",
            "purchase_date": days_ago(30),
            "price": _money("3000000.00"),
            "deed_tax_paid": _money("45000.00"),
            "first_home": True,
        },
        {
            # 王磊's first home, bought in 2012, at his household address
            "certificate_no": "豫(郑州市)不动产权第0210002号",
            "owner_id_numbers": [ids["wang_lei"]],
            "address": home("HH-ZY-003")[1],
            "district": home("HH-ZY-003")[0],
            "area_m2": "76.40",
            "purchase_date": "2012-05-20",
            "price": _money("520000.00"),
            "deed_tax_paid": _money("5200.00"),
            "first_home": True,
        },
        {
            # 王磊's second home, bought 60 days ago: not a first home -> no_eligible_property for deed tax
            "certificate_no": "豫(郑州市)不动产权第0210003号",
            "owner_id_numbers": [ids["wang_lei"]],
            "address": "郑州市郑东新区龙湖中环路66号院9号楼1单元2202室",
            "district": "郑东新区",
            "area_m2": "142.00",
            "purchase_date": days_ago(60),
            "price": _money("2600000.00"),
            "deed_tax_paid": _money("78000.00"),
            "first_home": False,
        },
        {
            # first home bought 400 days ago: too old for deed-tax subsidy and purchase withdrawal
            "certificate_no": "豫(郑州市)不动产权第0210004号",
            "owner_id_numbers": [ids["zhao_ming"]],
            "address": home("HH-ZY-006")[1],
            "district": home("HH-ZY-006")[0],
            "area_m2": "98.20",
            "purchase_date": days_ago(400),
            "price": _money("1350000.00"),
            "deed_tax_paid": _money("13500.00"),
            "first_home": True,
        },
        {
            # first home bought 20 days ago: deed-tax subsidy 4400.00
            "certificate_no": "豫(郑州市)不动产权第0210005号",
            "owner_id_numbers": [ids["feng_xue"]],
            "address": home("HH-ZD-009")[1],
            "district": home("HH-ZD-009")[0],
            "area_m2": "89.00",
            "purchase_date": days_ago(20),
            "price": _money("880000.00"),
            "deed_tax_paid": _money("8800.00"),
            "first_home": True,
        },
        {
            # first home bought 100 days ago, deed tax exempt (0.00): no_eligible_property
            "certificate_no": "豫(郑州市)不动产权第0210006号",
            "owner_id_numbers": [ids["guo_jing"]],
            "address": home("HH-ZY-010")[1],
            "district": home("HH-ZY-010")[0],
            "area_m2": "62.30",
            "purchase_date": days_ago(100),
            "price": _money("610000.00"),
            "deed_tax_paid": _money("0.00"),
            "first_home": True,
        },
        {
            # parking space bought 45 days ago: purchase withdrawal capped by its price 120000.00
            "certificate_no": "豫(郑州市)不动产权第0210007号",
            "owner_id_numbers": [ids["he_wei"]],
            "address": "郑州市金水区农业路56号院地下车位B2-118",
            "district": "金水区",
            "area_m2": "12.50",
            "purchase_date": days_ago(45),
            "price": _money("120000.00"),
            "deed_tax_paid": _money("3600.00"),
            "first_home": False,
        },
    ]

    incomes = [
        {"household_id": household_id, "monthly_income_per_capita": _money(amount)}
        for household_id, amount in INCOMES.items()
    ]

    # 新生儿出生一件事 (birth medical certificates, 卫健委). 王磊 (HH-ZY-003, 中原区) and 刘芳 (HH-EQ-004, 二七区) are
    # a couple with separate households: either may register their daughter, born 20 days ago, in their own (both
    # hold a registry photo). 赵明 and 周静's son was born 45 days ago: a late declaration (after one month), still
    # within medical insurance's 90 newborn days. 张子涵's certificate names her registered entry (already
    # registered). The last one names a mother from outside the city and no father: nobody here can apply with it.
    def born(days: int, time: str) -> tuple[str, str]:
        return days_ago(days), time

    birth_certificates: list[dict[str, Any]] = []

    def certificate(
        number: str, child: str, gender: str, when: tuple[str, str], hospital: str, mother: tuple[str, str], **more: Any
    ) -> None:
        record: dict[str, Any] = {
            "certificate_no": number,
            "child_name": child,
            "child_gender": gender,
            "birth_date": when[0],
            "birth_time": when[1],
            "hospital": hospital,
            "mother_name": mother[0],
            "mother_id_number": mother[1],
            "issued_date": when[0],
        }
        record.update(more)
        birth_certificates.append(record)

    certificate(
        "O410126001",
        "王小禾",
        "F",
        born(20, "08:16"),
        "郑州大学第三附属医院",
        ("刘芳", ids["liu_fang"]),
        father_name="王磊",
        father_id_number=ids["wang_lei"],
    )
    certificate(
        "O410126002",
        "赵一鸣",
        "M",
        born(45, "23:05"),
        "河南省人民医院",
        ("周静", ids["zhou_jing"]),
        father_name="赵明",
        father_id_number=ids["zhao_ming"],
    )
    certificate(
        "O410121003",
        "张子涵",
        "F",
        (last_eligible.isoformat(), "14:40"),
        "郑州市妇幼保健院",
        ("李娜", ids["li_na"]),
        father_name="张建国",
        father_id_number=ids["zhang_jianguo"],
        child_id_number=ids["zhang_zihan"],
    )
    certificate(
        "O410126004",
        "林小雨",
        "F",
        born(10, "05:50"),
        "郑州市中心医院",
        ("林晓", make_id_number("510107", d(1995, 4, 4), 82, "F")),  # 成都市武侯区: a mother from elsewhere
    )

    return {
        "residents": residents,
        "provident_fund": provident_fund,
        "provident_withdrawals": provident_withdrawals,
        "properties": properties,
        "incomes": incomes,
        "school_districts": [dict(row) for row in SCHOOL_DISTRICTS],
        "birth_certificates": birth_certificates,
    }
