"""公积金提取 Provident fund withdrawal (rent or purchase): instant, after a face check. DESIGN §3.7."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from backend.cases.sdk import (
    AMOUNT_SCHEMA,
    Case,
    Check,
    Context,
    DataUse,
    FormError,
    Mode,
    Money,
    Payout,
    ProvidentFundAccount,
    Rule,
    ServiceModule,
    Text,
    debit_provident_fund,
    failed,
    format_yuan,
    lock_provident_fund_account,
    mask_account,
    not_applicable,
    passed,
    record_payout,
    within_last,
    yuan,
)

RENT_LIMIT = Decimal("4500.00")
MIN_MONTHS = 3
RENT_INTERVAL_DAYS = 90
PURCHASE_WINDOW_DAYS = 365
REASONS = {"rent": Text("租房", "Rent"), "purchase": Text("购房", "Purchase")}


def _account(ctx: Context) -> ProvidentFundAccount | None:
    account: ProvidentFundAccount | None = ctx.item("provident_fund.account")
    return account


def _amount(ctx: Context) -> Money:
    return yuan(ctx.form.get("amount"))


def active(ctx: Context) -> Check:
    account = _account(ctx)
    if account is None:
        return failed(Text("未查询到您的公积金账户。", "No provident fund account was found for you."))
    if account.status != "active":
        return failed(status=account.status)
    return passed(status=account.status)


def contributed(ctx: Context) -> Check:
    account = _account(ctx)
    if account is None:
        return not_applicable()
    values: dict[str, Any] = {"months_contributed": account.months_contributed, "required": MIN_MONTHS}
    return passed(**values) if account.months_contributed >= MIN_MONTHS else failed(**values)


def owns_no_property(ctx: Context) -> Check:
    owned = ctx.item("property.owned")
    return passed(properties_owned=0) if not owned else failed(properties_owned=len(owned))


def not_too_frequent(ctx: Context) -> Check:
    recent = [
        w
        for w in ctx.item("provident_fund.withdrawals")
        if w.reason == "rent" and within_last(w.date, ctx.today, RENT_INTERVAL_DAYS)
    ]
    if recent:
        return failed(last_rent_withdrawal=recent[0].date, interval_days=RENT_INTERVAL_DAYS)
    rent = [w for w in ctx.item("provident_fund.withdrawals") if w.reason == "rent"]
    return passed(last_rent_withdrawal=rent[0].date if rent else None, interval_days=RENT_INTERVAL_DAYS)


def rent_amount(ctx: Context) -> Check:
    account = _account(ctx)
    if account is None:
        return not_applicable()
    amount = _amount(ctx)
    values: dict[str, Any] = {"amount": amount, "limit": RENT_LIMIT, "balance": account.balance}
    return passed(**values) if amount <= RENT_LIMIT and amount <= account.balance else failed(**values)


def _recent_purchase(ctx: Context) -> Any:
    recent = [p for p in ctx.item("property.owned") if within_last(p.purchase_date, ctx.today, PURCHASE_WINDOW_DAYS)]
    return recent[0] if recent else None


def recent_purchase(ctx: Context) -> Check:
    prop = _recent_purchase(ctx)
    if prop is None:
        return failed(window_days=PURCHASE_WINDOW_DAYS)
    return passed(purchase_date=prop.purchase_date, price=prop.price)


def purchase_amount(ctx: Context) -> Check:
    account, prop = _account(ctx), _recent_purchase(ctx)
    if account is None or prop is None:
        return not_applicable()
    amount = _amount(ctx)
    values = {"amount": amount, "balance": account.balance, "price": prop.price}
    return passed(**values) if amount <= account.balance and amount <= prop.price else failed(**values)


RULE_ACTIVE = Rule(
    "account_not_active",
    Text("公积金账户状态正常", "The provident fund account is active"),
    active,
    Text("您的公积金账户已冻结或销户，暂不能提取。", "Your provident fund account is frozen or closed."),
)
RENT_RULES = [
    Rule(
        "insufficient_contribution",
        Text("连续足额缴存满3个月", "Contributions for at least 3 months"),
        contributed,
        Text("连续缴存不满3个月，暂不能租房提取。", "Less than 3 months of contributions."),
    ),
    Rule(
        "owns_property",
        Text("本人名下无自有住房", "You own no home"),
        owns_no_property,
        Text("您名下有自有住房，不能办理租房提取。", "You own a home, so a rent withdrawal is not possible."),
    ),
    Rule(
        "too_frequent",
        Text("距上次租房提取已满90天", "90 days since the last rent withdrawal"),
        not_too_frequent,
        Text("90天内已办理过租房提取，请到期后再申请。", "You made a rent withdrawal within the last 90 days."),
    ),
    Rule(
        "amount_exceeds_limit",
        Text("金额不超过4500元且不超过余额", "Amount at most 4500.00 and the balance"),
        rent_amount,
        Text("提取金额超过单次4500元上限或账户余额。", "The amount exceeds 4500.00 or your balance."),
    ),
]
PURCHASE_RULES = [
    Rule(
        "no_recent_purchase",
        Text("近一年内购买了住房", "A home bought within the last year"),
        recent_purchase,
        Text("未查询到您近365天内购买的住房。", "No home bought by you in the last 365 days was found."),
    ),
    Rule(
        "amount_exceeds_limit",
        Text("金额不超过余额和房价", "Amount at most the balance and the price"),
        purchase_amount,
        Text("提取金额超过账户余额或房屋成交价。", "The amount exceeds your balance or the home's price."),
    ),
]


class ProvidentFundWithdrawal(ServiceModule):
    code = "provident-fund-withdrawal"
    name = Text("公积金提取", "Provident fund withdrawal")
    department = "provident_fund"
    category = Text("住房", "Housing")
    mode = Mode.INSTANT
    requires_face = True
    time_limit_days = 0
    summary = Text(
        "租房或购房提取住房公积金：系统核验账户和房产信息，刷脸后秒批，资金直达绑定银行卡。",
        "Withdraw provident fund savings for rent or a home purchase: checked against the registries, "
        "approved in seconds after a face check, paid to your bank card.",
    )
    steps = [
        Text("选择提取原因并填写金额", "Choose the reason and the amount"),
        Text("授权调取公积金和不动产信息", "Allow us to read your provident fund and property records"),
        Text("刷脸核验身份", "Face check"),
        Text("系统秒批，资金到账", "Instant decision and payment"),
    ]
    data = [
        DataUse(
            "provident_fund.account",
            Text("核对账户状态、余额、缴存月数和到账银行卡", "Account status, balance, months and bank card"),
        ),
        DataUse("provident_fund.withdrawals", Text("核对近期提取记录", "Recent withdrawals")),
        DataUse("property.owned", Text("核对名下住房（租房须无房，购房须近一年购房）", "Homes you own")),
    ]
    form = {
        "type": "object",
        "required": ["reason", "amount"],
        "properties": {
            "reason": {
                "type": "string",
                "enum": ["rent", "purchase"],
                "title": "提取原因 Reason",
                "x-labels": {"rent": "租房 Rent", "purchase": "购房 Purchase"},
            },
            "amount": AMOUNT_SCHEMA,
        },
        "additionalProperties": False,
    }
    keywords = ["公积金", "提取", "租房", "购房", "provident", "fund"]

    def clean(self, form: dict[str, Any]) -> dict[str, Any]:
        if yuan(form["amount"]) <= 0:
            raise FormError("amount", "must be greater than 0")
        return {**form, "amount": format_yuan(yuan(form["amount"]))}

    def discovery_forms(self, ctx: Context) -> list[dict[str, Any]]:
        return [{"reason": "rent", "amount": "0.01"}, {"reason": "purchase", "amount": "0.01"}]

    def rules(self, ctx: Context) -> list[Rule]:
        return [RULE_ACTIVE, *(RENT_RULES if ctx.form.get("reason") == "rent" else PURCHASE_RULES)]

    def lock(self, ctx: Context) -> None:
        lock_provident_fund_account(ctx)

    def propose(self, ctx: Context) -> dict[str, Any]:
        account = _account(ctx)
        if account is None:  # proposing runs only after RULE_ACTIVE passed, which needs the account
            raise RuntimeError("provident fund withdrawal proposed without an account")
        return {"amount": format_yuan(_amount(ctx)), "to_account_masked": mask_account(account.bank_card)}

    def execute(self, ctx: Context, case: Case) -> Payout:
        amount = _amount(ctx)
        account = debit_provident_fund(ctx, case, ctx.item("provident_fund.account"), amount, ctx.form["reason"])
        reason = ctx.form["reason"]
        return record_payout(case, amount, account.bank_card, reason=reason, reason_label=REASONS[reason])


service = ProvidentFundWithdrawal()
