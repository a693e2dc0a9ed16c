"""Me: profile with real-name status, real-name binding, face enrolment, elder mode, language, notifications and
the data-access log."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import flet as ft

from mobileapp import ui
from mobileapp.api import ApiError, Notification
from mobileapp.controllers.notifications import NotificationsController, case_of, offer_of
from mobileapp.controllers.profile import DataAccessController
from mobileapp.formats import short_datetime
from mobileapp.screens.base import Screen
from mobileapp.session import TEXT_SIZE_CHOICES

if TYPE_CHECKING:
    from mobileapp.app import App


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
        profile = self.state.profile
        verified = self.state.real_name_verified
        name = profile["name"] if profile and verified else self.t("home.guest")
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
                            ui.text(
                                look,
                                self.t("me.phone", phone=profile["phone"] if profile else ""),
                                14,
                                color=look.on_primary_muted,
                            ),
                            ui.text(look, profile["id_number"] or "", 13, color=look.on_primary_muted)
                            if profile and verified
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
        profile = self.state.profile
        verified = self.state.real_name_verified
        enrolled = bool(profile and profile["face_enrolled"])
        identity = ui.card(
            look,
            ft.Column(
                [
                    ui.menu_row(
                        look,
                        ft.Icons.VERIFIED_USER_OUTLINED,
                        self.t("me.realname"),
                        self.handler(self.app.go, "real_name") if not verified else None,
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
                        self.handler(self.app.go, "face_enrol"),
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
                                    label=self.t("me.elder"),
                                ),
                            ],
                            spacing=12,
                        ),
                        padding=ft.Padding.symmetric(horizontal=look.pad, vertical=(look.touch - look.icon(22)) / 2),
                        on_click=self.handler(self.state.set_elder_mode, not self.state.elder_mode),  # the whole row
                        ink=True,
                    ),
                    ui.divider(look),
                    self._text_size_setting(),
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
                        self.handler(self.app.go, "notifications"),
                        trailing=ui.tag(look, str(unread), "#FFFFFF", look.danger) if unread else None,
                        identifier="me_notifications",
                    ),
                    ui.divider(look),
                    ui.menu_row(
                        look,
                        ft.Icons.BADGE_OUTLINED,
                        self.t("me.certificates"),
                        self.handler(self.app.go, "certificates"),
                        identifier="me_certificates",
                    ),
                    ui.divider(look),
                    ui.menu_row(
                        look,
                        ft.Icons.EVENT_AVAILABLE_OUTLINED,
                        self.t("me.appointments"),
                        self.handler(self.app.go, "appointments"),
                        identifier="me_appointments",
                    ),
                    ui.divider(look),
                    ui.menu_row(
                        look,
                        ft.Icons.POLICY_OUTLINED,
                        self.t("me.data_access"),
                        self.handler(self.app.go, "data_access"),
                        identifier="me_data_access",
                    ),
                    ui.divider(look),
                    ui.menu_row(
                        look,
                        ft.Icons.CARD_GIFTCARD,
                        self.t("me.offers"),
                        self.handler(self.app.go, "offers"),
                        identifier="me_offers",
                    ),
                    ui.divider(look),
                    ui.menu_row(
                        look,
                        ft.Icons.FAMILY_RESTROOM,
                        self.t("me.delegation"),
                        self.handler(self.app.go, "delegation"),
                        identifier="me_delegation",
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

    def _text_size_setting(self) -> ft.Control:
        """标准 / 大 / 超大: three large option tiles (no drop-down), in either look."""
        look = self.look
        options: list[ft.Control] = []
        for size in TEXT_SIZE_CHOICES:
            active = self.state.text_size == size
            options.append(
                ui.with_id(
                    f"text_size_{size}",
                    ft.Container(
                        content=ui.text(
                            look,
                            self.t(f"text_size.{size}"),
                            15,
                            color="#FFFFFF" if active else look.text,
                            weight=ft.FontWeight.BOLD if active else None,
                            align=ft.TextAlign.CENTER,
                            max_lines=1,
                        ),
                        height=look.touch,
                        expand=True,
                        alignment=ft.Alignment.CENTER,
                        bgcolor=look.primary if active else look.surface,
                        border=ft.Border.all(look.border_width, look.primary if active else look.border),
                        border_radius=10,
                        on_click=self.handler(self.state.set_text_size, size),
                        ink=True,
                    ),
                    button=True,
                    selected=active,
                )
            )
        return ft.Container(
            content=ft.Column(
                [
                    ft.Row(
                        [
                            ft.Icon(ft.Icons.FORMAT_SIZE, color=look.primary, size=look.icon(22)),
                            ui.text(look, self.t("me.text_size"), 16, expand=True),
                        ],
                        spacing=12,
                    ),
                    ft.Row(options, spacing=8),
                ],
                spacing=10,
            ),
            padding=ft.Padding.symmetric(horizontal=look.pad, vertical=look.pad - 4),
        )

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
                        padding=ft.Padding.symmetric(horizontal=10 if not look.elder else 14, vertical=6),
                        height=ui.target_height(look),
                        alignment=ft.Alignment.CENTER,
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

    async def logout(self) -> None:
        await self.state.logout()
        await self.app.reset("login")


class RealNameScreen(Screen):
    tab = "me"

    def __init__(self, app: App) -> None:
        super().__init__(app)
        self.name = ""
        self.id_number = ""
        self.busy = False
        self.done = False

    def title(self) -> str:
        return self.t("me.realname")

    def build(self) -> list[ft.Control]:
        look = self.look
        if self.state.profile and (self.done or self.state.real_name_verified):
            profile = self.state.profile
            return [
                ui.card(
                    look,
                    ft.Column(
                        [
                            ft.Icon(ft.Icons.VERIFIED_USER, color=look.success, size=look.icon(64)),
                            ui.with_id("realname_ok", ui.title(look, self.t("me.realname_ok"), 20)),
                            ui.text(look, profile["name"], 16),
                            ui.text(look, profile["id_number"] or "", 14, color=look.text3),
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

    def _set(self, name: str) -> Callable[[Any], None]:
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

    def __init__(self, app: App) -> None:
        super().__init__(app)
        self.busy = False

    def title(self) -> str:
        return self.t("face.enrol_title")

    def build(self) -> list[ft.Control]:
        look = self.look
        enrolled = bool(self.state.profile and self.state.profile["face_enrolled"])
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

    def __init__(self, app: App) -> None:
        super().__init__(app)
        self.inbox = NotificationsController(self.api)

    def title(self) -> str:
        return self.t("notices.title")

    async def load(self) -> None:
        await self.inbox.load()
        self.state.unread = self.inbox.unread

    def build(self) -> list[ft.Control]:
        look = self.look
        if not self.inbox.items:
            return [ui.empty(look, self.t("notices.empty"), ft.Icons.NOTIFICATIONS_NONE)]
        out: list[ft.Control] = []
        for n in self.inbox.items:
            unread = not n["read"]
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
                                        n["title"],
                                        16,
                                        weight=ft.FontWeight.BOLD if unread else None,
                                        expand=True,
                                    ),
                                ],
                                spacing=8,
                            ),
                            ui.text(look, n["body"], 14, color=look.text2),
                            ui.text(look, short_datetime(n["created_at"]), 12, color=look.text3),
                        ],
                        spacing=6,
                    ),
                    on_click=self.handler(self.open_notice, n),
                    identifier=f"notice_{n['id']}",
                )
            )
        if self.inbox.list.has_more:
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
                height=ui.target_height(self.look),
                alignment=ft.Alignment.CENTER,
            )
        ]

    async def more(self) -> None:
        await self.inbox.load_more()
        self.render()

    async def read_all(self) -> None:
        await self.inbox.mark_all_read()
        await self.app.open(self)

    async def open_notice(self, notice: Notification) -> None:
        if not notice["read"]:
            await self.inbox.mark_read(notice)
            self.state.unread = max(0, self.state.unread - 1)
        case_id = case_of(notice)
        if case_id:
            await self.app.go("case", case_id=case_id)
        elif (offer_id := offer_of(notice)) is not None:
            await self.app.go("offer", offer_id=offer_id)
        elif (bundle := await self.inbox.bundle_of(notice)) is not None:
            await self.app.go("bundle_result", application=bundle)
        else:
            self.render()


class DataAccessScreen(Screen):
    tab = "me"

    def __init__(self, app: App) -> None:
        super().__init__(app)
        self.log = DataAccessController(self.api)

    def title(self) -> str:
        return self.t("me.data_access")

    async def load(self) -> None:
        await self.log.load()

    def build(self) -> list[ft.Control]:
        look = self.look
        out: list[ft.Control] = [ui.text(look, self.t("me.data_access_intro"), 14, color=look.text3)]
        if not self.log.items:
            out.append(ui.empty(look, self.t("me.data_access_empty"), ft.Icons.POLICY_OUTLINED))
            return out
        for row in self.log.items:
            lines: list[ft.Control] = [
                ft.Row(
                    [
                        ui.text(look, row["department"], 16, weight=ft.FontWeight.BOLD, expand=True),
                        ui.text(look, short_datetime(row["at"]), 12, color=look.text3),
                    ],
                    spacing=8,
                ),
                ui.text(look, "、".join(row["item_labels"]), 14, color=look.text),
            ]
            if row["purpose"]:
                lines.append(ui.text(look, row["purpose"], 13, color=look.text2))
            lines.append(ui.text(look, self.t("me.data_access_by", actor=row["actor"]), 13, color=look.text3))
            case = row["case"]
            if case and case["reference_no"]:
                lines.append(
                    ui.text(look, self.t("me.data_access_case", ref=case["reference_no"]), 13, color=look.primary)
                )
            out.append(ui.card(look, ft.Column(lines, spacing=4), identifier=f"access_{row['id']}"))
        if self.log.has_more:
            out.append(ui.button(look, self.t("action.more"), self.handler(self.more), kind="ghost"))
        return out

    async def more(self) -> None:
        await self.log.load_more()
        self.render()
