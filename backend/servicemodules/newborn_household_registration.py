"""新生儿入户 Newborn household registration (出生登记): the public security bureau registers a newborn in a parent's
household, the first step of 新生儿出生一件事.

The law and the practice it follows:

* 《中华人民共和国户口登记条例》第七条: a birth is declared (申报出生登记) to the household registration authority
  within one month of the birth. A later declaration is still registered (国办发〔2015〕96号: no one may be refused
  a household registration), but a police officer checks it more closely; here the rule ``registration_window``
  therefore never refuses, it records how late the declaration is, and the clerk sees it in the trace.
* The child may be registered with either parent (随父随母落户, 公安部 1998); the applicant is the parent who applies,
  and the child joins the applicant's household.
* Every registration is reviewed by a public-security clerk (Mode review, 5 working days, the usual promise of
  郑州's 派出所 for an online declaration), who checks the birth medical certificate against the hospital's record.
* On approval the child gets a newly assigned 公民身份号码 (GB 11643: the county code of the household, the birth
  date, a sequence code odd for boys and even for girls, the check character), through the SDK's
  :func:`register_newborn`.
"""

from __future__ import annotations

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
    failed,
    has_other_case,
    lock_birth_certificate,
    mask_name,
    names_applicant,
    not_applicable,
    passed,
    register_newborn,
)

CODE = "newborn-household-registration"

#: 郑州's county-level codes (GB/T 2260) by district name: the address code a newborn's number gets. 郑东新区 is a
#: functional zone without a code of its own; its households are numbered under 金水区's here (a deployment sets
#: its own table in ``YIWANG_SERVICE_SETTINGS``).
ZHENGZHOU_ADDRESS_CODES: dict[str, str] = {
    "中原区": "410102",
    "二七区": "410103",
    "管城回族区": "410104",
    "金水区": "410105",
    "上街区": "410106",
    "惠济区": "410108",
    "郑东新区": "410105",
    "中牟县": "410122",
    "巩义市": "410181",
    "荥阳市": "410182",
    "新密市": "410183",
    "新郑市": "410184",
    "登封市": "410185",
}


def _certificate(ctx: Context) -> Any:
    return ctx.birth_certificate(str(ctx.form.get("certificate_no", "")))


def not_yet_registered(ctx: Context) -> Check:
    certificate = _certificate(ctx)
    if certificate is None:
        return not_applicable()
    if certificate.child_id is not None:
        return failed(registered_id_number=certificate.child.id_number_masked)
    return passed()


def no_other_application(ctx: Context) -> Check:
    certificate = _certificate(ctx)
    if certificate is None:
        return not_applicable()
    other = has_other_case(ctx, CODE, form__certificate_no=certificate.certificate_no)
    return failed() if other else passed()


def household_in_city(ctx: Context) -> Check:
    household = ctx.item("household.address")
    code = address_code(ctx, household["district"])
    if code is None:
        return failed(district=household["district"])
    return passed(district=household["district"], household_id=household["household_id"], address_code=code)


def address_code(ctx: Context, district: str) -> str | None:
    """The county code a child registered in ``district`` gets (the service's ``address_codes`` setting)."""
    codes: dict[str, str] = ctx.service.setting("address_codes")
    return codes.get(district)


def registration_window(ctx: Context) -> Check:
    """Never refuses (a late declaration is still registered); records the days since birth and lateness."""
    certificate = _certificate(ctx)
    if certificate is None:
        return not_applicable()
    days = (ctx.today - certificate.birth_date).days
    limit: int = ctx.service.setting("declaration_days")
    values = {"birth_date": certificate.birth_date, "days_since_birth": days, "declaration_days": limit}
    if days <= limit:
        return passed(**values, late=False)
    note = Text(
        f"出生后{days}天申报，已超过{limit}天申报期限，请民警重点核查出生医学证明。",
        f"Declared {days} days after birth, after the {limit}-day period: check the certificate closely.",
    )
    return Check(True, {**values, "late": True}, note)


