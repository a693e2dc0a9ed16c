"""The decision block (秒办 result), shared by the decision screen and the case detail: the outcome rows of
:func:`mobileapp.decisions.describe_decision` (the server's ``decision_rows``), or the failed rule in plain words
with a way to ask a clerk."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from mobileapp import ui
from mobileapp.api import Case
from mobileapp.decisions import describe_decision, failed_rules, rule_text
from mobileapp.formats import short_date

if TYPE_CHECKING:
    from mobileapp.screens.base import Screen


HEADLINE_ICONS = {
    "approved": (ft.Icons.CHECK_CIRCLE, "success"),
    "rejected": (ft.Icons.CANCEL, "danger"),
    "revoked": (ft.Icons.CANCEL, "danger"),
    "in_review": (ft.Icons.HOURGLASS_TOP, "primary"),
    "pending_face": (ft.Icons.FACE, "warning"),
    "returned": (ft.Icons.ASSIGNMENT_RETURN, "warning"),
    "withdrawn": (ft.Icons.UNDO, "text3"),
}


def decision_card(screen: Screen, case: Case, *, big: bool = True) -> list[ft.Control]:
    """The outcome block, shared by the decision screen and the case detail."""
    look = screen.look
    view = describe_decision(case, screen.state.language)
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
    head.append(ui.text(look, case["service_name"], 15, color=look.text2))
    head.append(ui.text(look, f"{screen.t('decision.reference')} {case['reference_no']}", 13, color=look.text3))
    rows: list[ft.Control] = []
    for index, (label, value) in enumerate(view.rows):
        first = index == 0  # the result itself (amount, school, number): emphasised, as on a paper decision
        rows.append(
            ui.kv(look, label, value, bold=first, value_color=look.success if first and status == "approved" else None)
        )
    body: list[ft.Control] = [
        ft.Column(head, horizontal_alignment=ft.CrossAxisAlignment.CENTER, spacing=6),
    ]
    if rows:
        body.append(ui.divider(look))
        body.extend(rows)
    if status == "in_review" and case["due_at"]:
        body.append(ui.banner(look, screen.t("decision.review_note", due=short_date(case["due_at"])), kind="info"))
    if status == "approved" and case["mode"] == "commitment":
        body.append(ui.banner(look, screen.t("decision.post_check"), kind="info"))
    out.append(ui.card(look, ft.Column(body, spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)))
    if status in ("rejected", "revoked"):
        out.append(rejection_card(screen, case, view.reason))
    return out


def rejection_card(screen: Screen, case: Case, reason: str) -> ft.Control:
    look = screen.look
    lines: list[ft.Control] = [ui.title(look, screen.t("decision.reason"), 16)]
    if reason:
        lines.append(ui.text(look, reason, 16, color=look.danger))
    for rule in failed_rules(case["rule_trace"]):
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
    department = case["department"]
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
        await screen.app.go("appointments", service=case["service"])

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
