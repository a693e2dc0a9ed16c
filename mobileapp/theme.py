"""Look of the app: government blue and white, cards, clear hierarchy — and elder mode (适老化).

Elder mode follows the MIIT guidance for age-friendly apps: type at least 1.5× larger, high contrast (black on
white, darker blue), bigger touch targets (≥ 60 px), fewer items per screen and no pop-ups (the app uses none in
either mode: confirmations and errors are inline).
"""

from __future__ import annotations

from dataclasses import dataclass

import flet as ft

FONT_FAMILY = "YiwangCJK"
FONT_FILE = "fonts/DroidSansFallbackFull.ttf"


@dataclass(frozen=True)
class Look:
    elder: bool
    scale: float
    primary: str
    primary_dark: str
    primary_soft: str
    bg: str
    surface: str
    text: str
    text2: str
    text3: str
    border: str
    success: str
    success_soft: str
    warning: str
    warning_soft: str
    danger: str
    danger_soft: str
    radius: int
    pad: int
    gap: int
    touch: int  # minimum height of a tappable row or button
    grid_columns: int  # quick-entry grid
    list_limit: int  # items of a home-screen list
    border_width: float

    def fs(self, size: float) -> float:
        """A font size in this look (elder mode: 1.5×)."""
        return round(size * self.scale, 1)

    def icon(self, size: float) -> float:
        return round(size * (1.35 if self.elder else 1.0), 1)


NORMAL = Look(
    elder=False,
    scale=1.0,
    primary="#1F6FEB",
    primary_dark="#0F4FBF",
    primary_soft="#EAF2FF",
    bg="#F2F5FA",
    surface="#FFFFFF",
    text="#1D2129",
    text2="#4E5969",
    text3="#86909C",
    border="#E5E8EF",
    success="#00A870",
    success_soft="#E8F8F1",
    warning="#E37318",
    warning_soft="#FFF4E8",
    danger="#D54941",
    danger_soft="#FDECEB",
    radius=12,
    pad=16,
    gap=12,
    touch=48,
    grid_columns=4,
    list_limit=6,
    border_width=1,
)

ELDER = Look(
    elder=True,
    scale=1.5,
    primary="#0B48C2",
    primary_dark="#062F86",
    primary_soft="#E3ECFF",
    bg="#FFFFFF",
    surface="#FFFFFF",
    text="#000000",
    text2="#1D1D1D",
    text3="#333333",
    border="#5C6470",
    success="#006B45",
    success_soft="#E1F5EC",
    warning="#9A4A00",
    warning_soft="#FFF0DC",
    danger="#B3261E",
    danger_soft="#FDE7E5",
    radius=14,
    pad=20,
    gap=16,
    touch=64,
    grid_columns=2,
    list_limit=3,
    border_width=2,
)


def look_for(elder: bool) -> Look:
    return ELDER if elder else NORMAL


def flet_theme(look: Look) -> ft.Theme:
    return ft.Theme(
        font_family=FONT_FAMILY,
        color_scheme_seed=look.primary,
        color_scheme=ft.ColorScheme(
            primary=look.primary, on_primary="#FFFFFF", surface=look.surface, on_surface=look.text, error=look.danger
        ),
        use_material3=True,
    )


STATUS_COLORS = {
    "pending_face": "warning",
    "in_review": "primary",
    "returned": "warning",
    "approved": "success",
    "rejected": "danger",
    "withdrawn": "text3",
    "revoked": "danger",
}


def status_colors(look: Look, status: str) -> tuple[str, str]:
    """(foreground, background) of a status tag."""
    name = STATUS_COLORS.get(status, "primary")
    fg = getattr(look, name)
    bg = {
        "warning": look.warning_soft,
        "success": look.success_soft,
        "danger": look.danger_soft,
        "primary": look.primary_soft,
    }.get(name, look.border)
    return fg, bg