class NewbornHouseholdRegistration(ServiceModule):
    code = CODE
    name = Text("新生儿入户", "Newborn household registration")
    department = "public_security"
    category = Text("户籍", "Household registration")
    mode = Mode.REVIEW
    time_limit_days = 5
    summary = Text(
        "凭出生医学证明为新生儿申报出生登记，随父或随母落户，公安机关5个工作日内审核，通过后分配公民身份号码。",
        "Register your newborn in your household with the birth medical certificate; the police review it within "
        "5 working days and assign the child's ID number.",
    )
    steps = [
        Text("填写出生医学证明编号（可自动带出）", "Enter the birth certificate number (prefilled)"),
        Text("授权调取出生医学证明和户籍信息", "Allow us to read the certificate and your household record"),
        Text("公安机关审核", "The police review it"),
        Text("登记入户，分配公民身份号码", "The child is registered and gets an ID number"),
    ]
    data = [
        DataUse("health.birth_certificates", Text("核对出生医学证明及父母信息", "Check the certificate and parents")),
        DataUse("household.address", Text("确定落户地址和户号", "The household the child joins")),
    ]
    form = {
        "type": "object",
        "required": ["certificate_no"],
        "properties": {"certificate_no": CERTIFICATE_NO_SCHEMA},
        "additionalProperties": False,
    }
    certificate_title = Text("出生登记（入户）证明", "Birth registration certificate")
    keywords = ["新生儿", "入户", "出生登记", "落户", "户口", "newborn", "birth", "household"]
    settings = {"address_codes": ZHENGZHOU_ADDRESS_CODES, "declaration_days": 30}

    def clean(self, form: dict[str, Any]) -> dict[str, Any]:
        return {**form, "certificate_no": form["certificate_no"].strip().upper()}

    def discovery_forms(self, ctx: Context) -> list[dict[str, Any]]:
        unregistered = [c for c in ctx.item("health.birth_certificates") if c.child_id is None]
        return [{"certificate_no": c.certificate_no} for c in unregistered] or [{}]

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
                "already_registered",
                Text("新生儿尚未登记户籍", "The child is not registered yet"),
                not_yet_registered,
                Text("该新生儿已办理出生登记，无需重复申请。", "This child is already registered."),
            ),
            Rule(
                "duplicate_application",
                Text("该新生儿没有其他入户申请", "No other registration application for this child"),
                no_other_application,
                Text("该新生儿已有入户申请正在办理。", "This child's registration is already being processed."),
            ),
            Rule(
                "household_not_in_city",
                Text("申请人户籍在本市", "Your household is registered in this city"),
                household_in_city,
                Text(
                    "您的户籍所在区县不在本市，请向户籍所在地公安机关申报。",
                    "Your household is not in this city; declare the birth where it is registered.",
                ),
            ),
            Rule(
                "registration_window",
                Text("出生后一个月内申报（逾期仍可登记，需核查）", "Declared within a month (later: checked closely)"),
                registration_window,
                Text("出生登记申报期限核对未通过。", "The declaration period could not be checked."),
            ),
        ]

    def propose(self, ctx: Context) -> dict[str, Any]:
        certificate = _certificate(ctx)
        household = ctx.item("household.address")
        return {
            "child_name": mask_name(certificate.child_name),
            "household_id": household["household_id"],
            "district": household["district"],
            "address_code": address_code(ctx, household["district"]),
            "late": (ctx.today - certificate.birth_date).days > self.setting("declaration_days"),
        }

    def lock(self, ctx: Context) -> None:
        lock_birth_certificate(ctx, str(ctx.form.get("certificate_no", "")))

    def execute(self, ctx: Context, case: Case) -> GenericOutcome:
        certificate = _certificate(ctx)
        household = ctx.item("household.address")
        code = address_code(ctx, household["district"]) or ""
        child = register_newborn(ctx, case, certificate, address_code=code)
        return GenericOutcome(
            [
                Row(Text("新生儿姓名", "Child"), mask_name(child.name)),
                Row(Text("公民身份号码", "ID number"), child.id_number_masked),
                Row(Text("户号", "Household number"), child.household_id),
                Row(Text("登记日期", "Registered on"), ctx.today.isoformat()),
                Row(
                    Text("说明", "Note"),
                    Text(
                        "完整身份号码已登记在户口簿上，可到派出所打印户口簿内页。",
                        "The full number is on the household register; a police station prints its page.",
                    ),
                ),
            ],
            type="household_registration",
            values={
                "child_name": mask_name(child.name),
                "id_number_masked": child.id_number_masked,
                "household_id": child.household_id,
                "registered_on": ctx.today.isoformat(),
            },
        )


service = NewbornHouseholdRegistration()
