"""Pieces several screens share: a service tile, a case tile, mode tags."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from mobileapp import ui
from mobileapp.state import days_left, key_of, label_of, short_date

if TYPE_CHECKING:
    from mobileapp.app import Screen

_ICON_HINTS: list[tuple[str, ft.IconData, str]] = [
    ("provident", ft.Icons.SAVINGS_OUTLINED, "#1F6FEB"),
    ("fund", ft.Icons.SAVINGS_OUTLINED, "#1F6FEB"),
    ("school", ft.Icons.SCHOOL_OUTLINED, "#0E9F6E"),
    ("educat", ft.Icons.SCHOOL_OUTLINED, "#0E9F6E"),
    ("enrol", ft.Icons.SCHOOL_OUTLINED, "#0E9F6E"),
    ("rental", ft.Icons.APARTMENT_OUTLINED, "#E37318"),
    ("deed", ft.Icons.RECEIPT_LONG_OUTLINED, "#7B61FF"),
    ("tax", ft.Icons.RECEIPT_LONG_OUTLINED, "#7B61FF"),
    ("talent", ft.Icons.WORKSPACE_PREMIUM_OUTLINED, "#D4380D"),
    ("hous", ft.Icons.HOME_WORK_OUTLINED, "#E37318"),
    ("social", ft.Icons.HEALTH_AND_SAFETY_OUTLINED, "#13A8A8"),
    ("medical", ft.Icons.LOCAL_HOSPITAL_OUTLINED, "#13A8A8"),
]


def service_icon(service: dict[str, Any]) -> tuple[ft.IconData, str]:
    hay = " ".join(
        [str(service.get("code", "")), key_of(service.get("category")), key_of(service.get("department"))]
    ).lower()
    for hint, icon, color in _ICON_HINTS:
        if hint in hay:
            return icon, color
    return ft.Icons.DESCRIPTION_OUTLINED, "#1F6FEB"


def icon_badge(screen: Screen, icon: ft.IconData, color: str, size: float = 44) -> ft.Control:
    look = screen.look
    return ft.Container(
        content=ft.Icon(icon, color=color if not look.elder else "#FFFFFF", size=look.icon(size * 0.55)),
        width=look.icon(size),
        height=look.icon(size),
        border_radius=look.icon(size) / 3.2,
        bgcolor=("#1A" + color[1:]) if not look.elder else color,
        alignment=ft.Alignment.CENTER,
    )


def mode_tags(screen: Screen, service: dict[str, Any]) -> list[ft.Control]:
    look = screen.look
    tags: list[ft.Control] = []
    mode = service.get("mode")
    if mode:
        fg, bg = {
            "instant": (look.success, look.success_soft),
            "commitment": (look.warning, look.warning_soft),
        }.get(mode, (look.primary, look.primary_soft))
        tags.append(ui.tag(look, screen.t(f"mode.{mode}"), fg, bg))
    if service.get("requires_face"):
        tags.append(ui.tag(look, screen.t("service.face"), look.primary, look.primary_soft))
    return tags


def service_tile(screen: Screen, service: dict[str, Any], on_open) -> ft.Control:
    look = screen.look
    icon, color = service_icon(service)
    summary = str(service.get("summary") or "")
    lines: list[ft.Control] = [
        ui.text(look, str(service.get("name", service.get("code"))), 16, weight=ft.FontWeight.BOLD, max_lines=2),
        ui.text(look, label_of(service.get("department")), 13, color=look.text3, max_lines=1),
    ]
    if summary and not look.elder:
        lines.append(ui.text(look, summary, 13, color=look.text2, max_lines=2))
    tags = mode_tags(screen, service)
    if tags:
        lines.append(ft.Row(tags, spacing=6, wrap=True))
    return ui.card(
        look,
        ft.Row(
            [
                icon_badge(screen, icon, color),
                ft.Column(lines, spacing=4, expand=True),
                ft.Icon(ft.Icons.CHEVRON_RIGHT, color=look.text3, size=look.icon(22)),
            ],
            spacing=12,
            vertical_alignment=ft.CrossAxisAlignment.CENTER,
        ),
        on_click=on_open,
        identifier=f"service_{service.get('code')}",
        padding=look.pad - 2,
    )


def countdown(screen: Screen, case: dict[str, Any]) -> ft.Control | None:
    """ "N (working) days left" for an open case, coloured by urgency; the server's working-day count when given."""
    look = screen.look
    if case.get("status") not in ("in_review", "pending_face", "returned") or not case.get("due_at"):
        return None
    working = case.get("working_days_left")
    if case.get("status") == "returned" and working is None:
        # the statutory clock stops while the resident corrects the application
        return ft.Row(
            [
                ft.Icon(ft.Icons.PAUSE_CIRCLE_OUTLINE, size=look.icon(16), color=look.warning),
                ui.text(look, screen.t("cases.clock_paused"), 13, color=look.warning),
            ],
            spacing=4,
            tight=True,
        )
    n = working if isinstance(working, int) else days_left(case.get("due_at"))
    if n is None:
        return None
    if case.get("overdue") or n < 0:
        label, color = screen.t("cases.overdue", n=abs(n)), look.danger
    elif n == 0:
        label, color = screen.t("cases.due_today"), look.warning
    else:
        key = "cases.working_days_left" if isinstance(working, int) else "cases.due_in"
        label, color = screen.t(key, n=n), look.warning if n <= 3 else look.primary
    return ft.Row(
        [ft.Icon(ft.Icons.SCHEDULE, size=look.icon(16), color=color), ui.text(look, label, 13, color=color)],
        spacing=4,
        tight=True,
    )


