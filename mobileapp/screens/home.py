"""Home: search, elder-mode switch, quick entries, services the resident qualifies for, notices."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import flet as ft

from mobileapp import ui
from mobileapp.api import ApiError, NotAvailable, Offer, Service
from mobileapp.controllers.catalogue import CatalogueController
from mobileapp.controllers.notifications import NotificationsController
from mobileapp.controllers.offers import OffersController
from mobileapp.formats import short_date
from mobileapp.screens.base import Screen
from mobileapp.screens.common import service_tile

if TYPE_CHECKING:
    from mobileapp.app import App


def elder_toggle(screen: Screen, *, on_dark: bool) -> ft.Control:
    """The elder-mode switch (identifier ``elder_mode``): a chip on the home header."""
    look = screen.look
    on = screen.state.elder_mode

    async def toggle(e: Any = None) -> None:
        await screen.state.set_elder_mode(not on)

    fg = "#FFFFFF" if on_dark else look.primary
    return ui.with_id(
        "elder_mode",
        ft.Container(
            content=ft.Row(
                [
                    ft.Icon(ft.Icons.ELDERLY if not on else ft.Icons.CHECK_CIRCLE, color=fg, size=look.icon(18)),
                    ui.text(look, screen.t("home.elder"), 13, color=fg, weight=ft.FontWeight.BOLD),
                ],
                spacing=4,
                tight=True,
            ),
            padding=ft.Padding.symmetric(horizontal=12, vertical=8),
            height=ui.target_height(look),
            alignment=ft.Alignment.CENTER,
            border=ft.Border.all(1.5, fg),
            border_radius=20,
            bgcolor="#33FFFFFF" if on else None,
            on_click=toggle,
            ink=True,
        ),
        button=True,
        toggled=on,
    )


class HomeScreen(Screen):
    tab = "home"
    root = True

    def __init__(self, app: App) -> None:
        super().__init__(app)
        self.catalogue = CatalogueController(self.api)
        self.inbox = NotificationsController(self.api)
        self.popular: list[Service] = []
        self.eligible: list[Service] = []
        self.offers = OffersController(self.api)
        self.catalogue_error: ApiError | None = None
        self.query = ""

    def title(self) -> str:
        return self.t("app.name")

    async def load(self) -> None:
        async def services() -> None:
            try:
                self.popular = await self.catalogue.load()
                if self.state.real_name_verified:
                    self.eligible = await self.catalogue.load_eligible()
                    await self.offers.load()
            except NotAvailable:
                self.catalogue_error = None
                self.popular, self.eligible = [], []
            except ApiError as exc:
                if exc.status == 401:
                    raise
                self.catalogue_error = exc

        async def notices() -> None:
            await self.inbox.load()
            self.state.unread = self.inbox.unread

        await asyncio.gather(self.state.refresh_profile(), services(), notices())

    # ---- drawing ------------------------------------------------------------------------------------------------

    def hero(self) -> ft.Control:
        look = self.look
        profile = self.state.profile
        name = profile["name"] if profile and self.state.real_name_verified else self.t("home.guest")
        search = ui.text_field(
            look,
            "",
            value=self.query,
            hint=self.t("home.search"),
            prefix_icon=ft.Icons.SEARCH,
            on_change=self._set_query,
            on_submit=self.handler(self.search),
            identifier="service_search",
        )
        return ft.Container(
            content=ft.Column(
                [
                    ft.Row(
                        [
                            ft.Icon(ft.Icons.LOCATION_ON, color="#FFFFFF", size=look.icon(18)),
                            ui.text(look, self.t("app.city"), 14, color="#FFFFFF"),
                            ft.Container(expand=True),
                            elder_toggle(self, on_dark=True),
                        ],
                        spacing=4,
                    ),
                    ui.text(look, self.t("app.name"), 24, weight=ft.FontWeight.BOLD, color="#FFFFFF"),
                    ui.text(look, self.t("home.greeting", name=name), 14, color=look.on_primary_muted),
                    ft.Container(content=search, border_radius=12),
                ],
                spacing=8,
            ),
            gradient=ft.LinearGradient(
                colors=[look.primary_dark, look.primary], begin=ft.Alignment.TOP_LEFT, end=ft.Alignment.BOTTOM_RIGHT
            ),
            padding=ft.Padding.only(left=look.pad, right=look.pad, top=20, bottom=18),
        )

    def _set_query(self, e: Any) -> None:
        self.query = e.control.value or ""

    async def search(self) -> None:
        await self.app.go("search", query=self.query.strip())

    def build(self) -> list[ft.Control]:
        look = self.look
        out: list[ft.Control] = []
        if not self.state.real_name_verified:
            out.append(
                ui.banner(
                    look,
                    self.t("home.realname_banner"),
                    kind="warning",
                    action_label=self.t("home.realname_go"),
                    on_action=self.handler(self.open_real_name),
                    icon=ft.Icons.VERIFIED_USER_OUTLINED,
                )
            )
        if waiting := self.offers.open:  # 免申即享: what the city found for the resident comes first
            out.append(
                ui.card(
                    look,
                    ft.Row(
                        [
                            ft.Icon(ft.Icons.CARD_GIFTCARD, color=look.primary, size=look.icon(24)),
                            ui.text(
                                look,
                                self.t("offers.home", n=len(waiting)),
                                16,
                                weight=ft.FontWeight.BOLD,
                                expand=True,
                            ),
                            ft.Icon(ft.Icons.CHEVRON_RIGHT, color=look.text3, size=look.icon(22)),
                        ],
                        spacing=10,
                    ),
                    on_click=self.handler(self.open_offers, waiting),
                    identifier="home_offers",
                    bgcolor=look.primary_soft,
                )
            )
        out.append(self._quick_grid())
        if not look.elder:
            out.append(
                ui.card(
                    look,
                    ft.Row(
                        [
                            ft.Icon(ft.Icons.BOLT, color=look.warning, size=22),
                            ui.text(look, self.t("home.zero_material"), 14, color=look.text2, expand=True),
                        ],
                        spacing=8,
                    ),
                    padding=12,
                    bgcolor="#FFF8EE",
                )
            )
        if self.catalogue_error is not None:
            out.append(
                ui.banner(
                    look,
                    self.catalogue_error.message,
                    action_label=self.t("action.retry"),
                    on_action=self.handler(self.reload),
                )
            )
        limit = look.list_limit
        if self.state.real_name_verified:
            body: list[ft.Control] = [
                service_tile(self, s, self.handler(self.open_service, s["code"])) for s in self.eligible[:limit]
            ] or [ui.text(look, self.t("catalogue.empty"), 14, color=look.text3)]
            out.append(ui.section(look, self.t("home.eligible"), body))
        eligible_codes = {s["code"] for s in self.eligible}
        popular = [s for s in self.popular if s["code"] not in eligible_codes][: max(2, limit - len(self.eligible))]
        if popular:
            out.append(
                ui.section(
                    look,
                    self.t("home.popular"),
                    [service_tile(self, s, self.handler(self.open_service, s["code"])) for s in popular],
                    trailing=self._link(self.t("action.view_all"), self.handler(self.app.switch_tab, "services")),
                )
            )
        out.append(self._notices())
        return out

    def _link(self, label: str, on_click: ui.Handler) -> ft.Control:
        return ft.Container(
            content=ui.text(self.look, label, 14, color=self.look.primary),
            on_click=on_click,
            padding=ft.Padding.symmetric(horizontal=8, vertical=6),
            height=ui.target_height(self.look),
            alignment=ft.Alignment.CENTER,
        )

    def _quick_grid(self) -> ft.Control:
        look = self.look
        entries = [
            ("quick_cases", ft.Icons.ASSIGNMENT_OUTLINED, "#1F6FEB", "home.quick.cases", self.open_cases),
            ("quick_certs", ft.Icons.BADGE_OUTLINED, "#0E9F6E", "home.quick.certs", self.open_certs),
            (
                "quick_appointments",
                ft.Icons.EVENT_AVAILABLE_OUTLINED,
                "#7B61FF",
                "home.quick.appointments",
                self.open_appointments,
            ),
            ("quick_report", ft.Icons.PHOTO_CAMERA_OUTLINED, "#E37318", "home.quick.report", self.open_report),
        ]
        cols = look.grid_columns
        tiles = []
        for ident, icon, color, key, fn in entries:
            tiles.append(
                ui.with_id(
                    ident,
                    ft.Container(
                        content=ft.Column(
                            [
                                ft.Container(
                                    content=ft.Icon(icon, color="#FFFFFF", size=look.icon(24)),
                                    width=look.icon(44),
                                    height=look.icon(44),
                                    bgcolor=color,
                                    border_radius=look.icon(14),
                                    alignment=ft.Alignment.CENTER,
                                ),
                                ui.text(look, self.t(key), 13, color=look.text, max_lines=1),
                            ],
                            horizontal_alignment=ft.CrossAxisAlignment.CENTER,
                            spacing=6,
                        ),
                        col={"xs": 12 // cols},
                        on_click=self.handler(fn),
                        padding=ft.Padding.symmetric(vertical=8),
                        border_radius=look.radius,
                        ink=True,
                    ),
                    button=True,
                )
            )
        return ui.card(look, ft.ResponsiveRow(tiles, columns=12, spacing=4, run_spacing=8), padding=10)

    def _notices(self) -> ft.Control:
        look = self.look
        items = self.inbox.items[: max(2, look.list_limit - 3)]
        rows: list[ft.Control] = []
        for n in items:
            rows.append(
                ft.Row(
                    [
                        ft.Container(
                            width=8,
                            height=8,
                            border_radius=4,
                            bgcolor=look.danger if not n["read"] else look.border,
                        ),
                        ui.text(look, n["title"], 14, max_lines=1, expand=True),
                        ui.text(look, short_date(n["created_at"]), 12, color=look.text3),
                    ],
                    spacing=8,
                )
            )
        if not rows:
            rows.append(ui.text(look, self.t("home.no_notices"), 14, color=look.text3))
        return ui.section(
            look,
            self.t("home.notices"),
            [ui.card(look, ft.Column(rows, spacing=12), on_click=self.handler(self.open_notices))],
            trailing=self._link(self.t("action.more"), self.handler(self.open_notices)),
        )

    # ---- navigation ------------------------------------------------------------------------------------------------

    async def reload(self) -> None:
        await self.app.open(self)

    async def open_offers(self, waiting: list[Offer]) -> None:
        """One offer: straight to it; several: the list."""
        if len(waiting) == 1:
            await self.app.go("offer", offer_id=waiting[0]["id"])
        else:
            await self.app.go("offers")

    async def open_service(self, code: str) -> None:
        await self.app.go("service", code=code)

    async def open_real_name(self) -> None:
        await self.app.go("real_name")

    async def open_cases(self) -> None:
        await self.app.switch_tab("cases")

    async def open_certs(self) -> None:
        await self.app.go("certificates")

    async def open_appointments(self) -> None:
        await self.app.go("appointments")

    async def open_report(self) -> None:
        await self.app.switch_tab("events")

    async def open_notices(self) -> None:
        await self.app.go("notifications")
