"""公租房申领 Public rental housing: reviewed by the housing bureau within 20 working days. DESIGN §3.7."""

from __future__ import annotations

from decimal import Decimal

from backend.cases.sdk import (
    Case,
    Check,
    Context,
    DataUse,
    Mode,
    Rule,
    ServiceModule,
    Text,
    WaitlistNumber,
    failed,
    has_other_case,
    next_number,
    passed,
)

CODE = "public-rental-housing"
INCOME_LIMIT = Decimal("2500.00")


def income_ok(ctx: Context) -> Check:
    income = ctx.item("income.household")
    if income is None:
        return failed(
            Text("未查询到家庭收入核定记录，请先到民政部门核定。", "No household income assessment is on file.")
        )
    values = {"monthly_income_per_capita": income.monthly_income_per_capita, "limit": INCOME_LIMIT}
    return passed(**values) if income.monthly_income_per_capita <= INCOME_LIMIT else failed(**values)


def no_property(ctx: Context) -> Check:
    owned = ctx.item("property.household")
    return passed(properties_owned=0) if not owned else failed(properties_owned=len(owned))


def no_open_application(ctx: Context) -> Check:
    return failed() if has_other_case(ctx, CODE, household_id=ctx.resident.household_id) else passed()


class PublicRentalHousing(ServiceModule):
    code = CODE
    name = Text("公租房申领", "Public rental housing")
    department = "housing"
    category = Text("住房", "Housing")
    mode = Mode.REVIEW
    time_limit_days = 20
    summary = Text(
        "低收入无房家庭申请公共租赁住房：系统核验收入和房产，住房保障局20个工作日内审核，通过后获得轮候号。",
        "Low-income households without a home apply for public rental housing; reviewed within 20 working "
        "days, approval gives a waitlist number.",
    )
    steps = [
        Text("授权调取家庭收入和房产信息", "Allow us to read household income and property records"),
        Text("系统预审", "Automatic pre-check"),
        Text("住房保障局审核", "Review by the housing bureau"),
        Text("获得轮候号", "Waitlist number"),
    ]
    data = [
        DataUse("income.household", Text("核对家庭人均月收入", "Household income per capita")),
        DataUse("property.household", Text("核对家庭成员名下住房", "Homes owned by household members")),
    ]
    certificate_title = Text("公租房轮候登记凭证", "Public rental housing waitlist certificate")
    keywords = ["公租房", "租房", "保障房", "rental", "housing"]

    def rules(self, ctx: Context) -> list[Rule]:
        return [
            Rule(
                "income_too_high",
                Text("家庭人均月收入不超过2500元", "Income per capita at most 2500.00 a month"),
                income_ok,
                Text("家庭人均月收入超过2500元，不符合申请条件。", "Household income is above 2500.00 per capita."),
            ),
            Rule(
                "owns_property",
                Text("家庭成员名下均无住房", "No household member owns a home"),
                no_property,
                Text("家庭成员名下有住房，不符合申请条件。", "A household member owns a home."),
            ),
            Rule(
                "duplicate_application",
                Text("本户没有正在办理的申请", "No open application in the household"),
                no_open_application,
                Text("您家已有一份正在办理的公租房申请。", "Your household already has an open application."),
            ),
        ]

    def execute(self, ctx: Context, case: Case) -> WaitlistNumber:
        return WaitlistNumber(next_number(f"waitlist:{CODE}"))


service = PublicRentalHousing()
