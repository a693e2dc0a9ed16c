"""GB 11643 identity numbers for tests: the check character computed here from the standard's formula, not by the
code under test, and the population of numbers a real city has (codes older or younger than their holders).

Import ``id_number`` (also re-exported by ``tests.factories``) for a valid number, ``with_check`` to complete any
17 characters (an impossible date, an unknown code) with the right check character, ``wrong_check`` for a typo.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

# GB 11643-1999 §5.2: weight of position i (1-based, from the left) is 2^(18-i) mod 11; the check value
# (12 - sum mod 11) mod 11, with 10 written X.
_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]


def check_character(body17: str) -> str:
    value = (12 - sum(int(c) * w for c, w in zip(body17, _WEIGHTS, strict=True)) % 11) % 11
    return "X" if value == 10 else str(value)


def with_check(body17: str) -> str:
    """Any 17 digits completed with their right check character (e.g. ``99019919900101001`` or a 31 February)."""
    return body17 + check_character(body17)


def id_number(region: str, birth: dt.date, seq: int) -> str:
    """A GB 11643 resident ID number with a correct check character (odd ``seq``: a man, even: a woman)."""
    return with_check(f"{region}{birth:%Y%m%d}{seq:03d}")


def wrong_check(number: str) -> str:
    """The same number with another check character: what a mistyped digit looks like."""
    right = number[-1]
    return number[:-1] + ("0" if right != "0" else "1")


# Codes introduced by GB/T 2260 after many of their holders were born (the number keeps the code of the county of
# first registration, for life): Zhengzhou's urban districts (1983), Haikou's 龙华/琼山/美兰 (2002), Jincheng 城区
# (1985). And the birth years of the residents a birth-year check refuses.
ZHENGZHOU_1983 = ["410102", "410103", "410104", "410105", "410106"]  # 中原 二七 管城 金水 上街
HAIKOU_2002 = ["460106", "460107", "460108"]  # 龙华 琼山 美兰
JINCHENG_1985 = ["140502"]  # 城区
LIFETIME_GROUPS: dict[str, tuple[list[str], range]] = {
    "4101xx born 1940-1982": (ZHENGZHOU_1983, range(1940, 1983)),
    "460106-8 born 1950-2001": (HAIKOU_2002, range(1950, 2002)),
    "140502 born 1940-1984": (JINCHENG_1985, range(1940, 1985)),
}
# Codes GB/T 2260 has dropped since: 荥阳县 (→ 荥阳市 410182 in 1994), 郑州 金海区 (1983-1987), 崇文区 (Beijing,
# merged into 东城区 in 2010), 通什市 (Hainan, renamed 五指山市 in 2001), 商水县 under 周口地区 (→ 411623 in 2000; the
# example of python-stdnum issue #442).
RETIRED = ["410121", "410111", "110103", "460001", "412723"]


def lifetime_sample() -> Iterator[tuple[str, str]]:
    """(group, number) for every code of :data:`LIFETIME_GROUPS` and year: three birthdays a year (1 January, 30 June,
    31 December) with a man's, a woman's and the last sequence number."""
    for group, (codes, years) in LIFETIME_GROUPS.items():
        for code in codes:
            for year in years:
                for birth, seq in ((dt.date(year, 1, 1), 11), (dt.date(year, 6, 30), 22), (dt.date(year, 12, 31), 999)):
                    yield group, id_number(code, birth, seq)
