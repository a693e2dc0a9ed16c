"""社保卡申领 Social security card for a newborn (人力资源和社会保障局), the last step of 新生儿出生一件事.

A card is issued to an insured person: the child must hold an active medical insurance enrolment (the card is the
insured person's medical insurance card too), and no card that is active or being made (挂失 cards do not count:
a lost card is replaced by a new one). Instant: the rules decide at once, the effect creates the card in status
制卡中 with a new card number, and the card is mailed to the applicant's registered address or collected at a
partner bank's branch (the applicant's choice, ``delivery``; mail when not given).
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
    issue_social_security_card,
    mask_account,
    mask_name,
    names_applicant,
    not_applicable,
    passed,
    registered_child,
)

CODE = "social-security-card"
DELIVERY = {
    "mail": Text("邮寄到户籍地址", "Mailed to your registered address"),
    "branch": Text(
        "到合作银行网点领取（携带户口簿）", "Collect at a partner bank branch (bring the household register)"
    ),
}


def is_registered(ctx: Context) -> Check:
    if ctx.birth_certificate(str(ctx.form.get("certificate_no", ""))) is None:
        return not_applicable()
    child = registered_child(ctx)
    return passed(id_number=child.id_number_masked) if child else failed()


def is_insured(ctx: Context) -> Check:
    child = registered_child(ctx)
    if child is None:
        return not_applicable()
    active = [e for e in ctx.item("medical_insurance.children") if e.resident_id == child.pk and e.status == "active"]
    if not active:
        return failed()
    return passed(scheme=active[0].get_scheme_display(), coverage_start=active[0].coverage_start)


def no_card_in_use(ctx: Context) -> Check:
    child = registered_child(ctx)
    if child is None:
        return not_applicable()
    cards = ctx.item("social_security.children_cards")
    in_use = [c for c in cards if c.resident_id == child.pk and c.status in {"active", "issuing"}]
    if in_use:
        return failed(card_no=mask_account(in_use[0].card_no), status=in_use[0].get_status_display())
    return passed()


class SocialSecurityCard(ServiceModule):
    code = CODE
    name = Text("新生儿社保卡申领", "Newborn social security card")
    department = "social_security"
    category = Text("社会保障", "Social security")
    mode = Mode.INSTANT
    time_limit_days = 0
    summary = Text(
        "为已参加医保的新生儿申领社会保障卡：即时受理，制卡后邮寄到户籍地址或到合作银行网点领取。",
        "Apply for your insured newborn's social security card: made at once, then mailed to your registered "
        "address or collected at a partner bank branch.",
    )
    steps = [
        Text("填写出生医学证明编号（可自动带出）", "Enter the birth certificate number (prefilled)"),
        Text("选择领卡方式", "Choose how the card reaches you"),
        Text("授权调取参保和社保卡信息", "Allow us to read the insurance and card records"),
        Text("即时受理，开始制卡", "Accepted at once; the card is being made"),
    ]
    data = [
        DataUse("health.birth_certificates", Text("核对出生医学证明及父母信息", "Check the certificate and parents")),
        DataUse("medical_insurance.children", Text("确认新生儿已参保", "Check the child is insured")),
        DataUse("social_security.children_cards", Text("确认新生儿没有在用社保卡", "Check the child has no card")),
    ]
    form = {
        "type": "object",
        "required": ["certificate_no"],
        "properties": {
            "certificate_no": CERTIFICATE_NO_SCHEMA,
            "delivery": {"type": "string", "enum": list(DELIVERY), "title": "领卡方式 Delivery"},
        },
        "additionalProperties": False,
    }
    keywords = ["社保卡", "社会保障卡", "新生儿", "social security card", "newborn"]

    def clean(self, form: dict[str, Any]) -> dict[str, Any]:
        return {
            **form,
            "certificate_no": form["certificate_no"].strip().upper(),
            "delivery": form.get("delivery") or "mail",
        }

    def discovery_forms(self, ctx: Context) -> list[dict[str, Any]]:
        registered = [c for c in ctx.item("health.birth_certificates") if c.child_id is not None]
        return [{"certificate_no": c.certificate_no, "delivery": "mail"} for c in registered] or [{}]

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
                "not_insured",
                Text("新生儿已参加基本医疗保险", "The child is insured"),
                is_insured,
                Text("新生儿尚未参加医保，请先办理医保参保。", "The child is not insured yet: enrol first."),
            ),
            Rule(
                "card_already_active",
                Text("新生儿没有正常使用或制作中的社保卡", "The child has no card in use or being made"),
                no_card_in_use,
                Text("该新生儿已有社保卡（正常或制卡中），无需重复申领。", "The child already has a card."),
            ),
        ]

    def execute(self, ctx: Context, case: Case) -> GenericOutcome:
        child = registered_child(ctx)
        assert child is not None  # the rules passed on this context just before
        delivery = str(ctx.form.get("delivery") or "mail")
        card = issue_social_security_card(ctx, case, child, delivery=delivery)
        where = DELIVERY[delivery]
        return GenericOutcome(
            [
                Row(Text("持卡人", "Cardholder"), mask_name(child.name)),
                Row(Text("社保卡卡号", "Card number"), mask_account(card.card_no)),
                Row(Text("制卡状态", "Status"), Text("制卡中", "Being made")),
                Row(Text("领卡方式", "Delivery"), where),
                Row(Text("预计", "Expected"), Text("约10个工作日制卡完成", "Ready in about 10 working days")),
            ],
            type="social_security_card",
            values={"card_no_masked": mask_account(card.card_no), "status": card.status, "delivery": delivery},
        )


service = SocialSecurityCard()
