"""The service catalogue (办事大厅): search, by topic or by department."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from mobileapp import ui
from mobileapp.api import NotAvailable, Service
from mobileapp.controllers.catalogue import CatalogueController, GroupBy
from mobileapp.screens.base import Screen
from mobileapp.screens.common import bundle_tile, coming_soon, service_tile

if TYPE_CHECKING:
    from mobileapp.app import App


class CatalogueScreen(Screen):
    tab = "services"
    root = True

    def __init__(self, app: App, query: str = "") -> None:
        super().__init__(app)
        self.catalogue = CatalogueController(self.api)
        self.query = query
        self.group_by: GroupBy = "category"
        self.selected: str | None = None  # a group key, None = all
        self.unavailable = False

    def title(self) -> str:
        return self.t("catalogue.title")

    async def load(self) -> None:
        try:
            await self.catalogue.load(q=self.query)
            self.unavailable = False
        except NotAvailable:
            self.unavailable = True

    def build(self) -> list[ft.Control]:
        look = self.look
        out: list[ft.Control] = [
            ui.text_field(
                look,
                "",
                value=self.query,
                hint=self.t("home.search"),
                prefix_icon=ft.Icons.SEARCH,
                on_change=self._set_query,
                on_submit=self.handler(self.search),
                identifier="service_search",
            )
        ]
        if self.unavailable:
            out.append(coming_soon(self, ft.Icons.APPS))
            return out
        if self.catalogue.bundles:
            out.append(
                ui.section(
                    look,
                    self.t("catalogue.bundles"),
                    [bundle_tile(self, b, self.handler(self.open_bundle, b["code"])) for b in self.catalogue.bundles],
                )
            )
        out.append(self._group_switch())
        groups = self.catalogue.groups(self.group_by)
        if len(groups) > 1:
            out.append(self._chips(groups))
        if self.query:
            out.append(ui.text(look, self.t("catalogue.results", q=self.query), 14, color=look.text3))
        shown = [(key, label, items) for key, label, items in groups if self.selected is None or key == self.selected]
        if not shown:
            out.append(ui.empty(look, self.t("catalogue.empty"), ft.Icons.SEARCH_OFF))
        for _key, label, items in shown:
            out.append(
                ui.section(
                    look,
                    label or self.t("catalogue.all"),
                    [service_tile(self, s, self.handler(self.open_service, s["code"])) for s in items],
                )
            )
        return out

    def _group_switch(self) -> ft.Control:
        look = self.look
        parts = []
        groupings: list[tuple[GroupBy, str]] = [
            ("category", "catalogue.by_category"),
            ("department", "catalogue.by_department"),
        ]
        for key, label_key in groupings:
            active = key == self.group_by
            parts.append(
                ui.with_id(
                    f"group_by_{key}",
                    ft.Container(
                        content=ui.text(
                            look,
                            self.t(label_key),
                            15,
                            color="#FFFFFF" if active else look.text2,
                            weight=ft.FontWeight.BOLD if active else None,
                        ),
                        bgcolor=look.primary if active else None,
                        border_radius=look.touch / 2,
                        alignment=ft.Alignment.CENTER,
                        height=look.touch - 8 if not look.elder else look.touch,
                        expand=True,
                        on_click=self.handler(self.set_group, key),
                    ),
                    button=True,
                    selected=active,
                )
            )
        return ft.Container(
            content=ft.Row(parts, spacing=4),
            bgcolor=look.surface,
            border_radius=look.touch / 2,
            padding=4,
            border=ft.Border.all(look.border_width, look.border),
        )

    def _chips(self, groups: list[tuple[str, str, list[Service]]]) -> ft.Control:
        look = self.look
        chips: list[ft.Control] = []
        for key, label in [(None, self.t("catalogue.all")), *[(k, lbl) for k, lbl, _ in groups]]:
            active = key == self.selected
            chips.append(
                ft.Container(
                    content=ui.text(look, label, 13, color=look.primary if active else look.text2),
                    padding=ft.Padding.symmetric(horizontal=12, vertical=6),
                    height=ui.target_height(look),
                    alignment=ft.Alignment.CENTER,
                    border_radius=16,
                    bgcolor=look.primary_soft if active else look.surface,
                    border=ft.Border.all(1, look.primary if active else look.border),
                    on_click=self.handler(self.select, key),
                )
            )
        return ft.Row(chips, spacing=8, wrap=True, run_spacing=8)

    def _set_query(self, e: Any) -> None:
        self.query = e.control.value or ""

    async def search(self) -> None:
        self.query = self.query.strip()
        self.selected = None
        await self.app.open(self)

    async def set_group(self, key: GroupBy) -> None:
        self.group_by = key
        self.selected = None
        self.render()

    async def select(self, key: str | None) -> None:
        self.selected = key
        self.render()

    async def open_service(self, code: str) -> None:
        await self.app.go("service", code=code)

    async def open_bundle(self, code: str) -> None:
        await self.app.go("bundle", code=code)
