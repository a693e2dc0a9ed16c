"""Look of the app: government blue and white, cards, clear hierarchy — and elder mode (适老化).

Elder mode follows 工业和信息化部《移动互联网应用（APP）适老化通用设计规范》 (docs/APP.md has the point-by-point
check): type 1.5× larger and never under 18 dp, line height 1.5, text contrast at least 7:1 (the normal look: 4.5:1),
touch targets of 64 dp (the guideline asks ≥ 60 × 60), fewer items per screen and no pop-ups (the app uses none in
either mode: confirmations and errors are inline). On top of either look the resident picks a text size (标准 / 大 /
超大, ``TEXT_SIZES``), remembered on the device like elder mode.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import flet as ft

from mobileapp.session import TextSize

FONT_FAMILY = "YiwangCJK"
FONT_FILE = "fonts/DroidSansFallbackFull.ttf"

# The resident's text size (settings: 标准 / 大 / 超大), a factor on top of the look's own scale.
TEXT_SIZES: dict[TextSize, float] = {"standard": 1.0, "large": 1.15, "xlarge": 1.3}
ELDER_MIN_TEXT = 18.0  # 适老版：页面主要文字信息不小于 18 dp/pt
ELDER_MIN_TOUCH = 60  # 适老版：触控区域不小于 60 × 60 dp


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
    on_primary_muted: str  # secondary text on the blue headers (their lighter end is ``primary``)
    min_text: float = 0  # no font size below this (elder mode: 18)
    line_height: float | None = None  # text line height as a multiple of the size (None: the font's own)
    step: float = 1.0  # the resident's text size (TEXT_SIZES)
    text_size: TextSize = "standard"

    def fs(self, size: float) -> float:
        """A font size in this look: the look's scale (elder mode 1.5×) times the resident's text size, at least
        ``min_text``."""
        return max(round(size * self.scale * self.step, 1), self.min_text)

    def label(self, size: float) -> float:
        """A font size for labels in fixed-width places (the tab bar): the look's scale without the resident's
        text size step, so five tab labels still fit; still at least ``min_text``."""
        return max(round(size * self.scale, 1), self.min_text)

    def icon(self, size: float) -> float:
        return round(size * (1.35 if self.elder else 1.0), 1)


NORMAL = Look(
    elder=False,
    scale=1.0,
    primary="#1A62D2",
    primary_dark="#0F4FBF",
    primary_soft="#EAF2FF",
    bg="#F2F5FA",
    surface="#FFFFFF",
    text="#1D2129",
    text2="#4E5969",
    text3="#656F7B",
    border="#E5E8EF",
    success="#007F55",
    success_soft="#E8F8F1",
    warning="#AE5812",
    warning_soft="#FFF4E8",
    danger="#C9352C",
    danger_soft="#FDECEB",
    radius=12,
    pad=16,
    gap=12,
    touch=48,
    grid_columns=4,
    list_limit=6,
    border_width=1,
    on_primary_muted="#DCE8FF",
)

ELDER = Look(
    elder=True,
    scale=1.5,
    primary="#0A44B6",
    primary_dark="#062F86",
    primary_soft="#E3ECFF",
    bg="#FFFFFF",
    surface="#FFFFFF",
    text="#000000",
    text2="#1D1D1D",
    text3="#333333",
    border="#5C6470",
    success="#005C3B",
    success_soft="#E1F5EC",
    warning="#833F00",
    warning_soft="#FFF0DC",
    danger="#942019",
    danger_soft="#FDE7E5",
    radius=14,
    pad=20,
    gap=16,
    touch=64,
    grid_columns=2,
    list_limit=3,
    border_width=2,
    on_primary_muted="#FFFFFF",
    min_text=ELDER_MIN_TEXT,
    line_height=1.5,
)


def look_for(elder: bool, text_size: TextSize = "standard") -> Look:
    """The look for elder mode on/off at the resident's text size."""
    base = ELDER if elder else NORMAL
    return replace(base, step=TEXT_SIZES[text_size], text_size=text_size) if text_size != "standard" else base


# Every (text colour, background) pair the looks draw text in, named by Look field (or "#FFFFFF"): what
# tests/mobileapp/test_elder_mode.py measures (WCAG contrast: ≥ 4.5:1 everywhere, ≥ 7:1 in elder mode).
WHITE = "#FFFFFF"
TEXT_PAIRS: list[tuple[str, str]] = [
    *[
        (fg, bg)
        for fg in ("text", "text2", "text3", "primary", "success", "warning", "danger")
        for bg in ("bg", "surface")
    ],
    ("primary", "primary_soft"),  # info banners, active chips, 'for you' tags
    ("success", "success_soft"),  # status tags
    ("warning", "warning_soft"),
    ("danger", "danger_soft"),
    ("text", "primary_soft"),  # a selected option tile
    ("text", "warning_soft"),  # the "acting for" banner (亲情代办)
    ("text3", "bg"),
    *[(WHITE, bg) for bg in ("primary", "primary_dark", "success", "warning", "danger")],  # buttons, badges, headers
    ("on_primary_muted", "primary"),  # the blue headers' second line
    ("on_primary_muted", "primary_dark"),
]


def colour(look: Look, name: str) -> str:
    """A colour of ``TEXT_PAIRS`` by name: a Look field or a literal ``#RRGGBB``."""
    return name if name.startswith("#") else str(getattr(look, name))


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
