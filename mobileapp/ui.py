"""Small building blocks drawn in the current :class:`~mobileapp.theme.Look` (normal or elder mode)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft

from mobileapp.theme import Look, status_colors

Handler = Callable[..., Any] | None


def with_id(identifier: str | None, control: ft.Control, **semantics: Any) -> ft.Control:
    """Wrap a control with its automation identifier (DESIGN §3.8) when it has one."""
    if not identifier:
        return control
    # layout properties act on the direct child of a Row/Column/ResponsiveRow: move them to the wrapper
    return ft.Semantics(identifier=identifier, content=control, expand=control.expand, col=control.col, **semantics)


def text(
    look: Look,
    value: str,
    size: float = 15,
    *,
    weight: ft.FontWeight | None = None,
    color: str | None = None,
    max_lines: int | None = None,
    align: ft.TextAlign | None = None,
    selectable: bool = False,
    expand: bool | int | None = None,
    fixed_width: bool = False,
) -> ft.Text:
    """Text in the look: its scale, the resident's text size (not for ``fixed_width`` places such as the tab bar)
    and line height."""
    return ft.Text(
        value,
        size=look.label(size) if fixed_width else look.fs(size),
        style=ft.TextStyle(height=look.line_height) if look.line_height else None,
        weight=weight,
        color=color or look.text,
        max_lines=max_lines,
        overflow=ft.TextOverflow.ELLIPSIS if max_lines else ft.TextOverflow.CLIP,  # CLIP: Flet's default
        text_align=align or ft.TextAlign.START,
        selectable=selectable,
        expand=expand,
    )


def target_height(look: Look) -> int | None:
    """The height of a small tappable (a link, a chip, a pill) in this look: elder mode gives each the full touch
    size (适老化: ≥ 60 × 60 dp); the normal look lets it fit its text."""
    return look.touch if look.elder else None


def title(look: Look, value: str, size: float = 17, color: str | None = None) -> ft.Text:
    return text(look, value, size, weight=ft.FontWeight.BOLD, color=color)


def card(
    look: Look,
    content: ft.Control,
    *,
    on_click: Handler = None,
    padding: int | None = None,
    bgcolor: str | None = None,
    border_color: str | None = None,
    identifier: str | None = None,
    margin: ft.Margin | None = None,
) -> ft.Control:
    box = ft.Container(
        content=content,
        padding=look.pad if padding is None else padding,
        bgcolor=bgcolor or look.surface,
        border_radius=look.radius,
        border=ft.Border.all(look.border_width, border_color or look.border) if (look.elder or border_color) else None,
        shadow=None
        if look.elder
        else ft.BoxShadow(blur_radius=12, spread_radius=0, color="#0F1F6FEB", offset=ft.Offset(0, 2)),
        on_click=on_click,
        ink=on_click is not None,
        margin=margin,
    )
    return with_id(identifier, box, button=on_click is not None)


def section(look: Look, heading: str, body: list[ft.Control], trailing: ft.Control | None = None) -> ft.Control:
    head = ft.Row(
        [
            ft.Container(width=4, height=look.fs(16), bgcolor=look.primary, border_radius=2),
            title(look, heading, 17),
        ],
        spacing=8,
    )
    row = ft.Row([head, trailing], alignment=ft.MainAxisAlignment.SPACE_BETWEEN) if trailing else head
    return ft.Column([row, *body], spacing=look.gap, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)


def button(
    look: Look,
    label: str,
    on_click: Handler,
    *,
    identifier: str | None = None,
    kind: str = "primary",  # primary | secondary | danger | ghost
    busy: bool = False,
    disabled: bool = False,
    icon: ft.IconData | None = None,
    expand: bool = True,
    busy_label: str | None = None,
) -> ft.Control:
    fg, bg, border = {
        "primary": ("#FFFFFF", look.primary, look.primary),
        "secondary": (look.primary, look.surface, look.primary),
        "danger": (look.danger, look.surface, look.danger),
        "ghost": (look.text2, look.surface, look.border),
    }[kind]
    inactive = busy or disabled
    if inactive and kind == "primary":
        bg, border = "#9DB9EE" if not look.elder else "#7A8CAE", "#9DB9EE" if not look.elder else "#7A8CAE"
    parts: list[ft.Control] = []
    if busy:
        parts.append(ft.ProgressRing(width=look.fs(18), height=look.fs(18), stroke_width=2.5, color=fg))
    elif icon:
        parts.append(ft.Icon(icon, color=fg, size=look.icon(20)))
    parts.append(text(look, busy_label if busy and busy_label else label, 16, weight=ft.FontWeight.BOLD, color=fg))
    box = ft.Container(
        content=ft.Row(parts, alignment=ft.MainAxisAlignment.CENTER, spacing=8, tight=not expand),
        height=look.touch,
        padding=ft.Padding.symmetric(horizontal=look.pad),
        bgcolor=bg,
        border=ft.Border.all(max(1, look.border_width), border),
        border_radius=look.touch / 2,
        on_click=None if inactive else on_click,
        ink=not inactive,
        alignment=ft.Alignment.CENTER,
        expand=expand,
        disabled=inactive,
    )
    return with_id(identifier, box, button=True) if identifier else box


def tag(look: Look, label: str, fg: str, bg: str) -> ft.Control:
    return ft.Container(
        content=text(look, label, 12, color=fg, weight=ft.FontWeight.BOLD),
        bgcolor=bg,
        padding=ft.Padding.symmetric(horizontal=8, vertical=3),
        border_radius=6,
        border=ft.Border.all(1, fg) if look.elder else None,
    )


def status_tag(look: Look, status: str, label: str, identifier: str | None = None) -> ft.Control:
    fg, bg = status_colors(look, status)
    return with_id(identifier, tag(look, label, fg, bg))


def banner(
    look: Look,
    message: str,
    *,
    kind: str = "danger",
    action_label: str | None = None,
    on_action: Handler = None,
    icon: ft.IconData | None = None,
) -> ft.Control:
    fg, bg = {
        "danger": (look.danger, look.danger_soft),
        "warning": (look.warning, look.warning_soft),
        "success": (look.success, look.success_soft),
        "info": (look.primary, look.primary_soft),
    }[kind]
    default_icon = {
        "danger": ft.Icons.ERROR_OUTLINE,
        "warning": ft.Icons.INFO_OUTLINE,
        "success": ft.Icons.CHECK_CIRCLE_OUTLINE,
        "info": ft.Icons.INFO_OUTLINE,
    }[kind]
    row: list[ft.Control] = [
        ft.Icon(icon or default_icon, color=fg, size=look.icon(20)),
        text(look, message, 14, color=fg if look.elder else look.text, expand=True),
    ]
    if action_label and on_action:
        row.append(
            ft.Container(
                content=text(look, action_label, 14, color=fg, weight=ft.FontWeight.BOLD),
                on_click=on_action,
                padding=ft.Padding.symmetric(horizontal=12, vertical=6),
                height=target_height(look),
                alignment=ft.Alignment.CENTER,
                border=ft.Border.all(1, fg),
                border_radius=16,
            )
        )
    return ft.Container(
        content=ft.Row(row, spacing=10, vertical_alignment=ft.CrossAxisAlignment.CENTER),
        bgcolor=bg,
        padding=ft.Padding.symmetric(horizontal=look.pad - 4, vertical=10),
        border_radius=look.radius,
        border=ft.Border.all(look.border_width, fg) if look.elder else None,
    )


def loading(look: Look, label: str) -> ft.Control:
    return ft.Container(
        content=ft.Column(
            [ft.ProgressRing(color=look.primary), text(look, label, 14, color=look.text3)],
            horizontal_alignment=ft.CrossAxisAlignment.CENTER,
            spacing=12,
        ),
        alignment=ft.Alignment.CENTER,
        padding=48,
    )


def empty(
    look: Look, message: str, icon: ft.IconData = ft.Icons.INBOX_OUTLINED, action: ft.Control | None = None
) -> ft.Control:
    parts: list[ft.Control] = [
        ft.Icon(icon, size=look.icon(56), color="#B8C4D9" if not look.elder else look.text3),
        text(look, message, 15, color=look.text3, align=ft.TextAlign.CENTER),
    ]
    if action:
        parts.append(action)
    return ft.Container(
        content=ft.Column(parts, horizontal_alignment=ft.CrossAxisAlignment.CENTER, spacing=12),
        alignment=ft.Alignment.CENTER,
        padding=ft.Padding.symmetric(vertical=40, horizontal=24),
    )


def kv(look: Look, label: str, value: str, *, value_color: str | None = None, bold: bool = False) -> ft.Control:
    return ft.Row(
        [
            text(look, label, 14, color=look.text3),
            ft.Container(
                content=text(
                    look,
                    value,
                    14,
                    color=value_color or look.text,
                    weight=ft.FontWeight.BOLD if bold else None,
                    align=ft.TextAlign.END,
                ),
                expand=True,
                alignment=ft.Alignment.CENTER_RIGHT,
            ),
        ],
        spacing=12,
        vertical_alignment=ft.CrossAxisAlignment.START,
    )


def divider(look: Look) -> ft.Control:
    return ft.Divider(height=1, thickness=look.border_width, color=look.border)


def menu_row(
    look: Look,
    icon: ft.IconData,
    label: str,
    on_click: Handler,
    *,
    trailing: str | ft.Control | None = None,
    identifier: str | None = None,
    icon_color: str | None = None,
) -> ft.Control:
    tail: list[ft.Control] = []
    if isinstance(trailing, str):
        tail.append(text(look, trailing, 14, color=look.text3))
    elif trailing is not None:
        tail.append(trailing)
    tail.append(ft.Icon(ft.Icons.CHEVRON_RIGHT, color=look.text3, size=look.icon(22)))
    row = ft.Container(
        content=ft.Row(
            [
                ft.Icon(icon, color=icon_color or look.primary, size=look.icon(22)),
                text(look, label, 16, expand=True),
                *tail,
            ],
            spacing=12,
        ),
        padding=ft.Padding.symmetric(horizontal=look.pad, vertical=(look.touch - look.icon(22)) / 2),
        on_click=on_click,
        ink=True,
    )
    return with_id(identifier, row, button=True)


def text_field(
    look: Look,
    label: str,
    *,
    value: str = "",
    hint: str = "",
    on_change: Handler = None,
    on_submit: Handler = None,
    password: bool = False,
    keyboard: ft.KeyboardType | None = None,
    error: str | None = None,
    prefix_icon: ft.IconData | None = None,
    multiline: bool = False,
    max_length: int | None = None,
    identifier: str | None = None,
    suffix: str | None = None,
    autofocus: bool = False,
) -> ft.Control:
    field = ft.TextField(
        label=label or None,
        value=value,
        hint_text=hint or None,
        on_change=on_change,
        on_submit=on_submit,
        password=password,
        can_reveal_password=password,
        keyboard_type=keyboard or ft.KeyboardType.TEXT,
        error=error or None,
        prefix_icon=prefix_icon,
        multiline=multiline,
        min_lines=3 if multiline else None,
        max_lines=6 if multiline else 1,
        max_length=max_length,
        text_size=look.fs(16),
        label_style=ft.TextStyle(size=look.fs(14), color=look.text2),
        hint_style=ft.TextStyle(size=look.fs(14), color=look.text3),
        border_radius=10,
        border_color=look.border if not look.elder else look.text2,
        border_width=look.border_width,
        focused_border_color=look.primary,
        filled=True,
        fill_color=look.surface,
        content_padding=ft.Padding.symmetric(horizontal=14, vertical=16 if look.elder else 12),
        suffix=suffix,
        autofocus=autofocus,
        expand=True,
    )
    # in a Row an expanding field takes the full width, whatever the parent column's alignment
    return ft.Row([with_id(identifier, field)])


def choice_group(
    look: Look,
    options: list[tuple[Any, str]],
    selected: Any,
    on_select: Callable[[Any], Any],
    *,
    identifier_prefix: str | None = None,
) -> ft.Control:
    """Large tappable options in place of a drop-down (no pop-up menus, easy for elders)."""
    tiles = []
    for value, label in options:
        active = str(value) == str(selected) and selected is not None
        tile = ft.Container(
            content=ft.Row(
                [
                    ft.Icon(
                        ft.Icons.RADIO_BUTTON_CHECKED if active else ft.Icons.RADIO_BUTTON_UNCHECKED,
                        color=look.primary if active else look.text3,
                        size=look.icon(22),
                    ),
                    text(look, label, 15, color=look.text, weight=ft.FontWeight.BOLD if active else None, expand=True),
                ],
                spacing=10,
            ),
            height=look.touch,
            padding=ft.Padding.symmetric(horizontal=14),
            bgcolor=look.primary_soft if active else look.surface,
            border=ft.Border.all(look.border_width + (1 if active else 0), look.primary if active else look.border),
            border_radius=10,
            on_click=lambda e, v=value: on_select(v),
            ink=True,
        )
        ident = f"{identifier_prefix}_{value}" if identifier_prefix else None
        tiles.append(with_id(ident, tile, button=True, selected=active))
    return ft.Column(tiles, spacing=8)


def steps_indicator(look: Look, labels: list[str], current: int) -> ft.Control:
    items: list[ft.Control] = []
    for i, label in enumerate(labels):
        done = i < current
        active = i == current
        color = look.primary if (done or active) else look.text3
        dot = ft.Container(
            content=ft.Icon(ft.Icons.CHECK, size=look.icon(14), color="#FFFFFF")
            if done
            else text(look, str(i + 1), 12, color="#FFFFFF" if active else look.text3, weight=ft.FontWeight.BOLD),
            width=look.fs(24),
            height=look.fs(24),
            border_radius=look.fs(12),
            bgcolor=look.primary if (done or active) else look.surface,
            border=ft.Border.all(1.5, color),
            alignment=ft.Alignment.CENTER,
        )
        items.append(
            ft.Column(
                [dot, text(look, label, 12, color=color, weight=ft.FontWeight.BOLD if active else None)],
                horizontal_alignment=ft.CrossAxisAlignment.CENTER,
                spacing=4,
            )
        )
        if i < len(labels) - 1:
            items.append(
                ft.Container(
                    height=2,
                    bgcolor=look.primary if done else look.border,
                    expand=True,
                    margin=ft.Margin.only(bottom=look.fs(18)),
                )
            )
    return ft.Row(items, spacing=4, vertical_alignment=ft.CrossAxisAlignment.CENTER)
