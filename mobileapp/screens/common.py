"""Pieces several screens share: service and case tiles, mode tags, the countdown, generated form fields, "coming
soon", counter slots to book and a booked identity check."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import flet as ft

from mobileapp import formats, forms, ui
from mobileapp.api import Booking, Bundle, Case, Service, Slot
from mobileapp.formats import short_date, short_datetime

if TYPE_CHECKING:
    from mobileapp.screens.base import Screen

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
    ("senior", ft.Icons.ELDERLY, "#0E9F6E"),
    ("elder", ft.Icons.ELDERLY, "#0E9F6E"),
    ("social", ft.Icons.HEALTH_AND_SAFETY_OUTLINED, "#13A8A8"),
    ("medical", ft.Icons.LOCAL_HOSPITAL_OUTLINED, "#13A8A8"),
]


def service_icon(service: Service) -> tuple[ft.IconData, str]:
    hay = " ".join([service["code"], service["category"], service["department"]]).lower()
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


def mode_tags(screen: Screen, service: Service) -> list[ft.Control]:
    look = screen.look
    tags: list[ft.Control] = []
    mode = service["mode"]
    if mode:
        fg, bg = {
            "instant": (look.success, look.success_soft),
            "commitment": (look.warning, look.warning_soft),
        }.get(mode, (look.primary, look.primary_soft))
        tags.append(ui.tag(look, screen.t(f"mode.{mode}"), fg, bg))
    if service["requires_face"]:
        tags.append(ui.tag(look, screen.t("service.face"), look.primary, look.primary_soft))
    return tags


def service_tile(screen: Screen, service: Service, on_open: ui.Handler) -> ft.Control:
    look = screen.look
    icon, color = service_icon(service)
    summary = service["summary"]
    lines: list[ft.Control] = [
        ui.text(look, service["name"], 16, weight=ft.FontWeight.BOLD, max_lines=2),
        ui.text(look, service["department"], 13, color=look.text3, max_lines=1),
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
        identifier=f"service_{service['code']}",
        padding=look.pad - 2,
    )


def bundle_tile(screen: Screen, bundle: Bundle, on_open: ui.Handler) -> ft.Control:
    """A bundle (一件事) in the catalogue: one entry for several departments' services."""
    look = screen.look
    departments = {m["department_code"] for m in bundle["members"]}
    lines: list[ft.Control] = [
        ui.text(look, bundle["name"], 16, weight=ft.FontWeight.BOLD, max_lines=2),
        ui.text(look, "、".join(m["name"] for m in bundle["members"]), 13, color=look.text3, max_lines=2),
        ft.Row(
            [ui.tag(look, screen.t("bundle.tag", n=len(departments)), look.primary, look.primary_soft)],
            spacing=6,
        ),
    ]
    return ui.card(
        look,
        ft.Row(
            [
                icon_badge(screen, ft.Icons.WORKSPACES_OUTLINE, look.primary),
                ft.Column(lines, spacing=4, expand=True),
                ft.Icon(ft.Icons.CHEVRON_RIGHT, color=look.text3, size=look.icon(22)),
            ],
            spacing=12,
            vertical_alignment=ft.CrossAxisAlignment.CENTER,
        ),
        on_click=on_open,
        identifier=f"bundle_{bundle['code']}",
        padding=look.pad - 2,
    )


def countdown(screen: Screen, case: Case) -> ft.Control | None:
    """ "N working days left" for an open case, coloured by urgency (the server counts the working days)."""
    look = screen.look
    if case["status"] not in ("in_review", "pending_face", "returned") or not case["due_at"]:
        return None
    n = case["working_days_left"]
    if n is None:
        # the statutory clock stops while the resident corrects the application (a return)
        return ft.Row(
            [
                ft.Icon(ft.Icons.PAUSE_CIRCLE_OUTLINE, size=look.icon(16), color=look.warning),
                ui.text(look, screen.t("cases.clock_paused"), 13, color=look.warning),
            ],
            spacing=4,
            tight=True,
        )
    if case["overdue"] or n < 0:
        label, color = screen.t("cases.overdue", n=abs(n)), look.danger
    elif n == 0:
        label, color = screen.t("cases.due_today"), look.warning
    else:
        label, color = screen.t("cases.working_days_left", n=n), look.warning if n <= 3 else look.primary
    return ft.Row(
        [ft.Icon(ft.Icons.SCHEDULE, size=look.icon(16), color=color), ui.text(look, label, 13, color=color)],
        spacing=4,
        tight=True,
    )


