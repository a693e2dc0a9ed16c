"""The decision (秒办 result): payout, school, waitlist number, review under way — or the failed rule in plain
words with a way to ask a clerk."""

from __future__ import annotations

from typing import Any

import flet as ft

from mobileapp import ui
from mobileapp.app import Screen
from mobileapp.screens.common import service_name
from mobileapp.state import describe_decision, failed_rules, label_of, rule_text, short_date

HEADLINE_ICONS = {
    "approved": (ft.Icons.CHECK_CIRCLE, "success"),
    "rejected": (ft.Icons.CANCEL, "danger"),
    "revoked": (ft.Icons.CANCEL, "danger"),
    "in_review": (ft.Icons.HOURGLASS_TOP, "primary"),
    "pending_face": (ft.Icons.FACE, "warning"),
    "returned": (ft.Icons.ASSIGNMENT_RETURN, "warning"),
    "withdrawn": (ft.Icons.UNDO, "text3"),
}


def decision_card(screen: Screen, case: dict[str, Any], *, big: bool = True) -> list[ft.Control]:
    """The outcome block, shared by the decision screen and the case detail."""
    look = screen.look
    view = describe_decision(case)
    status = view.status
    icon, color_name = HEADLINE_ICONS.get(status, (ft.Icons.INFO, "primary"))
    color = getattr(look, color_name)
    out: list[ft.Control] = []
    head: list[ft.Control] = []
    if big:
        head.append(ft.Icon(icon, size=look.icon(72), color=color))
    head.append(
        ui.with_id(
            "case_status",
            ui.text(look, screen.t(view.headline_key), 24 if big else 20, weight=ft.FontWeight.BOLD, color=color),
        )
    )
    head.append(ui.text(look, service_name(case), 15, color=look.text2))
    head.append(ui.text(look, f"{screen.t('decision.reference')} {case.get('reference_no', '')}", 13, color=look.text3))
    rows: list[ft.Control] = []
    for key, value in view.rows:
        if key == "decision.months":
            value = screen.t("decision.months_value", n=value)
        rows.append(
            ui.kv(
                look,
                screen.t(key),
                value,
                bold=key in ("decision.payout", "decision.school", "decision.waitlist", "decision.monthly"),
                value_color=look.success if key == "decision.payout" else None,
            )
        )
    if view.certificate:
        rows.append(ui.kv(look, screen.t("decision.certificate"), "✓", value_color=look.success))
    body: list[ft.Control] = [
        ft.Column(head, horizontal_alignment=ft.CrossAxisAlignment.CENTER, spacing=6),
    ]
    if rows:
        body.append(ui.divider(look))
        body.extend(rows)
    if status == "in_review" and case.get("due_at"):
        body.append(ui.banner(look, screen.t("decision.review_note", due=short_date(case.get("due_at"))), kind="info"))
    if status == "approved" and case.get("mode") == "commitment":
        body.append(ui.banner(look, screen.t("decision.post_check"), kind="info"))
    out.append(ui.card(look, ft.Column(body, spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)))
    if status in ("rejected", "revoked"):
        out.append(rejection_card(screen, case, view.reason))
    return out


def rejection_card(screen: Screen, case: dict[str, Any], reason: str) -> ft.Control:
    look = screen.look
    decision = case.get("decision") or {}
    lines: list[ft.Control] = [ui.title(look, screen.t("decision.reason"), 16)]
    if reason:
        lines.append(ui.text(look, reason, 16, color=look.danger))
    for rule in failed_rules(case.get("rule_trace") or decision.get("rule_trace") or decision.get("trace") or []):
        text = rule_text(rule)
        if text and text != reason:
            lines.append(
                ft.Row(
                    [
                        ft.Icon(ft.Icons.CLOSE, color=look.danger, size=look.icon(18)),
                        ui.text(look, text, 14, expand=True),
                    ],
                    spacing=6,
                    vertical_alignment=ft.CrossAxisAlignment.START,
                )
            )
    service = case.get("service")
    department = label_of(case.get("department") or (service.get("department") if isinstance(service, dict) else ""))
    lines.append(ui.divider(look))
    lines.append(
        ft.Row(
            [
                ft.Icon(ft.Icons.SUPPORT_AGENT, color=look.primary, size=look.icon(22)),
                ui.text(look, screen.t("decision.ask_clerk"), 15, weight=ft.FontWeight.BOLD, color=look.primary),
            ],
            spacing=8,
        )
    )
    lines.append(
        ui.text(
            look,
            screen.t("decision.ask_clerk_detail", department=department or screen.t("service.department")),
            14,
            color=look.text2,
        )
    )

    async def book(e: Any = None) -> None:
        from mobileapp.screens.events import AppointmentsScreen

        service_code = service.get("code") if isinstance(service, dict) else service
        await screen.app.go(AppointmentsScreen(screen.app, service=service_code))

    lines.append(
        ui.button(
            look,
            screen.t("home.quick.appointments"),
            book,
            kind="secondary",
            identifier="ask_clerk",
            icon=ft.Icons.EVENT_AVAILABLE,
        )
    )
    return ui.card(look, ft.Column(lines, spacing=10), border_color=look.danger if look.elder else None)


class DecisionScreen(Screen):
    tab = "cases"

    def __init__(self, app, case: dict[str, Any]) -> None:
        super().__init__(app)
        self.case = case

    def title(self) -> str:
        return self.t("step.result")

    async def load(self) -> None:
        if self.case.get("id") is not None and "timeline" not in self.case:
            self.case = await self.api.case(int(self.case["id"]))

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
        from mobileapp.screens.cases import CaseScreen, CasesScreen

        self.app.stack = [CasesScreen(self.app)]  # back from the case goes to "my cases"
        await self.app.go(CaseScreen(self.app, int(self.case["id"])))