def service_name(case: dict[str, Any]) -> str:
    service = case.get("service")
    if isinstance(service, dict):
        return str(service.get("name") or service.get("code") or "")
    return str(case.get("service_name") or service or "")


def case_tile(screen: Screen, case: dict[str, Any], on_open) -> ft.Control:
    look = screen.look
    status = str(case.get("status", ""))
    ref = str(case.get("reference_no", case.get("id")))
    bottom: list[ft.Control] = [
        ui.text(look, screen.t("cases.submitted", date=short_date(case.get("submitted_at"))), 13, color=look.text3)
    ]
    due = countdown(screen, case)
    if due is not None:
        bottom.append(due)
    return ui.card(
        look,
        ft.Column(
            [
                ft.Row(
                    [
                        ui.text(look, service_name(case), 16, weight=ft.FontWeight.BOLD, max_lines=1, expand=True),
                        ui.status_tag(look, status, status_label(screen, case)),
                    ],
                    spacing=8,
                ),
                ui.text(look, f"{screen.t('decision.reference')} {ref}", 13, color=look.text2),
                ft.Row(bottom, alignment=ft.MainAxisAlignment.SPACE_BETWEEN, wrap=True),
            ],
            spacing=6,
        ),
        on_click=on_open,
        identifier=f"case_{ref}",
    )


def status_label(screen: Screen, case: dict[str, Any]) -> str:
    """The app's short status word (the server's ``status_label`` for statuses the app does not know)."""
    status = str(case.get("status", ""))
    key = f"status.{status}"
    text = screen.t(key)
    return str(case.get("status_label") or status) if text == key else text


def coming_soon(screen: Screen, icon: ft.IconData = ft.Icons.CONSTRUCTION) -> ft.Control:
    look = screen.look
    return ui.card(
        look,
        ft.Column(
            [
                ft.Icon(icon, size=look.icon(48), color=look.primary),
                ui.title(look, screen.t("common.coming_soon"), 17),
                ui.text(look, screen.t("common.coming_soon_detail"), 14, color=look.text3, align=ft.TextAlign.CENTER),
            ],
            horizontal_alignment=ft.CrossAxisAlignment.CENTER,
            spacing=10,
        ),
        padding=32,
    )
