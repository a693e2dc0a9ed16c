"""人才住房补贴 Talent housing subsidy: 告知承诺制 — approved on commitment, post-checked. DESIGN §3.7."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from backend.cases.sdk import (
    Case,
    Check,
    Context,
    DataUse,
    Mode,
    Rule,
    ServiceModule,
    SubsidySchedule,
    Text,
    failed,
    has_other_case,
    passed,
)

CODE = "talent-housing-subsidy"
MONTHLY = {"bachelor": Decimal("1000.00"), "master": Decimal("2000.00"), "doctor": Decimal("3000.00")}
MONTHS = 36


def committed(ctx: Context) -> Check:
    return passed(degree=ctx.form.get("degree"), employer=ctx.form.get("employer"))


def first_subsidy(ctx: Context) -> Check:
    return failed() if has_other_case(ctx, CODE, including_approved=True, resident=ctx.resident) else passed()


class TalentHousingSubsidy(ServiceModule):
    code = CODE
    name = Text("人才住房补贴", "Talent housing subsidy")
    department = "housing"
    category = Text("人才", "Talent")
    mode = Mode.COMMITMENT
    requires_face = True
    time_limit_days = 0
    post_check_days = 30
    summary = Text(
        "高校毕业生来郑就业，承诺学历和就业信息属实即可当场获批，按学历每月发放1000/2000/3000元，共36个月；"
        "住房保障局30日内核查，承诺不实将撤销。",
        "Graduates working in the city: approved on your commitment that degree and employer are true; "
        "1000/2000/3000 yuan a month for 36 months by degree; post-checked within 30 days.",
    )
    steps = [
        Text("填写学历和工作单位", "Enter your degree and employer"),
        Text("承诺信息真实", "Commit that the statements are true"),
        Text("刷脸核验身份", "Face check"),
        Text("当场获批，事后核查", "Approved at once, checked afterwards"),
    ]
    data = [DataUse("household.identity", Text("核对申请人身份", "Your identity"))]
    form = {
        "type": "object",
        "required": ["degree", "employer"],
        "properties": {
            "degree": {
                "type": "string",
                "enum": ["bachelor", "master", "doctor"],
                "title": "学历 Degree",
                "x-labels": {"bachelor": "本科 Bachelor", "master": "硕士 Master", "doctor": "博士 Doctor"},
            },
            "employer": {"type": "string", "minLength": 2, "maxLength": 100, "title": "工作单位 Employer"},
        },
        "additionalProperties": False,
    }
    certificate_title = Text("人才住房补贴资格确认书", "Talent housing subsidy confirmation")
    keywords = ["人才", "补贴", "毕业生", "talent", "graduate"]

    def clean(self, form: dict[str, Any]) -> dict[str, Any]:
        return {**form, "employer": form["employer"].strip()}

    def rules(self, ctx: Context) -> list[Rule]:
        ctx.item("household.identity")
        return [
            Rule(
                "commitment",
                Text("申请人承诺学历和就业信息真实", "You commit that degree and employer are true"),
                committed,
                Text("", ""),
            ),
            Rule(
                "duplicate_application",
                Text("未享受过人才住房补贴", "No talent housing subsidy yet"),
                first_subsidy,
                Text("您已在享受或申请人才住房补贴。", "You already receive or applied for this subsidy."),
            ),
        ]

    def execute(self, ctx: Context, case: Case) -> SubsidySchedule:
        return SubsidySchedule(MONTHLY[ctx.form["degree"]], MONTHS)


service = TalentHousingSubsidy()
