"""契税补贴 Deed-tax subsidy for a first home: instant, after a face check. DESIGN §3.7.

免申即享: the city offers it when a first-home purchase is registered (the scan's prefilter: an owner of a first
home bought within the window with deed tax paid); one offer per home, confirmed with a face check."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from backend.cases.sdk import (
    Case,
    Check,
    Context,
    DataUse,
    Mode,
    Payout,
    Proactive,
    Property,
    Q,
    Rule,
    ServiceModule,
    Text,
    claim_once,
    claimed_properties,
    failed,
    format_yuan,
    not_applicable,
    passed,
    record_payout,
    within_last,
)

CODE = "deed-tax-subsidy"
RATE = Decimal("0.50")
CAP = Decimal("20000.00")
WINDOW_DAYS = 365


def _eligible(ctx: Context) -> list[Property]:
    return [
        p
        for p in ctx.item("property.owned")
        if p.first_home and p.deed_tax_paid > 0 and within_last(p.purchase_date, ctx.today, WINDOW_DAYS)
    ]


def eligible_property(ctx: Context) -> Check:
    props = _eligible(ctx)
    if not props:
        return failed(properties_owned=len(ctx.item("property.owned")))
    return passed(purchase_date=props[0].purchase_date, deed_tax_paid=props[0].deed_tax_paid, first_home=True)


def not_claimed(ctx: Context) -> Check:
    props = _eligible(ctx)
    if not props:
        return not_applicable()
    claimed = claimed_properties(CODE, props)
    open_props = [p for p in props if p.pk not in claimed]
    if not open_props:
        return failed(claimed=len(claimed))
    ctx.scratch["property"] = open_props[0]
    return passed(claimed=0)


def subsidy(prop: Property) -> Decimal:
    return min((prop.deed_tax_paid * RATE).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), CAP)


def candidates(today: dt.date) -> Q:
    """Owners of a first home bought within the window, deed tax paid (the rules decide the rest)."""
    return Q(
        properties__first_home=True,
        properties__deed_tax_paid__gt=0,
        properties__purchase_date__gt=today - dt.timedelta(days=WINDOW_DAYS),
        properties__purchase_date__lte=today,
    )


def period(ctx: Context) -> str:
    """One offer per home (the home the rules found unclaimed)."""
    return f"home:{ctx.scratch['property'].pk}"


class DeedTaxSubsidy(ServiceModule):
    code = CODE
    name = Text("契税补贴", "Deed-tax subsidy")
    department = "housing"
    category = Text("住房", "Housing")
    mode = Mode.INSTANT
    requires_face = True
    time_limit_days = 0
    summary = Text(
        "首套住房一年内购房，按已缴契税的50%发放补贴（最高2万元），免申即享，刷脸秒批。",
        "First home bought within a year: 50% of the deed tax paid back (at most 20,000 yuan), "
        "approved in seconds after a face check.",
    )
    steps = [
        Text("授权调取不动产登记和契税信息", "Allow us to read your property and deed-tax records"),
        Text("刷脸核验身份", "Face check"),
        Text("系统秒批，补贴到账", "Instant decision and payment"),
    ]
    data = [
        DataUse("property.owned", Text("核对首套房、购房日期和已缴契税", "First home, purchase date and deed tax")),
        DataUse("provident_fund.account", Text("确定补贴到账银行卡", "The bank card the subsidy is paid to")),
    ]
    keywords = ["契税", "补贴", "首套房", "deed", "tax", "subsidy"]
    proactive = Proactive(candidates=candidates, period=period)

    def rules(self, ctx: Context) -> list[Rule]:
        return [
            Rule(
                "no_eligible_property",
                Text("一年内购买首套住房并已缴契税", "A first home bought within a year, deed tax paid"),
                eligible_property,
                Text(
                    "未查询到近365天内购买、已缴契税的首套住房。",
                    "No first home bought in the last 365 days with deed tax paid was found.",
                ),
            ),
            Rule(
                "already_claimed",
                Text("该住房未领取过补贴", "No subsidy yet for this home"),
                not_claimed,
                Text("该住房已领取过契税补贴，每套住房只能领取一次。", "This home's subsidy has already been paid."),
            ),
        ]

    def propose(self, ctx: Context) -> dict[str, Any]:
        return {"amount": format_yuan(subsidy(ctx.scratch["property"]))}

    def execute(self, ctx: Context, case: Case) -> Payout:
        prop = ctx.scratch["property"]
        claim_once(case, prop, self.rules(ctx)[1].fail_message)
        account = ctx.item("provident_fund.account")
        bank_card = account.bank_card if account else ""
        amount = subsidy(prop)
        return record_payout(case, amount, bank_card)


service = DeedTaxSubsidy()
