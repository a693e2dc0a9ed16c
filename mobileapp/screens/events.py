"""City services (一网统管): report a problem with photo and location, my reports; appointments.

Both APIs may not be deployed yet: a 404 on the collection shows a calm "coming soon" instead of an error.
"""

from __future__ import annotations

from typing import Any

import flet as ft

from mobileapp import ui
from mobileapp.api import ApiError, NotAvailable, new_idempotency_key
from mobileapp.app import Screen
from mobileapp.capture import locate
from mobileapp.screens.common import coming_soon
from mobileapp.state import short_datetime

EVENT_STATUS = {
    "open": ("处理中", "Open"),
    "closed": ("已办结", "Closed"),
    "received": ("已受理", "Received"),
    "dispatched": ("已派单", "Dispatched"),
    "in_progress": ("处置中", "In progress"),
    "resolved": ("已解决", "Resolved"),
}


class EventsScreen(Screen):
    tab = "events"
    root = True

    def __init__(self, app) -> None:
        super().__init__(app)
        self.categories: list[dict[str, Any]] = []
        self.mine: list[dict[str, Any]] = []
        self.unavailable = False
        self.category: str | None = None
        self.description = ""
        self.address = ""
        self.photo: tuple[str, bytes] | None = None
        self.position: tuple[float, float] | None = None
        self.locating = False
        self.busy = False
        self.done = False
        self.attempt_key: str | None = None

    def title(self) -> str:
        return self.t("events.title")

    async def load(self) -> None:
        try:
            self.categories = await self.api.event_categories()
            self.unavailable = False
        except NotAvailable:
            self.unavailable = True
            return
        try:
            self.mine = list((await self.api.my_events()).get("results", []))
        except NotAvailable:
            self.mine = []

    def build(self) -> list[ft.Control]:
        look = self.look
        if self.unavailable:
            return [coming_soon(self, ft.Icons.LOCATION_CITY), self._appointments_entry()]
        out: list[ft.Control] = []
        if self.done:
            out.append(ui.banner(look, self.t("events.thanks"), kind="success"))
        options = [(c.get("code"), str(c.get("name") or c.get("code"))) for c in self.categories]
        if look.elder and self.category is None:
            options = options[:5]
        location = (
            self.t("events.located", lat=f"{self.position[0]:.5f}", long=f"{self.position[1]:.5f}")
            if self.position
            else self.t("events.locate")
        )
        form: list[ft.Control] = [
            ui.text(look, self.t("events.category"), 15, weight=ft.FontWeight.BOLD),
            ui.choice_group(look, options, self.category, self._choose, identifier_prefix="event_category"),
            ui.text_field(
                look,
                self.t("events.description"),
                value=self.description,
                multiline=True,
                on_change=self._set("description"),
                identifier="event_description",
            ),
            ui.text_field(
                look,
                self.t("events.address"),
                value=self.address,
                on_change=self._set("address"),
                prefix_icon=ft.Icons.PLACE_OUTLINED,
                identifier="event_address",
            ),
            ft.Row(
                [
                    ui.button(
                        look,
                        location,
                        self.handler(self.locate),
                        kind="secondary",
                        icon=ft.Icons.MY_LOCATION,
                        busy=self.locating,
                        identifier="event_locate",
                    ),
                ]
            ),
            ui.button(
                look,
                self.photo[0] if self.photo else self.t("events.photo"),
                self.handler(self.pick_photo),
                kind="secondary",
                icon=ft.Icons.ADD_A_PHOTO_OUTLINED,
                identifier="event_photo",
            ),
            ui.text(look, self.t("events.location_hint"), 12, color=look.text3),
        ]
        out.append(ui.section(look, self.t("events.report"), [ui.card(look, ft.Column(form, spacing=look.gap))]))
        mine: list[ft.Control] = []
        for report in self.mine[: (10 if not look.elder else 4)]:
            status = str(report.get("status", ""))
            zh, en = EVENT_STATUS.get(status, (status, status))
            category = report.get("category")
            name = category.get("name") if isinstance(category, dict) else category
            lines: list[ft.Control] = [
                ft.Row(
                    [
                        ui.text(look, str(name or ""), 15, weight=ft.FontWeight.BOLD, expand=True),
                        ui.tag(look, en if self.state.language == "en" else zh, look.primary, look.primary_soft),
                    ]
                ),
                ui.text(look, str(report.get("description", "")), 14, color=look.text2, max_lines=2),
            ]
            if report.get("notice"):
                lines.append(ui.text(look, str(report.get("notice")), 13, color=look.primary))
            lines.append(ui.text(look, short_datetime(report.get("created_at")), 12, color=look.text3))
            mine.append(ui.card(look, ft.Column(lines, spacing=4)))
        if not mine:
            mine.append(ui.text(look, self.t("events.empty"), 14, color=look.text3))
        out.append(ui.section(look, self.t("events.mine"), mine))
        out.append(self._appointments_entry())
        return out

    def _appointments_entry(self) -> ft.Control:
        return ui.card(
            self.look,
            ui.menu_row(
                self.look,
                ft.Icons.EVENT_AVAILABLE_OUTLINED,
                self.t("appointments.title"),
                self.handler(self.open_appointments),
                identifier="open_appointments",
            ),
            padding=0,
        )

    def footer(self) -> ft.Control | None:
        if self.unavailable or self.loading:
            return None
        return ui.button(
            self.look,
            self.t("events.submit"),
            self.handler(self.submit),
            identifier="event_submit",
            busy=self.busy,
            disabled=not self.category,
        )

    def _choose(self, value: Any) -> None:
        self.category = value
        self.render()

    def _set(self, name: str):
        def update(e: Any) -> None:
            setattr(self, name, e.control.value or "")

        return update

    async def locate(self) -> None:
        self.locating = True
        self.render()
        try:
            self.position = await locate(self.app.photos)
        finally:
            self.locating = False
        if self.position is None:
            self.notice = ("warning", self.t("events.no_location"))
        self.render()

    async def pick_photo(self) -> None:
        photos = await self.app.photos.pick()
        if photos:
            self.photo = photos[0]
        self.render()

    async def submit(self) -> None:
        if self.busy or not self.category:
            return
        self.busy = True
        self.done = False
        self.notice = None
        self.render()
        if self.attempt_key is None:
            self.attempt_key = new_idempotency_key()
        try:
            await self.api.report_event(
                self.category,
                self.description.strip(),
                lat=self.position[0] if self.position else None,
                long=self.position[1] if self.position else None,
                address=self.address.strip(),
                photo=self.photo[1] if self.photo else None,
                photo_name=self.photo[0] if self.photo else "photo.jpg",
                idempotency_key=self.attempt_key,
            )
        except ApiError as exc:
            if exc.status != 0:
                self.attempt_key = None
            raise
        finally:
            self.busy = False
        self.attempt_key = None
        self.description, self.address, self.photo, self.category, self.position = "", "", None, None, None
        self.done = True
        await self.app.open(self)

    async def open_appointments(self) -> None:
        await self.app.go(AppointmentsScreen(self.app))


