"""窗口核验身份: book an in-person identity check for a case whose face check the resident could not pass (or chose
not to do). The slots are the server's (the case's department's hall or a general one); after booking, the screen
shows when, where and what to bring."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from mobileapp import ui
from mobileapp.controllers.counter import CounterCheckController
from mobileapp.screens.base import Screen
from mobileapp.screens.common import booking_card, coming_soon, delegate_path, slot_list

if TYPE_CHECKING:
    from mobileapp.app import App


class CounterCheckScreen(Screen):
    tab = "cases"

    def __init__(self, app: App, case_id: int) -> None:
        super().__init__(app)
        self.ctrl = CounterCheckController(self.api, case_id)
        self.busy_slot: int | None = None

    def title(self) -> str:
        return self.t("counter.title")

    async def load(self) -> None:
        await self.ctrl.load()

    def build(self) -> list[ft.Control]:
        look = self.look
        if not self.ctrl.available:
            return [coming_soon(self, ft.Icons.EVENT_AVAILABLE)]
        out: list[ft.Control] = [ui.text(look, self.t("counter.intro"), 15, color=look.text2)]
        if self.ctrl.booking is not None:
            out.append(booking_card(self, self.ctrl.booking))
            return out
        out.extend(delegate_path(self, "counter_delegate"))  # the other way past the face check
        out.append(
            slot_list(
                self,
                self.ctrl.slots,
                self.book,
                busy=self.busy_slot,
                identifier="counter_slot_",
                empty=("counter_empty", "counter.empty"),
                with_service=False,  # the case's own service
            )
        )
        return out

    async def book(self, slot_id: int) -> None:
        if self.busy_slot is not None:
            return
        self.busy_slot = slot_id
        self.render()
        try:
            if await self.ctrl.book(slot_id) is not None:
                self.notice = ("success", self.t("counter.booked"))
        finally:
            self.busy_slot = None
        await self.app.open(self)
