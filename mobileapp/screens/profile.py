"""Me: profile with real-name status, real-name binding, face enrolment, elder mode, language, notifications and
the data-access log."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import flet as ft

from mobileapp import ui
from mobileapp.api import ApiError
from mobileapp.app import Screen
from mobileapp.state import PagedList, short_datetime


class ProfileScreen(Screen):
    tab = "me"
    root = True

    def title(self) -> str:
        return self.t("me.title")

    async def load(self) -> None:
        await self.state.refresh_profile()
        with contextlib.suppress(ApiError):  # the badge is optional
            await self.state.refresh_unread()

    def hero(self) -> ft.Control:
        look = self.look
        profile = self.state.profile or {}
        verified = self.state.real_name_verified
        name = str(profile.get("name") or "") if verified else self.t("home.guest")
        badge = ui.tag(
            look,
            self.t("me.realname_done") if verified else self.t("me.realname_todo"),
            look.success if verified else look.warning,
            "#FFFFFF",
        )
        return ft.Container(
            content=ft.Row(
                [
                    ft.Container(
                        content=ft.Icon(ft.Icons.PERSON, color=look.primary, size=look.icon(36)),
                        width=look.icon(64),
                        height=look.icon(64),
                        border_radius=look.icon(32),
                        bgcolor="#FFFFFF",
                        alignment=ft.Alignment.CENTER,
                    ),
                    ft.Column(
                        [
                            ft.Row(
                                [ui.text(look, name, 20, weight=ft.FontWeight.BOLD, color="#FFFFFF"), badge],
                                spacing=8,
                                wrap=True,
                            ),
                            ui.text(look, self.t("me.phone", phone=profile.get("phone", "")), 14, color="#DCE8FF"),
                            ui.text(look, str(profile.get("id_number") or ""), 13, color="#DCE8FF")
                            if verified
                            else ft.Container(),
                        ],
                        spacing=4,
                        expand=True,
                    ),
                ],
                spacing=14,
            ),
            gradient=ft.LinearGradient(
                colors=[look.primary_dark, look.primary], begin=ft.Alignment.TOP_LEFT, end=ft.Alignment.BOTTOM_RIGHT
            ),
            padding=ft.Padding.only(left=20, right=20, top=32, bottom=24),
        )

    def build(self) -> list[ft.Control]:
        look = self.look
        profile = self.state.profile or {}
        verified = self.state.real_name_verified
        enrolled = bool(profile.get("face_enrolled"))
        identity = ui.card(
            look,
            ft.Column(
                [
                    ui.menu_row(
                        look,
                        ft.Icons.VERIFIED_USER_OUTLINED,
                        self.t("me.realname"),
                        self.handler(self.open, RealNameScreen) if not verified else None,
                        trailing=ui.tag(
                            look,
                            self.t("me.realname_done") if verified else self.t("me.realname_todo"),
                            look.success if verified else look.warning,
                            look.success_soft if verified else look.warning_soft,
                        ),
                        identifier="me_realname",
                    ),
                    ui.divider(look),
                    ui.menu_row(
                        look,
                        ft.Icons.FACE_OUTLINED,
                        self.t("me.face"),
                        self.handler(self.open, FaceEnrolScreen),
                        trailing=ui.tag(
                            look,
                            self.t("me.face_done") if enrolled else self.t("me.face_todo"),
                            look.success if enrolled else look.text3,
                            look.success_soft if enrolled else look.bg,
                        ),
                        identifier="me_face",
                    ),
                ],
                spacing=0,
            ),
            padding=0,
        )
        settings = ui.card(
            look,
            ft.Column(
                [
                    ft.Container(
                        content=ft.Row(
                            [
                                ft.Icon(ft.Icons.ELDERLY, color=look.primary, size=look.icon(22)),
                                ui.text(look, self.t("me.elder"), 16, expand=True),
                                ui.with_id(
                                    "elder_mode",
                                    ft.Switch(
                                        value=self.state.elder_mode,
                                        on_change=self.toggle_elder,
                                        active_color=look.primary,
                                    ),
                                    toggled=self.state.elder_mode,
                                ),
                            ],
                            spacing=12,
                        ),
                        padding=ft.Padding.symmetric(horizontal=look.pad, vertical=(look.touch - look.icon(22)) / 2),
                    ),
                    ui.divider(look),
                    ft.Container(
                        content=ft.Row(
                            [
                                ft.Icon(ft.Icons.TRANSLATE, color=look.primary, size=look.icon(22)),
                                ui.text(look, self.t("me.language"), 16, expand=True),
                                self._language_toggle(),
                            ],
                            spacing=12,
                        ),
                        padding=ft.Padding.symmetric(horizontal=look.pad, vertical=(look.touch - look.icon(22)) / 2),
                    ),
                ],
                spacing=0,
            ),
            padding=0,
        )
        unread = self.state.unread
        menu = ui.card(
            look,
            ft.Column(
                [
                    ui.menu_row(
                        look,
                        ft.Icons.NOTIFICATIONS_OUTLINED,
                        self.t("me.notifications"),
                        self.handler(self.open, NotificationsScreen),
                        trailing=ui.tag(look, str(unread), "#FFFFFF", look.danger) if unread else None,
                        identifier="me_notifications",
                    ),
                    ui.divider(look),
                    ui.menu_row(
                        look,
                        ft.Icons.BADGE_OUTLINED,
                        self.t("me.certificates"),
                        self.handler(self.certs),
                        identifier="me_certificates",
                    ),
                    ui.divider(look),
                    ui.menu_row(
                        look,
                        ft.Icons.EVENT_AVAILABLE_OUTLINED,
                        self.t("me.appointments"),
                        self.handler(self.appointments),
                        identifier="me_appointments",
                    ),
                    ui.divider(look),
                    ui.menu_row(
                        look,
                        ft.Icons.POLICY_OUTLINED,
                        self.t("me.data_access"),
                        self.handler(self.open, DataAccessScreen),
                        identifier="me_data_access",
                    ),
                ],
                spacing=0,
            ),
            padding=0,
        )
        return [
            identity,
            settings,
            menu,
            ui.button(look, self.t("me.logout"), self.handler(self.logout), kind="ghost", identifier="logout"),
        ]

    def _language_toggle(self) -> ft.Control:
        look = self.look
        parts = []
        for code, label in (("zh-CN", "中文"), ("en", "English")):
            active = self.state.language == code
            parts.append(
                ui.with_id(
                    f"language_{code}",
                    ft.Container(
                        content=ui.text(
                            look,
                            label,
                            13,
                            color="#FFFFFF" if active else look.text2,
                            weight=ft.FontWeight.BOLD if active else None,
                        ),
                        bgcolor=look.primary if active else None,
                        padding=ft.Padding.symmetric(horizontal=10, vertical=6 if not look.elder else 10),
                        border_radius=14,
                        on_click=self.handler(self.state.set_language, code),
                    ),
                    button=True,
                    selected=active,
                )
            )
        return ft.Container(
            content=ft.Row(parts, spacing=2, tight=True),
            border=ft.Border.all(1, look.border),
            border_radius=16,
            padding=2,
        )

    async def toggle_elder(self, e: Any) -> None:
        await self.state.set_elder_mode(bool(e.control.value))

    async def open(self, screen_cls) -> None:
        await self.app.go(screen_cls(self.app))

    async def certs(self) -> None:
        from mobileapp.screens.certificates import CertificatesScreen

        await self.app.go(CertificatesScreen(self.app))

    async def appointments(self) -> None:
        from mobileapp.screens.events import AppointmentsScreen

        await self.app.go(AppointmentsScreen(self.app))

    async def logout(self) -> None:
        from mobileapp.screens.login import LoginScreen

        await self.state.logout()
        await self.app.reset(LoginScreen(self.app))


class RealNameScreen(Screen):
    tab = "me"

    def __init__(self, app) -> None:
        super().__init__(app)
        self.name = ""
        self.id_number = ""
        self.busy = False
        self.done = False

    def title(self) -> str:
        return self.t("me.realname")

    def build(self) -> list[ft.Control]:
        look = self.look
        if self.done or self.state.real_name_verified:
            profile = self.state.profile or {}
            return [
                ui.card(
                    look,
                    ft.Column(
                        [
                            ft.Icon(ft.Icons.VERIFIED_USER, color=look.success, size=look.icon(64)),
                            ui.with_id("realname_ok", ui.title(look, self.t("me.realname_ok"), 20)),
                            ui.text(look, str(profile.get("name", "")), 16),
                            ui.text(look, str(profile.get("id_number", "")), 14, color=look.text3),
                        ],
                        horizontal_alignment=ft.CrossAxisAlignment.CENTER,
                        spacing=8,
                    ),
                )
            ]
        fields = self.error.field_messages() if self.error is not None else {}
        return [
            ui.banner(look, self.t("me.realname_intro"), kind="info", icon=ft.Icons.SHIELD_OUTLINED),
            ui.card(
                look,
                ft.Column(
                    [
                        ui.text_field(
                            look,
                            self.t("me.name"),
                            value=self.name,
                            on_change=self._set("name"),
                            identifier="realname_name",
                            error=fields.get("name"),
                        ),
                        ui.text_field(
                            look,
                            self.t("me.id_number"),
                            value=self.id_number,
                            on_change=self._set("id_number"),
                            identifier="realname_id_number",
                            error=fields.get("id_number"),
                            max_length=18,
                        ),
                    ],
                    spacing=look.gap,
                ),
            ),
        ]

    def footer(self) -> ft.Control | None:
        if self.done or self.state.real_name_verified:
            return ui.button(self.look, self.t("action.back"), self.app.back, kind="secondary")
        return ui.button(
            self.look,
            self.t("me.realname_submit"),
            self.handler(self.submit),
            identifier="realname_submit",
            busy=self.busy,
        )

    def _set(self, name: str):
        def update(e: Any) -> None:
            setattr(self, name, e.control.value or "")

        return update

    async def submit(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.error = None
        self.render()
        try:
            await self.state.bind_real_name(self.name, self.id_number)
            self.done = True
        finally:
            self.busy = False
        self.render()


class FaceEnrolScreen(Screen):
    tab = "me"

    def __init__(self, app) -> None:
        super().__init__(app)
        self.busy = False

    def title(self) -> str:
        return self.t("face.enrol_title")

    def build(self) -> list[ft.Control]:
        look = self.look
        enrolled = bool((self.state.profile or {}).get("face_enrolled"))
        parts: list[ft.Control] = [
            ft.Container(
                content=ft.Icon(
                    ft.Icons.VERIFIED if enrolled else ft.Icons.FACE_RETOUCHING_NATURAL,
                    size=look.icon(96),
                    color=look.success if enrolled else look.primary,
                ),
                width=look.fs(170),
                height=look.fs(170),
                border_radius=look.fs(85),
                bgcolor=look.success_soft if enrolled else look.primary_soft,
                alignment=ft.Alignment.CENTER,
            ),
            ui.title(look, self.t("face.enrolled") if enrolled else self.t("face.enrol_title"), 18),
            ui.text(look, self.t("face.enrol_intro"), 14, color=look.text2, align=ft.TextAlign.CENTER),
            ui.text(look, self.t("face.privacy"), 12, color=look.text3, align=ft.TextAlign.CENTER),
        ]
        if self.busy:
            parts.append(ft.ProgressBar(color=look.primary, bgcolor=look.primary_soft))
            parts.append(ui.text(look, self.t("face.checking"), 14, color=look.primary))
        preview = self.app.photos.camera_view(look.fs(240))
        if preview is not None:
            parts.insert(0, preview)
        out: list[ft.Control] = []
        if not self.state.real_name_verified:
            out.append(ui.banner(look, self.t("service.realname_needed"), kind="warning"))
        out.append(ui.card(look, ft.Column(parts, horizontal_alignment=ft.CrossAxisAlignment.CENTER, spacing=12)))
        return out

    def footer(self) -> ft.Control:
        look = self.look
        buttons: list[ft.Control] = []
        if self.app.photos.camera_available:
            buttons.append(
                ui.button(
                    look, self.t("face.camera"), self.handler(self.take), busy=self.busy, icon=ft.Icons.PHOTO_CAMERA
                )
            )
        buttons.append(
            ui.button(
                look,
                self.t("face.enrol_submit"),
                self.handler(self.pick),
                identifier="face_capture",
                busy=self.busy,
                busy_label=self.t("face.checking"),
                icon=ft.Icons.UPLOAD_FILE,
                kind="secondary" if buttons else "primary",
            )
        )
        return ft.Column(buttons, spacing=8)

    async def pick(self) -> None:
        if self.busy:
            return
        photos = await self.app.photos.pick()
        if photos:
            await self.enrol(*photos[0])

    async def take(self) -> None:
        if self.busy:
            return
        photo = await self.app.photos.take()
        if photo:
            await self.enrol(*photo)

    async def enrol(self, name: str, data: bytes) -> None:
        self.busy = True
        self.error = None
        self.notice = None
        self.render()
        try:
            await self.state.enrol_face(data, name)
            self.notice = ("success", self.t("face.enrolled"))
        finally:
            self.busy = False
        self.render()


class NotificationsScreen(Screen):
    tab = "me"

    def __init__(self, app) -> None:
        super().__init__(app)
        self.list = PagedList(lambda page: self.api.notifications(page=page))

    def title(self) -> str:
        return self.t("notices.title")

    async def load(self) -> None:
        await self.list.load()
        self.state.unread = int(self.list.extra.get("unread", 0))

    def build(self) -> list[ft.Control]:
        look = self.look
        if not self.list.items:
            return [ui.empty(look, self.t("notices.empty"), ft.Icons.NOTIFICATIONS_NONE)]
        out: list[ft.Control] = []
        for n in self.list.items:
            unread = not n.get("read")
            out.append(
                ui.card(
                    look,
                    ft.Column(
                        [
                            ft.Row(
                                [
                                    ft.Container(
                                        width=8,
                                        height=8,
                                        border_radius=4,
                                        bgcolor=look.danger if unread else look.surface,
                                    ),
                                    ui.text(
                                        look,
                                        str(n.get("title", "")),
                                        16,
                                        weight=ft.FontWeight.BOLD if unread else None,
                                        expand=True,
                                    ),
                                ],
                                spacing=8,
                            ),
                            ui.text(look, str(n.get("body", "")), 14, color=look.text2),
                            ui.text(look, short_datetime(n.get("created_at")), 12, color=look.text3),
                        ],
                        spacing=6,
                    ),
                    on_click=self.handler(self.open_notice, n),
                    identifier=f"notice_{n.get('id')}",
                )
            )
        if self.list.has_more:
            out.append(ui.button(look, self.t("action.more"), self.handler(self.more), kind="ghost"))
        return out

    def actions(self) -> list[ft.Control]:
        if not self.state.unread:
            return []
        return [
            ft.Container(
                content=ui.text(self.look, self.t("notices.read_all"), 13, color="#FFFFFF"),
                on_click=self.handler(self.read_all),
                padding=ft.Padding.symmetric(horizontal=8, vertical=6),
            )
        ]

    async def more(self) -> None:
        await self.list.load_more()
        self.render()

    async def read_all(self) -> None:
        await self.api.mark_all_read()
        await self.app.open(self)

    async def open_notice(self, notice: dict[str, Any]) -> None:
        if not notice.get("read"):
            await self.api.mark_read(int(notice["id"]))
            notice["read"] = True
            self.state.unread = max(0, self.state.unread - 1)
        target = notice.get("target") or {}
        case_id = None
        if isinstance(target, dict):
            case_id = target.get("id") if target.get("type") == "case" else target.get("case")
        if case_id:
            from mobileapp.screens.cases import CaseScreen

            await self.app.go(CaseScreen(self.app, int(case_id)))
        else:
            self.render()


class DataAccessScreen(Screen):
    tab = "me"

    def __init__(self, app) -> None:
        super().__init__(app)
        self.list = PagedList(lambda page: self.api.data_access(page=page))

    def title(self) -> str:
        return self.t("me.data_access")

    async def load(self) -> None:
        await self.list.load()
        if not self.app.item_labels:
            await self._learn_labels()

    async def _learn_labels(self) -> None:
        """The log names registry items by key; the services' ``data_items`` give their labels."""
        try:
            services = await self.api.services()
            details = await asyncio.gather(*(self.api.service(s["code"]) for s in services), return_exceptions=True)
        except ApiError:
            return
        for detail in details:
            if isinstance(detail, dict):
                for item in detail.get("data_items") or []:
                    if item.get("key") and item.get("label"):
                        self.app.item_labels[str(item["key"])] = str(item["label"])

    def _item(self, item: Any) -> str:
        if isinstance(item, dict):
            return str(item.get("label") or self.app.item_labels.get(str(item.get("key")), item.get("key", "")))
        return self.app.item_labels.get(str(item), str(item))

    def build(self) -> list[ft.Control]:
        look = self.look
        out: list[ft.Control] = [ui.text(look, self.t("me.data_access_intro"), 14, color=look.text3)]
        if not self.list.items:
            out.append(ui.empty(look, self.t("me.data_access_empty"), ft.Icons.POLICY_OUTLINED))
            return out
        for row in self.list.items:
            items = row.get("items") or []
            items_text = "、".join(self._item(i) for i in items) if isinstance(items, list) else str(items)
            lines: list[ft.Control] = [
                ft.Row(
                    [
                        ui.text(look, str(row.get("department", "")), 16, weight=ft.FontWeight.BOLD, expand=True),
                        ui.text(look, short_datetime(row.get("at")), 12, color=look.text3),
                    ],
                    spacing=8,
                ),
                ui.text(look, items_text, 14, color=look.text),
            ]
            if row.get("purpose"):
                lines.append(ui.text(look, str(row.get("purpose")), 13, color=look.text2))
            lines.append(ui.text(look, self.t("me.data_access_by", actor=row.get("actor", "")), 13, color=look.text3))
            case = row.get("case")
            if isinstance(case, dict) and case.get("reference_no"):
                lines.append(
                    ui.text(look, self.t("me.data_access_case", ref=case["reference_no"]), 13, color=look.primary)
                )
            out.append(ui.card(look, ft.Column(lines, spacing=4), identifier=f"access_{row.get('id')}"))
        if self.list.has_more:
            out.append(ui.button(look, self.t("action.more"), self.handler(self.more), kind="ghost"))
        return out

    async def more(self) -> None:
        await self.list.load_more()
        self.render()
