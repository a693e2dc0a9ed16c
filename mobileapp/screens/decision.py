"""The decision (秒办 result) after a submission or a face check: payout, school, waitlist number, review under way —
or the failed rule in plain words with a way to ask a clerk (the block is ``screens/outcome.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from mobileapp import ui
from mobileapp.api import Case
from mobileapp.screens.base import Screen
from mobileapp.screens.outcome import decision_card

if TYPE_CHECKING:
    from mobileapp.app import App


class DecisionScreen(Screen):
    tab = "cases"

    def __init__(self, app: App, case: Case) -> None:
        super().__init__(app)
        self.case = case  # as the submission or the face check returned it: complete, nothing to load

    def title(self) -> str:
        return self.t("step.result")

    def build(self) -> list[ft.Control]:
        return decision_card(self, self.case)

    def footer(self) -> ft.Control:
        look = self.look
        return ft.Row(
            [
                ui.button(look, self.t("decision.home"), self.handler(self.app.switch_tab, "home"), kind="ghost"),
                ui.button(look, self.t("decision.view_case"), self.handler(self.open_case), identifier="view_case"),
            ],
            spacing=10,
        )

    async def open_case(self) -> None:
        await self.app.go("case", case_id=self.case["id"], back_to="cases")  # back from the case: "my cases"
