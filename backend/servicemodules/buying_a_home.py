"""购房一件事 Buying a first home: one application for the deed-tax subsidy (housing), the provident fund withdrawal
for the purchase (provident fund centre) and the school catchment check of the new home (education). The rules
are the members' own; the bundle only says that the withdrawal is for the purchase (so the resident is asked the
amount alone) and that the catchment check follows the deed-tax subsidy (which confirms the home as the family's
first home)."""

from __future__ import annotations

from backend.cases.sdk import Member, ServiceBundle, Text


class BuyingAHome(ServiceBundle):
    code = "buying-a-home"
    name = Text("购房一件事", "Buying a first home")
    category = Text("住房", "Housing")
    summary = Text(
        "买了首套房，一次申请、一次授权、一次刷脸：契税补贴、公积金购房提取和新房学区核验一起办，各部门结果统一告知。",
        "Bought your first home? Apply once, consent once, one face check: the deed-tax subsidy, the provident "
        "fund withdrawal for the purchase and the school catchment check of the new home, with one result.",
    )
    members = [
        Member("deed-tax-subsidy"),
        Member("provident-fund-withdrawal", fixed={"reason": "purchase"}),
        Member("school-district-check", after=("deed-tax-subsidy",)),
    ]
    keywords = ["购房", "买房", "首套房", "一件事", "契税", "公积金", "学区", "home", "purchase"]


bundle = BuyingAHome()
