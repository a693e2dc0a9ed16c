"""城乡居民医保参保 Resident medical insurance enrolment of a newborn (医疗保障局), the second step of 新生儿出生一件事.

The rule on when cover starts (:func:`coverage_start`): 国家医保局、财政部、国家税务总局《关于做好2023年城乡居民基本
医疗保障工作的通知》(医保发〔2023〕24号) has a newborn enrolled within 90 days of birth covered from the day of birth
(自出生之日起享受待遇). For a later enrolment the notice leaves the date to the provinces; we choose the first day of
the month after the enrolment, the common local rule (no waiting period beyond that for a child). Both numbers are
service settings (``newborn_days``), so a deployment follows its province.

Instant (即办): the rules decide at once and the effect writes the enrolment; the year's contribution is then paid
through the tax bureau's channels like every resident's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from backend.cases.sdk import (
    CERTIFICATE_NO_SCHEMA,
    Case,
    Check,
    Context,
    DataUse,
    GenericOutcome,
    Mode,
    Row,
    Rule,
    ServiceModule,
    Text,
    certificate_known,
    enrol_medical_insurance,
    failed,
    mask_name,
    names_applicant,
    not_applicable,
    passed,
    registered_child,
)

CODE = "medical-insurance-enrolment"
SCHEME = "resident"  # 城乡居民基本医疗保险
SCHEME_LABEL = Text("城乡居民基本医疗保险", "Resident basic medical insurance")


def coverage_start(birth_date: dt.date, today: dt.date, newborn_days: int = 90) -> dt.date:
    """Enrolled within ``newborn_days`` of birth (the day of birth + 90 is still within): covered from birth;
    later: from the first day of the next month."""
    if (today - birth_date).days <= newborn_days:
        return birth_date
    return dt.date(today.year + today.month // 12, today.month % 12 + 1, 1)


def is_registered(ctx: Context) -> Check:
    if ctx.birth_certificate(str(ctx.form.get("certificate_no", ""))) is None:
        return not_applicable()
    child = registered_child(ctx)
    return passed(id_number=child.id_number_masked) if child else failed()


def not_enrolled(ctx: Context) -> Check:
    child = registered_child(ctx)
    if child is None:
        return not_applicable()
    active = [e for e in ctx.item("medical_insurance.children") if e.resident_id == child.pk and e.status == "active"]
    if active:
        return failed(scheme=active[0].get_scheme_display(), coverage_start=active[0].coverage_start)
    return passed()


def newborn_window(ctx: Context) -> Check:
    """Never refuses: says whether the enrolment is within the newborn window, and the cover it gives."""
    child = registered_child(ctx)
    if child is None:
        return not_applicable()
    days: int = ctx.service.setting("newborn_days")
    start = coverage_start(child.birth_date, ctx.today, days)
    within = (ctx.today - child.birth_date).days <= days
    return passed(birth_date=child.birth_date, within_newborn_days=within, coverage_start=start)


class NewbornMedicalInsurance(ServiceModule):
    code = CODE
    name = Text("新生儿城乡居民医保参保", "Newborn medical insurance enrolment")
    department = "medical_insurance"
    category = Text("医疗保障", "Medical insurance")
    mode = Mode.INSTANT
    time_limit_days = 0
    summary = Text(
        "为已登记户籍的新生儿办理城乡居民医保参保登记：出生90天内参保的，自出生之日起享受医保待遇。",
        "Enrol your registered newborn in resident medical insurance: enrolled within 90 days of birth, the child "
        "is covered from the day of birth.",
    )
    steps = [
        Text("填写出生医学证明编号（可自动带出）", "Enter the birth certificate number (prefilled)"),
        Text("授权调取出生医学证明和参保信息", "Allow us to read the certificate and insurance records"),
        Text("即时完成参保登记", "Enrolled at once"),
    ]
    data = [
        DataUse("health.birth_certificates", Text("核对出生医学证明及父母信息", "Check the certificate and parents")),
        DataUse("medical_insurance.children", Text("确认新生儿尚未参保", "Check the child is not insured yet")),
    ]
    form = {
        "type": "object",
        "required": ["certificate_no"],
        "properties": {"certificate_no": CERTIFICATE_NO_SCHEMA},
        "additionalProperties": False,
    }
    keywords = ["医保", "参保", "新生儿", "城乡居民医保", "medical insurance", "newborn"]
    settings = {"newborn_days": 90}

    def clean(self, form: dict[str, Any]) -> dict[str, Any]:
        return {**form, "certificate_no": form["certificate_no"].strip().upper()}

    def discovery_forms(self, ctx: Context) -> list[dict[str, Any]]:
        registered = [c for c in ctx.item("health.birth_certificates") if c.child_id is not None]
        return [{"certificate_no": c.certificate_no} for c in registered] or [{}]

    def rules(self, ctx: Context) -> list[Rule]:
        return [
            Rule(
                "unknown_certificate",
                Text("出生医学证明编号有效", "The birth certificate number exists"),
                certificate_known,
                Text("未查询到该出生医学证明，请核对编号（字母加9位数字）。", "No certificate has this number."),
            ),
            Rule(
                "not_parent",
                Text("申请人是出生医学证明上的父亲或母亲", "You are the mother or father on the certificate"),
                names_applicant,
                Text("出生医学证明上的父母不是您本人，请由新生儿父母申请。", "Only the child's parents may apply."),
            ),
            Rule(
                "not_registered",
                Text("新生儿已登记户籍（有公民身份号码）", "The child is registered (has an ID number)"),
                is_registered,
                Text(
                    "新生儿尚未办理出生登记，请先办理新生儿入户。",
                    "The child is not registered yet: register the birth first.",
                ),
            ),
            Rule(
                "already_enrolled",
                Text("新生儿尚未参加基本医疗保险", "The child is not insured yet"),
                not_enrolled,
                Text("该新生儿已参加基本医疗保险，无需重复参保。", "The child is already insured."),
            ),
            Rule(
                "newborn_window",
                Text("出生90天内参保自出生之日起享受待遇", "Enrolled within 90 days: covered from birth"),
                newborn_window,
                Text("参保时间核对未通过。", "The enrolment date could not be checked."),
            ),
        ]

    def execute(self, ctx: Context, case: Case) -> GenericOutcome:
        child = registered_child(ctx)
        assert child is not None  # the rules passed on this context just before
        start = coverage_start(child.birth_date, ctx.today, self.setting("newborn_days"))
        enrolment = enrol_medical_insurance(ctx, case, child, scheme=SCHEME, coverage_start=start)
        return GenericOutcome(
            [
                Row(Text("参保人", "Insured"), mask_name(child.name)),
                Row(Text("险种", "Scheme"), SCHEME_LABEL),
                Row(Text("待遇起始日期", "Covered from"), enrolment.coverage_start.isoformat()),
                Row(Text("参保登记日期", "Enrolled on"), enrolment.enrolled_date.isoformat()),
                Row(
                    Text("缴费", "Contribution"),
                    Text(
                        "请通过税务缴费渠道缴纳当年度个人缴费。",
                        "Pay this year's contribution through the tax bureau's channels.",
                    ),
                ),
            ],
            type="medical_insurance_enrolment",
            values={
                "scheme": SCHEME,
                "coverage_start": enrolment.coverage_start.isoformat(),
                "enrolled_date": enrolment.enrolled_date.isoformat(),
            },
        )


service = NewbornMedicalInsurance()
