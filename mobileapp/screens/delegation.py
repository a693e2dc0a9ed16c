"""我的 → 亲情代办: invite a family member, answer an invitation with one's own face, end a mandate, and switch
"acting for" (the API client then sends ``X-Acting-For`` on catalogue, case and face-check calls)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from mobileapp import ui
from mobileapp.api import Mandate
from mobileapp.controllers.delegation import DelegationController
from mobileapp.formats import short_datetime
from mobileapp.screens.base import Screen

if TYPE_CHECKING:
    from mobileapp.app import App


class DelegationScreen(Screen):
    tab = "me"

    def __init__(self, app: App) -> None:
        super().__init__(app)
        self.ctrl = DelegationController(self.api)
        self.phone = ""
        self.busy = False

    def title(self) -> str:
        return self.t("delegation.title")

    async def load(self) -> None:
        await self.ctrl.load()

    def _status(self, mandate: Mandate) -> str:
        return self.t(f"delegation.status.{mandate['status']}")

    def _scope(self, mandate: Mandate) -> str:
        scope = mandate["scope"]
        return self.t("delegation.scope_all") if scope == ["all"] else "、".join(scope)

    def _row(self, mandate: Mandate, who: str, buttons: list[ft.Control]) -> ft.Control:
        look = self.look
        person = mandate[who]  # type: ignore[literal-required]
        lines: list[ft.Control] = [
            ft.Row(
                [
                    ui.text(look, f"{person['name']} {person['phone']}", 16, weight=ft.FontWeight.BOLD, expand=True),
                    ui.text(look, self._status(mandate), 13, color=look.text3),
                ],
                spacing=8,
            ),
            ui.text(look, self.t("delegation.scope", scope=self._scope(mandate)), 13, color=look.text2),
            ui.text(look, self.t("delegation.until", date=short_datetime(mandate["ends_at"])), 13, color=look.text3),
        ]
        if buttons:
            lines.append(ft.Row(buttons, spacing=8))
        return ui.card(look, ft.Column(lines, spacing=4), identifier=f"mandate_{mandate['id']}")

    def build(self) -> list[ft.Control]:
        look = self.look
        out: list[ft.Control] = []
        acting = self.ctrl.acting  # said on every screen by the shell's "acting for" banner (mobileapp/app.py)
        if self.ctrl.error is not None:
            out.append(ui.banner(look, self.ctrl.error.message or self.t("delegation.face_failed"), kind="warning"))
        out.append(ui.text(look, self.t("delegation.intro"), 14, color=look.text3))
        held: list[ft.Control] = []
        for mandate in self.ctrl.mandates["as_delegate"]:
            buttons: list[ft.Control] = []
            if mandate["status"] == "invited":
                buttons = [
                    ui.button(
                        look,
                        self.t("delegation.accept"),
                        self.handler(self.accept, mandate["id"]),
                        identifier=f"delegation_accept_{mandate['id']}",
                        busy=self.busy,
                    ),
                    ui.button(
                        look, self.t("delegation.decline"), self.handler(self.decline, mandate["id"]), kind="ghost"
                    ),
                ]
            elif mandate["status"] == "active":
                switch_on = acting is not None and acting["id"] == mandate["id"]
                buttons = [
                    ui.button(
                        look,
                        self.t("delegation.act_off") if switch_on else self.t("delegation.act_on"),
                        self.handler(self.switch, None if switch_on else mandate["id"]),
                        identifier=f"delegation_act_{mandate['id']}",
                        kind="secondary" if switch_on else "primary",
                    ),
                    ui.button(look, self.t("delegation.end"), self.handler(self.end, mandate["id"]), kind="danger"),
                ]
            held.append(self._row(mandate, "principal", buttons))
        out.append(
            ui.section(
                look,
                self.t("delegation.as_delegate"),
                held or [ui.empty(look, self.t("delegation.none"), ft.Icons.FAMILY_RESTROOM)],
            )
        )
        given: list[ft.Control] = []
        for mandate in self.ctrl.mandates["as_principal"]:
            ending: list[ft.Control] = []
            if mandate["status"] in ("invited", "active"):
                ending = [
                    ui.button(look, self.t("delegation.end"), self.handler(self.end, mandate["id"]), kind="danger")
                ]
            given.append(self._row(mandate, "delegate", ending))
        invite = ui.card(
            look,
            ft.Column(
                [
                    ui.text_field(
                        look,
                        self.t("delegation.phone"),
                        value=self.phone,
                        on_change=self._set_phone,
                        identifier="delegation_phone",
                        max_length=20,
                    ),
                    ui.button(
                        look,
                        self.t("delegation.invite"),
                        self.handler(self.invite),
                        identifier="delegation_invite",
                        busy=self.busy,
                    ),
                ],
                spacing=look.gap,
            ),
        )
        out.append(ui.section(look, self.t("delegation.as_principal"), [*given, invite]))
        return out

    def _set_phone(self, e: Any) -> None:
        self.phone = e.control.value or ""

    async def invite(self) -> None:
        if self.busy or not self.phone.strip():
            return
        self.busy = True
        self.render()
        try:
            if await self.ctrl.invite(self.phone) is not None:
                self.phone = ""
                self.notice = ("success", self.t("delegation.invited"))
        finally:
            self.busy = False
        self.render()

    async def accept(self, mandate_id: int) -> None:
        if self.busy:
            return
        photos = await self.app.photos.pick()
        if not photos:
            return
        name, data = photos[0]
        self.busy = True
        self.render()
        try:
            if await self.ctrl.accept(mandate_id, data, name) is not None:
                self.notice = ("success", self.t("delegation.accepted"))
        finally:
            self.busy = False
        self.render()

    async def decline(self, mandate_id: int) -> None:
        await self.ctrl.decline(mandate_id)
        self.render()

    async def end(self, mandate_id: int) -> None:
        await self.ctrl.end(mandate_id)
        self.render()

    async def switch(self, mandate_id: int | None) -> None:
        self.ctrl.act_for(mandate_id)
        self.render()
