"""免申即享: the offers the city made (我的 → 免申即享, or the home card), and one offer: what it gives, why the
resident qualifies (the rule trace), which department data the city used, and 确认领取 / 不需要."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from mobileapp import ui
from mobileapp.api import Offer
from mobileapp.controllers.offers import OfferController, OffersController, next_route
from mobileapp.formats import money, registry_value, short_datetime
from mobileapp.screens.base import Screen

if TYPE_CHECKING:
    from mobileapp.app import App


def proposal_rows(screen: Screen, proposal: dict[str, Any]) -> list[tuple[str, str]]:
    """What the offer gives, as (label, value): the seed keys in the app's words, any other key as sent."""
    t = screen.t
    rows: list[tuple[str, str]] = []
    if "amount" in proposal:
        rows.append((t("offers.amount"), money(proposal["amount"])))
    if "monthly_amount" in proposal:
        monthly = t("offers.per_month", amount=money(proposal["monthly_amount"]))
        if "months" in proposal:
            monthly += t("offers.for_months", months=proposal["months"])
        rows.append((t("offers.monthly"), monthly))
    for key, value in proposal.items():
        if key not in {"amount", "monthly_amount", "months"}:
            rows.append((key, str(value)))
    return rows


def offer_card(screen: Screen, offer: Offer, on_click: ui.Handler) -> ft.Control:
    """One offer in a list: the service, what it gives, its status."""
    look = screen.look
    open_offer = offer["status"] == "offered"
    lines: list[ft.Control] = [
        ft.Row(
            [
                ft.Icon(ft.Icons.CARD_GIFTCARD, color=look.primary, size=look.icon(22)),
                ui.text(look, offer["service_name"], 16, weight=ft.FontWeight.BOLD, expand=True),
                ui.tag(
                    look,
                    offer["status_label"],
                    look.success if open_offer else look.text3,
                    look.success_soft if open_offer else look.bg,
                ),
            ],
            spacing=8,
        )
    ]
    for label, value in proposal_rows(screen, offer["proposal"]):
        lines.append(ui.text(look, f"{label}：{value}", 14, color=look.text2))
    lines.append(ui.text(look, screen.t("offers.made", at=short_datetime(offer["created_at"])), 13, color=look.text3))
    return ui.card(look, ft.Column(lines, spacing=4), on_click=on_click, identifier=f"offer_{offer['id']}")


class OffersScreen(Screen):
    tab = "me"

    def __init__(self, app: App) -> None:
        super().__init__(app)
        self.ctrl = OffersController(self.api)

    def title(self) -> str:
        return self.t("offers.title")

    async def load(self) -> None:
        await self.ctrl.load()

    def build(self) -> list[ft.Control]:
        look = self.look
        out: list[ft.Control] = [ui.text(look, self.t("offers.intro"), 14, color=look.text3)]
        if not self.ctrl.items:
            out.append(ui.empty(look, self.t("offers.none"), ft.Icons.CARD_GIFTCARD))
        for offer in self.ctrl.items:
            out.append(offer_card(self, offer, self.handler(self.open, offer["id"])))
        return out

    async def open(self, offer_id: int) -> None:
        await self.app.go("offer", offer_id=offer_id)


class OfferScreen(Screen):
    tab = "me"

    def __init__(self, app: App, offer_id: int) -> None:
        super().__init__(app)
        self.ctrl = OfferController(self.api, offer_id)
        self.busy = False

    def title(self) -> str:
        return self.t("offers.one")

    async def load(self) -> None:
        await self.ctrl.load()

    def build(self) -> list[ft.Control]:
        look = self.look
        offer = self.ctrl.offer
        if offer is None:
            return []
        out: list[ft.Control] = []
        if self.ctrl.error is not None:
            out.append(ui.banner(look, self.ctrl.error.message, kind="warning"))
        what: list[ft.Control] = [
            ft.Row(
                [
                    ui.title(look, offer["service_name"], 20),
                    ui.tag(look, offer["status_label"], look.primary, look.primary_soft),
                ],
                spacing=8,
                wrap=True,
            ),
            ui.text(look, offer["summary"], 14, color=look.text2),
        ]
        what += [ui.kv(look, label, value, bold=True) for label, value in proposal_rows(self, offer["proposal"])]
        out.append(ui.card(look, ft.Column(what, spacing=8), identifier="offer_what"))

        why: list[ft.Control] = []
        for rule in offer["rule_trace"]:
            ok = rule["passed"] is not False
            lines: list[ft.Control] = [ui.text(look, rule["label"], 14)]
            if values := registry_value(rule["values"], self.state.language):  # the registry values it used
                lines.append(ui.text(look, values, 13, color=look.text3))
            why.append(
                ft.Row(
                    [
                        ft.Icon(
                            ft.Icons.CHECK_CIRCLE_OUTLINE if ok else ft.Icons.CANCEL_OUTLINED,
                            color=look.success if ok else look.danger,
                            size=look.icon(18),
                        ),
                        ft.Column(lines, spacing=2, expand=True),
                    ],
                    spacing=8,
                    vertical_alignment=ft.CrossAxisAlignment.START,
                )
            )
        out.append(ui.section(look, self.t("offers.why"), [ui.card(look, ft.Column(why, spacing=8))]))

        used: list[ft.Control] = [ui.text(look, self.t("offers.data_intro"), 13, color=look.text3)]
        for entry in offer["data_used"]:
            used.append(ui.kv(look, entry["department"], "、".join(entry["item_labels"])))
        out.append(ui.section(look, self.t("offers.data"), [ui.card(look, ft.Column(used, spacing=6))]))

        case = offer["case"]
        if case is not None:
            out.append(
                ui.card(
                    look,
                    ui.kv(look, self.t("offers.case"), f"{case['reference_no']} · {case['status_label']}"),
                    on_click=self.handler(self.open_case, case["id"]),
                    identifier="offer_case",
                )
            )
        if self.ctrl.can_answer:
            if offer["requires_face"]:
                out.append(ui.text(look, self.t("offers.face_needed"), 13, color=look.text3))
            out.append(
                ui.button(
                    look,
                    self.t("offers.confirm"),
                    self.handler(self.confirm),
                    identifier="offer_confirm",
                    busy=self.busy,
                    icon=ft.Icons.CHECK,
                )
            )
            out.append(
                ui.button(
                    look, self.t("offers.decline"), self.handler(self.decline), identifier="offer_decline", kind="ghost"
                )
            )
        return out

    async def confirm(self) -> None:
        if self.busy:  # a second tap while the first is on its way: the server would answer the same case anyway
            return
        self.busy = True
        self.render()
        try:
            case = await self.ctrl.confirm()
        finally:
            self.busy = False
        if case is None:
            self.render()
            return
        await self.app.go(next_route(case), case=case, replace=True)

    async def decline(self) -> None:
        await self.ctrl.decline()
        self.render()

    async def open_case(self, case_id: int) -> None:
        await self.app.go("case", case_id=case_id)