class AppointmentsScreen(Screen):
    tab = "events"

    def __init__(self, app, service: str | None = None) -> None:
        super().__init__(app)
        self.service = service  # from "ask a clerk": that service's counter slots first
        self.slots: list[dict[str, Any]] = []
        self.mine: list[dict[str, Any]] = []
        self.unavailable = False
        self.busy_slot: Any = None
        self.keys: dict[Any, str] = {}

    def title(self) -> str:
        return self.t("appointments.title")

    async def load(self) -> None:
        try:
            self.slots = await self.api.appointment_slots(service=self.service) if self.service else []
            if not self.slots:
                self.slots = await self.api.appointment_slots()
            self.unavailable = False
        except NotAvailable:
            self.unavailable = True
            return
        try:
            self.mine = [b for b in await self.api.appointments() if b.get("status") not in ("cancelled", "canceled")]
        except NotAvailable:
            self.mine = []

    def build(self) -> list[ft.Control]:
        look = self.look
        if self.unavailable:
            return [coming_soon(self, ft.Icons.EVENT_AVAILABLE)]
        out: list[ft.Control] = []
        mine: list[ft.Control] = []
        for booking in self.mine:
            if booking.get("status") in ("cancelled", "canceled"):
                continue
            slot = booking.get("slot") if isinstance(booking.get("slot"), dict) else booking
            mine.append(
                ui.card(
                    look,
                    ft.Row(
                        [
                            ft.Column(
                                [
                                    ui.text(
                                        look,
                                        str(slot.get("venue_name") or slot.get("venue") or ""),
                                        15,
                                        weight=ft.FontWeight.BOLD,
                                    ),
                                    ui.text(look, short_datetime(slot.get("starts_at")), 14, color=look.text2),
                                ],
                                spacing=2,
                                expand=True,
                            ),
                            ui.button(
                                look,
                                self.t("appointments.cancel"),
                                self.handler(self.cancel, booking.get("id")),
                                kind="danger",
                                expand=False,
                            ),
                        ]
                    ),
                )
            )
        if mine:
            out.append(ui.section(look, self.t("appointments.mine"), mine))
        slots: list[ft.Control] = []
        for slot in self.slots[: (20 if not look.elder else 6)]:
            remaining = int(slot.get("remaining", 0) or 0)
            full = remaining <= 0
            slots.append(
                ui.card(
                    look,
                    ft.Row(
                        [
                            ft.Column(
                                [
                                    ui.text(
                                        look,
                                        str(slot.get("venue_name") or slot.get("venue") or ""),
                                        15,
                                        weight=ft.FontWeight.BOLD,
                                    ),
                                    ui.text(
                                        look,
                                        str(slot.get("service_name") or slot.get("service") or ""),
                                        13,
                                        color=look.text3,
                                    ),
                                    ui.text(look, short_datetime(slot.get("starts_at")), 14, color=look.text2),
                                ],
                                spacing=2,
                                expand=True,
                            ),
                            ft.Column(
                                [
                                    ui.text(
                                        look,
                                        self.t("appointments.full")
                                        if full
                                        else self.t("appointments.remaining", n=remaining),
                                        13,
                                        color=look.text3 if full else look.success,
                                    ),
                                    ui.button(
                                        look,
                                        self.t("appointments.book"),
                                        self.handler(self.book, slot.get("id")),
                                        expand=False,
                                        disabled=full,
                                        busy=self.busy_slot == slot.get("id"),
                                        identifier=f"slot_{slot.get('id')}",
                                    ),
                                ],
                                horizontal_alignment=ft.CrossAxisAlignment.END,
                                spacing=4,
                            ),
                        ]
                    ),
                )
            )
        if not slots:
            slots.append(
                ui.with_id("appointments_empty", ui.empty(look, self.t("appointments.empty"), ft.Icons.EVENT_BUSY))
            )
        out.append(ui.section(look, self.t("appointments.slots"), slots))
        return out

    async def book(self, slot_id: Any) -> None:
        if self.busy_slot is not None:
            return
        self.busy_slot = slot_id
        key = self.keys.setdefault(slot_id, new_idempotency_key())
        self.render()
        try:
            await self.api.book(int(slot_id), idempotency_key=key)
            self.keys.pop(slot_id, None)
            self.notice = ("success", self.t("appointments.booked"))
        except ApiError as exc:
            if exc.status != 0:  # answered: the next tap is a new attempt
                self.keys.pop(slot_id, None)
            raise
        finally:
            self.busy_slot = None
        await self.app.open(self)

    async def cancel(self, booking_id: Any) -> None:
        await self.api.cancel_appointment(int(booking_id))
        await self.app.open(self)
