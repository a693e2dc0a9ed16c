"""City services (一网统管): report a problem with photo and location, my reports; appointments.

Both APIs may not be deployed yet: a 404 on the collection shows a calm "coming soon" instead of an error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import flet as ft

from mobileapp import formats, ui
from mobileapp.capture import locate
from mobileapp.controllers.appointments import AppointmentsController
from mobileapp.controllers.events import EventsController
from mobileapp.formats import short_datetime
from mobileapp.screens.base import Screen
from mobileapp.screens.common import coming_soon, slot_list

if TYPE_CHECKING:
    from mobileapp.app import App


class EventsScreen(Screen):
    tab = "events"
    root = True

    def __init__(self, app: App) -> None:
        super().__init__(app)
        self.ctrl = EventsController(self.api)
        self.category: str | None = None
        self.description = ""
        self.address = ""
        self.photo: tuple[str, bytes] | None = None
        self.position: tuple[float, float] | None = None
        self.locating = False
        self.busy = False
        self.done = False

    def title(self) -> str:
        return self.t("events.title")

    async def load(self) -> None:
        await self.ctrl.load()

    def build(self) -> list[ft.Control]:
        look = self.look
        if not self.ctrl.available:
            return [coming_soon(self, ft.Icons.LOCATION_CITY), self._appointments_entry()]
        out: list[ft.Control] = []
        if self.done:
            out.append(ui.banner(look, self.t("events.thanks"), kind="success"))
        options = [(c["code"], c["name"]) for c in self.ctrl.categories]
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
        for report in self.ctrl.mine[: (10 if not look.elder else 4)]:
            lines: list[ft.Control] = [
                ft.Row(
                    [
                        ui.text(look, report["category"]["name"], 15, weight=ft.FontWeight.BOLD, expand=True),
                        ui.tag(look, formats.event_status(self.t, report["status"]), look.primary, look.primary_soft),
                    ]
                ),
                ui.text(look, report["description"], 14, color=look.text2, max_lines=2),
            ]
            if report["notice"]:
                lines.append(ui.text(look, report["notice"], 13, color=look.primary))
            lines.append(ui.text(look, short_datetime(report["created_at"]), 12, color=look.text3))
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
        if not self.ctrl.available or self.loading:
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

    def _set(self, name: str) -> Callable[[Any], None]:
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
        try:
            await self.ctrl.report(
                self.category, self.description, position=self.position, address=self.address, photo=self.photo
            )
        finally:
            self.busy = False
        self.description, self.address, self.photo, self.category, self.position = "", "", None, None, None
        self.done = True
        await self.app.open(self)

    async def open_appointments(self) -> None:
        await self.app.go("appointments")


class AppointmentsScreen(Screen):
    tab = "events"

    def __init__(self, app: App, service: str | None = None) -> None:
        super().__init__(app)
        # from "ask a clerk": that service's counter slots first
        self.ctrl = AppointmentsController(self.api, service=service)
        self.busy_slot: int | None = None

    def title(self) -> str:
        return self.t("appointments.title")

    async def load(self) -> None:
        await self.ctrl.load()

    def build(self) -> list[ft.Control]:
        look = self.look
        if not self.ctrl.available:
            return [coming_soon(self, ft.Icons.EVENT_AVAILABLE)]
        out: list[ft.Control] = []
        mine: list[ft.Control] = []
        for booking in self.ctrl.mine:
            slot = booking["slot"]
            mine.append(
                ui.card(
                    look,
                    ft.Row(
                        [
                            ft.Column(
                                [
                                    ui.text(
                                        look,
                                        slot["venue_name"],
                                        15,
                                        weight=ft.FontWeight.BOLD,
                                    ),
                                    ui.text(look, short_datetime(slot["starts_at"]), 14, color=look.text2),
                                ],
                                spacing=2,
                                expand=True,
                            ),
                            ui.button(
                                look,
                                self.t("appointments.cancel"),
                                self.handler(self.cancel, booking["id"]),
                                kind="danger",
                                expand=False,
                            ),
                        ]
                    ),
                )
            )
        if mine:
            out.append(ui.section(look, self.t("appointments.mine"), mine))
        out.append(
            slot_list(
                self,
                self.ctrl.slots,
                self.book,
                busy=self.busy_slot,
                identifier="slot_",
                empty=("appointments_empty", "appointments.empty"),
            )
        )
        return out

    async def book(self, slot_id: int) -> None:
        if self.busy_slot is not None:
            return
        self.busy_slot = slot_id
        self.render()
        try:
            await self.ctrl.book(slot_id)
            self.notice = ("success", self.t("appointments.booked"))
        finally:
            self.busy_slot = None
        await self.app.open(self)

    async def cancel(self, booking_id: int) -> None:
        await self.ctrl.cancel(booking_id)
        await self.app.open(self)