def case_tile(screen: Screen, case: Case, on_open: ui.Handler) -> ft.Control:
    look = screen.look
    status = case["status"]
    ref = case["reference_no"]
    bottom: list[ft.Control] = [
        ui.text(look, screen.t("cases.submitted", date=short_date(case["submitted_at"])), 13, color=look.text3)
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
                        ui.text(look, case["service_name"], 16, weight=ft.FontWeight.BOLD, max_lines=1, expand=True),
                        ui.status_tag(look, status, formats.case_status(screen.t, case)),
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


def form_fields(
    screen: Screen,
    specs: list[forms.FieldSpec],
    values: dict[str, Any],
    errors: dict[str, str],
    on_change: Callable[[str, Any, bool], Any],
) -> list[ft.Control]:
    """Controls for a generated form; ``on_change(name, value, rerender)`` records what the resident enters."""
    look = screen.look
    lang = screen.state.language
    out: list[ft.Control] = []
    for spec in specs:
        label = forms.localized(spec.label, lang) + (" *" if spec.required else "")
        error = errors.get(spec.name)
        ident = f"form_{spec.name}"
        if spec.kind == "enum":
            parts: list[ft.Control] = [ui.text(look, label, 15, weight=ft.FontWeight.BOLD)]
            if spec.description:
                parts.append(ui.text(look, spec.description, 13, color=look.text3))
            parts.append(
                ui.choice_group(
                    look,
                    [(c.value, forms.localized(c.label, lang)) for c in spec.choices],
                    values.get(spec.name),
                    _choose(on_change, spec.name),
                    identifier_prefix=ident,
                )
            )
            if error:
                parts.append(ui.text(look, error, 13, color=look.danger))
            out.append(ft.Column(parts, spacing=8))
        elif spec.kind == "boolean":
            out.append(
                ui.with_id(
                    ident,
                    ft.Checkbox(
                        label=label,
                        value=bool(values.get(spec.name)),
                        on_change=lambda e, name=spec.name: on_change(name, bool(e.control.value), True),
                        label_style=ft.TextStyle(size=look.fs(15), color=look.text),
                        error=bool(error),  # a Checkbox shows an error state only: the message is the text below
                    ),
                )
            )
            if error:
                out.append(ui.text(look, error, 13, color=look.danger))
        else:
            value = values.get(spec.name)
            numeric = spec.kind in ("number", "integer") or forms.numeric_pattern(spec.pattern)
            keyboard = ft.KeyboardType.NUMBER if numeric else None
            out.append(
                ui.text_field(
                    look,
                    label,
                    value="" if value is None else str(value),
                    hint=spec.placeholder or spec.description,
                    on_change=lambda e, name=spec.name: on_change(name, e.control.value, False),
                    keyboard=keyboard,
                    error=error,
                    multiline=spec.kind == "text",
                    identifier=ident,
                    suffix=spec.unit or None,
                )
            )
    return out


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


def _choose(on_change: Callable[[str, Any, bool], Any], name: str) -> Callable[[Any], Any]:
    """The choice group's handler for field ``name`` (a choice re-renders: the tiles show the selection)."""

    def choose(value: Any) -> Any:
        return on_change(name, value, True)

    return choose


def booking_card(screen: Screen, booking: Booking) -> ft.Control:
    """The booked identity check: time, place, what to bring (also shown on the case screen)."""
    look = screen.look
    slot = booking["slot"]
    lines: list[ft.Control] = [
        ui.text(look, screen.t("counter.booked_title"), 15, weight=ft.FontWeight.BOLD),
        ui.with_id("counter_when", ui.text(look, short_datetime(slot["starts_at"]), 15)),
        ui.text(look, f"{booking['venue']['name']} · {booking['venue']['address']}", 14, color=look.text2),
    ]
    for item in booking["bring"]:
        lines.append(ui.text(look, screen.t("counter.bring", what=item), 14, color=look.primary))
    lines.append(ui.text(look, screen.t("counter.after"), 13, color=look.text3))
    return ui.with_id("counter_booking", ui.card(look, ft.Column(lines, spacing=6), border_color=look.primary))


def slot_list(
    screen: Screen,
    slots: Sequence[Slot],
    book: Callable[[int], Awaitable[Any]],
    *,
    busy: int | None,
    identifier: str,
    empty: tuple[str, str],
    with_service: bool = True,
) -> ft.Control:
    """The counter slots to book (appointments, the identity check of a case): venue, time, places left, a book
    button named ``{identifier}{slot id}``; fewer in elder mode. ``empty``: (identifier, i18n key) when none."""
    look = screen.look
    cards: list[ft.Control] = []
    for slot in slots[: (20 if not look.elder else 6)]:
        remaining = slot["remaining"]
        full = remaining <= 0
        about: list[ft.Control] = [ui.text(look, slot["venue_name"], 15, weight=ft.FontWeight.BOLD)]
        if with_service:
            about.append(ui.text(look, slot["service_name"], 13, color=look.text3))
        about.append(ui.text(look, short_datetime(slot["starts_at"]), 14, color=look.text2))
        left = screen.t("appointments.full") if full else screen.t("appointments.remaining", n=remaining)
        cards.append(
            ui.card(
                look,
                ft.Row(
                    [
                        ft.Column(about, spacing=2, expand=True),
                        ft.Column(
                            [
                                ui.text(look, left, 13, color=look.text3 if full else look.success),
                                ui.button(
                                    look,
                                    screen.t("appointments.book"),
                                    screen.handler(book, slot["id"]),
                                    expand=False,
                                    disabled=full,
                                    busy=busy == slot["id"],
                                    identifier=f"{identifier}{slot['id']}",
                                ),
                            ],
                            horizontal_alignment=ft.CrossAxisAlignment.END,
                            spacing=4,
                        ),
                    ]
                ),
            )
        )
    if not cards:
        empty_id, empty_key = empty
        cards.append(ui.with_id(empty_id, ui.empty(look, screen.t(empty_key), ft.Icons.EVENT_BUSY)))
    return ui.section(look, screen.t("appointments.slots"), cards)


def delegate_path(screen: Screen, identifier: str) -> list[ft.Control]:
    """The second way past a face check besides the counter (issue 14): a family member applies, with their own face.
    Nothing while already acting for someone: a delegate does not hand the principal on to another delegate."""
    if screen.api.acting_for is not None:
        return []
    look = screen.look
    return [
        ui.text(look, screen.t("counter.delegate_detail"), 14, color=look.text2),
        ui.button(
            look,
            screen.t("counter.delegate"),
            screen.handler(screen.app.go, "delegation"),
            kind="ghost",
            icon=ft.Icons.FAMILY_RESTROOM,
            identifier=identifier,
        ),
    ]


class Answers(Protocol):
    """What an application's controller keeps while the resident fills it in (a service's or a bundle's)."""

    values: dict[str, Any]
    errors: dict[str, str]
    consent: bool


class AnswerHandlers:
    """The form-field and consent handlers of an application screen, mixed into its :class:`Screen`: the
    controller keeps the answers, an edit clears that field's error, and the screen redraws."""

    ctrl: Answers

    if TYPE_CHECKING:

        def render(self) -> None: ...

    def on_field(self, name: str, value: Any, rerender: bool) -> None:
        self.ctrl.values[name] = value
        self.ctrl.errors.pop(name, None)
        if rerender:
            self.render()

    def on_consent(self, e: Any) -> None:
        self.ctrl.consent = bool(e.control.value)
        self.ctrl.errors.pop("consent", None)
        self.render()

    def toggle_consent(self, e: Any = None) -> None:
        self.ctrl.consent = not self.ctrl.consent
        self.ctrl.errors.pop("consent", None)
        self.render()
