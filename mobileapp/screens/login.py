"""Log in with phone + password; sign up with an SMS code (allauth headless, app client)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import flet as ft

from mobileapp import ui
from mobileapp.screens.base import Screen

if TYPE_CHECKING:
    from mobileapp.app import App


class LoginScreen(Screen):
    needs_login = False

    def __init__(self, app: App) -> None:
        super().__init__(app)
        self.mode = "login"  # login | signup | code
        self.phone = ""
        self.password = ""
        self.code = ""
        self.busy = False
        self.field_errors: dict[str, str] = {}

    def title(self) -> str:
        return self.t("app.name")

    def padded(self) -> bool:
        return False

    def hero(self) -> ft.Control:
        look = self.look
        return ft.Container(
            content=ft.Column(
                [
                    ft.Row(
                        [
                            ft.Container(
                                content=ui.text(look, "一网", 18, weight=ft.FontWeight.BOLD, color=look.primary),
                                width=look.fs(52),
                                height=look.fs(52),
                                bgcolor="#FFFFFF",
                                border_radius=look.fs(14),
                                alignment=ft.Alignment.CENTER,
                            ),
                            ft.Column(
                                [
                                    ui.text(look, self.t("app.name"), 22, weight=ft.FontWeight.BOLD, color="#FFFFFF"),
                                    ui.text(look, self.t("app.slogan"), 13, color=look.on_primary_muted),
                                ],
                                spacing=2,
                                expand=True,
                            ),
                            self._language_chip(),
                        ],
                        spacing=14,
                    ),
                ],
            ),
            gradient=ft.LinearGradient(
                colors=[look.primary_dark, look.primary], begin=ft.Alignment.TOP_LEFT, end=ft.Alignment.BOTTOM_RIGHT
            ),
            padding=ft.Padding.only(left=24, right=16, top=36, bottom=28),
        )

    def _language_chip(self) -> ft.Control:
        other = "en" if self.state.language != "en" else "zh-CN"
        label = "EN" if other == "en" else "中文"

        async def switch(e: Any = None) -> None:
            await self.state.set_language(other)

        return ui.with_id(
            "language_switch",
            ft.Container(
                content=ui.text(self.look, label, 13, color="#FFFFFF", weight=ft.FontWeight.BOLD),
                padding=ft.Padding.symmetric(horizontal=12, vertical=6),
                height=ui.target_height(self.look),
                alignment=ft.Alignment.CENTER,
                border=ft.Border.all(1, "#FFFFFF"),
                border_radius=16,
                on_click=switch,
            ),
            button=True,
        )

    def build(self) -> list[ft.Control]:
        look = self.look
        t = self.t
        if self.mode == "code":
            heading, sub = t("signup.title"), t("signup.code_sent", phone=self.phone)
        elif self.mode == "signup":
            heading, sub = t("signup.title"), t("signup.subtitle")
        else:
            heading, sub = t("login.title"), t("login.subtitle")
        form: list[ft.Control] = [
            ui.title(look, heading, 22),
            ui.text(look, sub, 14, color=look.text3),
            ft.Container(height=4),
        ]
        if self.error is not None and self.error.fields:
            self.field_errors = self.error.field_messages()
        if self.mode in ("login", "signup"):
            form.append(
                ui.text_field(
                    look,
                    t("login.phone"),
                    value=self.phone,
                    hint=t("login.phone_hint"),
                    on_change=self._set("phone"),
                    keyboard=ft.KeyboardType.PHONE,
                    prefix_icon=ft.Icons.PHONE_ANDROID,
                    identifier="login_phone",
                    error=self.field_errors.get("phone"),
                    max_length=None,
                )
            )
            form.append(
                ui.text_field(
                    look,
                    t("login.password"),
                    value=self.password,
                    hint=t("signup.password_hint") if self.mode == "signup" else "",
                    on_change=self._set("password"),
                    on_submit=self.handler(self.submit),
                    password=True,
                    prefix_icon=ft.Icons.LOCK_OUTLINE,
                    identifier="login_password",
                    error=self.field_errors.get("password") if self.mode == "signup" else None,
                )
            )
            if self.mode == "login":
                form.append(
                    ui.button(
                        look,
                        t("login.submit"),
                        self.handler(self.submit),
                        identifier="login_submit",
                        busy=self.busy,
                        busy_label=t("login.signing_in"),
                    )
                )
            else:
                form.append(
                    ui.button(
                        look, t("signup.submit"), self.handler(self.submit), identifier="signup_submit", busy=self.busy
                    )
                )
        else:
            form.append(
                ui.text_field(
                    look,
                    t("signup.code"),
                    value=self.code,
                    on_change=self._set("code"),
                    on_submit=self.handler(self.submit),
                    keyboard=ft.KeyboardType.NUMBER,
                    prefix_icon=ft.Icons.SMS_OUTLINED,
                    identifier="signup_code",
                    max_length=6,
                )
            )
            form.append(
                ui.button(
                    look, t("signup.verify"), self.handler(self.submit), identifier="signup_verify", busy=self.busy
                )
            )
        switch_key = "login.to_signup" if self.mode == "login" else "login.to_login"
        form.append(
            ft.Container(
                content=ui.with_id(
                    "login_mode_switch",
                    ft.Container(
                        content=ui.text(look, t(switch_key), 15, color=look.primary, weight=ft.FontWeight.BOLD),
                        on_click=self.handler(self.toggle_mode),
                        padding=ft.Padding.symmetric(horizontal=12, vertical=10),
                        height=ui.target_height(look),
                        alignment=ft.Alignment.CENTER,
                    ),
                    button=True,
                ),
                alignment=ft.Alignment.CENTER,
            )
        )
        form.append(ui.text(look, t("login.agreement"), 12, color=look.text3, align=ft.TextAlign.CENTER))
        return [
            ft.Container(
                content=ft.Column(form, spacing=look.gap + 2),
                padding=ft.Padding.symmetric(horizontal=24, vertical=24),
            )
        ]

    def _set(self, name: str) -> Callable[[Any], None]:
        def update(e: Any) -> None:
            setattr(self, name, e.control.value or "")

        return update

    async def toggle_mode(self) -> None:
        self.mode = "signup" if self.mode == "login" else "login"
        self.error = None
        self.notice = None
        self.field_errors = {}
        self.render()

    async def submit(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.error = None
        self.field_errors = {}
        self.render()
        try:
            if self.mode == "login":
                await self.state.login(self.phone, self.password)
            elif self.mode == "signup":
                await self.state.start_signup(self.phone, self.password)
                self.mode = "code"
                self.busy = False
                self.render()
                return
            else:
                await self.state.verify_phone(self.code)
        finally:
            self.busy = False
        self.password = ""
        await self.app.reset("home")
