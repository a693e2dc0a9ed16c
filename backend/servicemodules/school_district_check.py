"""学区核验 School catchment check of a newly bought home: the education bureau confirms, within 5 working days,
which primary school's catchment the home lies in (the property registry gives the address, the bureau's
catchment registry the school). A member of 购房一件事 (buying_a_home.py)."""

from __future__ import annotations

from typing import Any

from backend.cases.sdk import (
    Assignment,
    Case,
    Check,
    Context,
    DataUse,
    Mode,
    Property,
    Rule,
    ServiceModule,
    Text,
    failed,
    has_other_case,
    mask_account,
    not_applicable,
    passed,
    within_last,
)

CODE = "school-district-check"
WINDOW_DAYS = 365


def _new_home(ctx: Context) -> Property | None:
    recent = [p for p in ctx.item("property.owned") if within_last(p.purchase_date, ctx.today, WINDOW_DAYS)]
    return recent[0] if recent else None


def _school(ctx: Context) -> str | None:
    home = _new_home(ctx)
    if home is None:
        return None
    found = [row for row in ctx.item("education.home_school_districts") if row["certificate_no"] == home.certificate_no]
    return found[0]["school"] if found else None


def has_new_home(ctx: Context) -> Check:
    home = _new_home(ctx)
    if home is None:
        return failed(window_days=WINDOW_DAYS)
    return passed(purchase_date=home.purchase_date, certificate_no=mask_account(home.certificate_no))


def in_catchment(ctx: Context) -> Check:
    home = _new_home(ctx)
    if home is None:
        return not_applicable()
    school = _school(ctx)
    return passed(school=school) if school else failed(district=home.district)


def first_check(ctx: Context) -> Check:
    return failed() if has_other_case(ctx, CODE, resident=ctx.resident) else passed()


class SchoolDistrictCheck(ServiceModule):
    code = CODE
    name = Text("学区核验", "School catchment check")
    department = "education"
    category = Text("教育", "Education")
    mode = Mode.REVIEW
    time_limit_days = 5
    summary = Text(
        "新购住房的对口小学学区核验：按不动产登记的房屋坐落匹配学区，教育局5个工作日内确认。",
        "Which primary school's catchment your newly bought home lies in: matched from the property registry "
        "and confirmed by the education bureau within 5 working days.",
    )
    steps = [
        Text("授权调取不动产登记和学区划分信息", "Allow us to read your property and catchment records"),
        Text("系统匹配新房对口学校", "The catchment school of the new home is matched"),
        Text("教育局审核确认", "The education bureau confirms"),
    ]
    data = [
        DataUse("property.owned", Text("确定近一年新购住房及其坐落", "The home you bought within a year")),
        DataUse("education.home_school_districts", Text("匹配新房对口学区", "The catchment school of that home")),
    ]
    keywords = ["学区", "学位", "新房", "购房", "school", "catchment"]

    def rules(self, ctx: Context) -> list[Rule]:
        return [
            Rule(
                "no_new_home",
                Text("近一年内购买了住房", "A home bought within the last year"),
                has_new_home,
                Text("未查询到您近365天内购买的住房。", "No home bought by you in the last 365 days was found."),
            ),
            Rule(
                "no_school_district",
                Text("新房坐落在学区范围内", "The new home lies in a school catchment"),
                in_catchment,
                Text("该住房暂未划入学区，请联系教育局。", "The home lies in no school catchment yet."),
            ),
            Rule(
                "duplicate_application",
                Text("没有其他在办的学区核验", "No other catchment check in progress"),
                first_check,
                Text("您已有一件在办的学区核验。", "You already have a catchment check in progress."),
            ),
        ]

    def assignment(self, ctx: Context) -> Assignment:
        return Assignment(
            place=_school(ctx) or "", place_label=Text("对口学区学校", "Catchment school"), place_key="school"
        )

    def propose(self, ctx: Context) -> dict[str, Any]:
        return self.assignment(ctx).as_dict()

    def execute(self, ctx: Context, case: Case) -> Assignment:
        return self.assignment(ctx)


service = SchoolDistrictCheck()
