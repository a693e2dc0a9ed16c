"""小学新生入学 Primary school enrolment: reviewed by the education bureau within 10 working days. DESIGN §3.7."""

from __future__ import annotations

import datetime as dt
from typing import Any

from backend.cases.sdk import (
    Assignment,
    Case,
    Check,
    Context,
    DataUse,
    FormError,
    InvalidIdNumber,
    Mode,
    Resident,
    Rule,
    ServiceModule,
    Text,
    failed,
    has_other_case,
    id_indexes,
    mask_name,
    not_applicable,
    passed,
    validate_id_number,
)

CODE = "primary-school-enrolment"


def enrolment_year(today: dt.date) -> int:
    """The year of the coming 1 September: this year up to 31 August, else the next."""
    return today.year if today <= dt.date(today.year, 8, 31) else today.year + 1


def age_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """Six years old on 31 August of the enrolment year Y: born 1 September Y−7 … 31 August Y−6."""
    year = enrolment_year(today)
    return dt.date(year - 7, 9, 1), dt.date(year - 6, 8, 31)


def _child(ctx: Context) -> Resident | None:
    indexes = set(id_indexes(str(ctx.form.get("child_id_number", ""))))
    return next((m for m in ctx.item("household.members") if m.id_number_index in indexes), None)


def in_household(ctx: Context) -> Check:
    child = _child(ctx)
    return passed(child=mask_name(child.name)) if child else failed()


def right_age(ctx: Context) -> Check:
    child = _child(ctx)
    if child is None:
        return not_applicable()
    first, last = age_window(ctx.today)
    values: dict[str, Any] = {"birth_date": child.birth_date, "born_from": first, "born_to": last}
    return passed(**values) if first <= child.birth_date <= last else failed(**values)


def has_school(ctx: Context) -> Check:
    district = ctx.item("education.school_district")
    return passed(school=district.school) if district else failed(district=ctx.item("household.address")["district"])


def first_application(ctx: Context) -> Check:
    number = str(ctx.form.get("child_id_number", ""))
    # subject_index is indexed with the service code: no scan of the forms
    duplicate = number and has_other_case(ctx, CODE, including_approved=True, subject_index__in=id_indexes(number))
    return failed() if duplicate else passed()


class PrimarySchoolEnrolment(ServiceModule):
    code = CODE
    name = Text("小学新生入学", "Primary school enrolment")
    department = "education"
    category = Text("教育", "Education")
    mode = Mode.REVIEW
    time_limit_days = 10
    summary = Text(
        "适龄儿童小学入学登记：按户籍地址自动匹配学区学校，房户一致为A类，教育局10个工作日内确认。",
        "Register a six-year-old for primary school: the school follows the household address "
        "(category A when you own the home you live in); confirmed within 10 working days.",
    )
    steps = [
        Text("填写孩子身份证号", "Enter the child's ID number"),
        Text("授权调取户籍、学区和房产信息", "Allow us to read household, catchment and property records"),
        Text("系统匹配学校和类别", "School and category are matched"),
        Text("教育局审核确认", "The education bureau confirms"),
    ]
    data = [
        DataUse("household.members", Text("确认孩子与您同户", "The child lives in your household")),
        DataUse("household.address", Text("按户籍地址确定学区", "Your household address decides the catchment")),
        DataUse("education.school_district", Text("匹配学区学校", "The catchment school")),
        DataUse("property.owned", Text("判断房户是否一致（A/B类）", "Whether you own the home (category A/B)")),
    ]
    form = {
        "type": "object",
        "required": ["child_id_number"],
        "properties": {
            "child_id_number": {
                "type": "string",
                "pattern": r"^\d{17}[\dXx]$",
                "title": "孩子身份证号 Child's ID",
                "x-identifier": "id_number",  # masked whenever the case is shown
            }
        },
        "additionalProperties": False,
    }
    certificate_title = Text("小学入学登记确认书", "Primary school enrolment confirmation")
    subject_field = "child_id_number"
    keywords = ["入学", "小学", "学区", "school", "enrolment"]

    def clean(self, form: dict[str, Any]) -> dict[str, Any]:
        """The child's number is checked like every identity number (a mistyped digit is a 400 on the field that
        says so, not a rejected case "not in your household"), and stored normalised."""
        try:
            number = validate_id_number(form["child_id_number"])
        except InvalidIdNumber as exc:
            raise FormError("child_id_number", str(exc.message)) from exc
        return {**form, "child_id_number": number}

    def discovery_forms(self, ctx: Context) -> list[dict[str, Any]]:
        return [{"child_id_number": member.id_number} for member in ctx.item("household.members")]

    def rules(self, ctx: Context) -> list[Rule]:
        return [
            Rule(
                "not_guardian",
                Text("孩子与您在同一户籍", "The child is in your household"),
                in_household,
                Text("该孩子不在您的户籍内，请由同户监护人申请。", "The child is not in your household."),
            ),
            Rule(
                "age_out_of_range",
                Text("入学当年8月31日满6周岁", "Six years old on 31 August"),
                right_age,
                Text("孩子不在本年度入学年龄范围内。", "The child is not of school age this year."),
            ),
            Rule(
                "no_school_district",
                Text("户籍地址在学区范围内", "The address is in a school catchment"),
                has_school,
                Text("您的户籍地址暂未划入学区，请联系教育局。", "Your address is in no school catchment."),
            ),
            Rule(
                "duplicate_application",
                Text("该孩子没有其他入学申请", "No other application for this child"),
                first_application,
                Text("该孩子已有入学申请。", "This child already has an application."),
            ),
        ]

    def assignment(self, ctx: Context) -> Assignment:
        """The school of the catchment; category A when the family owns the home it is registered at."""
        address = ctx.item("household.address")["address"]
        owns_home = any(p.address == address for p in ctx.item("property.owned"))
        return Assignment(
            place=ctx.item("education.school_district").school,
            category="A" if owns_home else "B",
            year=enrolment_year(ctx.today),
            place_label=Text("分配学校", "School"),
            place_key="school",
            year_key="enrolment_year",
        )

    def propose(self, ctx: Context) -> dict[str, Any]:
        return self.assignment(ctx).as_dict()

    def execute(self, ctx: Context, case: Case) -> Assignment:
        # The engine ran the rules and propose() on today's data just before: the same assignment the clerk saw.
        return self.assignment(ctx)


service = PrimarySchoolEnrolment()
