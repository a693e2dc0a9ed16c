"""高龄津贴 Senior allowance: a monthly allowance for residents aged 80 and over, by age band; 免申即享.

Rates: the defaults are Zhengzhou's published bands for the 高龄津贴 of the city's registered residents (郑州市民政局:
80–89 周岁每人每月 100 元, 90–99 周岁 200 元, 100 周岁及以上 500 元). They are ``settings`` of this service, so a
deployment sets the current notice's figures (``YIWANG_SERVICE_SETTINGS["senior-allowance"]["monthly_rates"]``)
without touching the code; check them against the city's current notice before going live.

Nobody has to apply: the city's scan (``Proactive``) finds everyone in the household registry who is 80 or older —
also the day after someone turns 80 — and offers it once per person; the elder (or a family member acting for
them, 亲情代办) confirms, and the case is decided at once: the first twelve monthly instalments, renewed each year
after the annual check that the person is alive (年度认证, outside this module). Only the household registry is
read: age and 户籍 are all the rules need, so no bank or income data is touched.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from backend.cases.sdk import (
    Case,
    Check,
    Context,
    DataUse,
    Mode,
    Proactive,
    Q,
    Rule,
    ServiceModule,
    SubsidySchedule,
    Text,
    failed,
    format_yuan,
    has_other_case,
    passed,
    years_between,
)

CODE = "senior-allowance"
MIN_AGE = 80
MONTHS = 12
#: (minimum age, yuan per month), highest band first; Zhengzhou's bands (see the module docstring).
DEFAULT_RATES = [[100, "500.00"], [90, "200.00"], [80, "100.00"]]


def years_ago(today: dt.date, years: int) -> dt.date:
    """The birthday ``years`` ago (29 February falls back to the 28th in a common year)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def candidates(today: dt.date) -> Q:
    """Everyone in the household registry born on or before today 80 years ago."""
    return Q(birth_date__lte=years_ago(today, MIN_AGE))


def first_of_next_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


class SeniorAllowance(ServiceModule):
    code = CODE
    name = Text("高龄津贴", "Senior allowance")
    department = "civil_affairs"
    category = Text("养老", "Elderly care")
    mode = Mode.INSTANT
    time_limit_days = 0
    requires_principal_presence = False  # a family member may confirm it for an elder (亲情代办)
    summary = Text(
        "本市户籍80周岁以上老人按月领取高龄津贴（80–89岁每月100元，90–99岁200元，100岁以上500元）。"
        "免申即享：无需申请，确认即可领取。",
        "Registered residents aged 80 and over receive a monthly allowance (100 yuan at 80–89, 200 at 90–99, "
        "500 from 100). No application needed: confirm and it is paid.",
    )
    steps = [
        Text("系统根据户籍信息主动推送", "The city finds you in the household registry"),
        Text("确认领取", "Confirm"),
        Text("按月发放", "Paid monthly"),
    ]
    data = [DataUse("household.identity", Text("核对年龄和本市户籍", "Your age and registered residence"))]
    keywords = ["高龄", "津贴", "老人", "养老", "senior", "elderly", "allowance"]
    settings = {"monthly_rates": DEFAULT_RATES}
    proactive = Proactive(candidates=candidates, period="once")

    def monthly(self, age: int) -> Decimal:
        for minimum, amount in sorted(self.setting("monthly_rates"), key=lambda band: -int(band[0])):
            if age >= int(minimum):
                return Decimal(str(amount)).quantize(Decimal("0.01"))
        return Decimal("0.00")

    def age_check(self, ctx: Context) -> Check:
        person = ctx.item("household.identity")
        age = years_between(person.birth_date, ctx.today)
        if age < MIN_AGE:
            return failed(age=age)
        ctx.scratch["age"] = age
        return passed(age=age, monthly_amount=self.monthly(age))

    def first_allowance(self, ctx: Context) -> Check:
        if has_other_case(ctx, CODE, including_approved=True, resident=ctx.resident):
            return failed()
        return passed()

    def rules(self, ctx: Context) -> list[Rule]:
        return [
            Rule(
                "under_age",
                Text("年满80周岁", "Aged 80 or over"),
                self.age_check,
                Text("高龄津贴发放给年满80周岁的老人。", "The allowance is for residents aged 80 and over."),
            ),
            Rule(
                "duplicate_application",
                Text("未在领取高龄津贴", "Not receiving the allowance yet"),
                self.first_allowance,
                Text("您已在领取或申请高龄津贴。", "You already receive or applied for the allowance."),
            ),
        ]

    def propose(self, ctx: Context) -> dict[str, Any]:
        return {"monthly_amount": format_yuan(self.monthly(ctx.scratch["age"])), "months": MONTHS}

    def execute(self, ctx: Context, case: Case) -> SubsidySchedule:
        return SubsidySchedule(self.monthly(ctx.scratch["age"]), MONTHS, first_of_next_month(ctx.today))


service = SeniorAllowance()
