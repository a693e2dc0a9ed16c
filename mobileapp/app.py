"""The app shell: page set-up, a small navigation stack with five tabs, rendering and error handling.

Screens (``mobileapp/screens``) subclass :class:`mobileapp.screens.base.Screen`: ``load()`` fetches through the
controllers, ``build()`` returns the body from what was loaded. Navigation goes by route name
(``mobileapp.routes``). Any state change re-renders the current screen in the current look (normal or elder mode)
and language, so switching either applies at once everywhere.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import flet as ft

from mobileapp import routes, theme, ui
from mobileapp.api import ApiClient, ApiError, NetworkError
from mobileapp.capture import PhotoSource
from mobileapp.screens.base import Screen
from mobileapp.session import AppState
from mobileapp.storage import storage_for

logger = logging.getLogger(__name__)

ASSETS_DIR = Path(__file__).parent / "assets"
DEFAULT_API_URL = "http://127.0.0.1:8000"
MAX_WIDTH = 520

TABS: list[tuple[str, ft.IconData, ft.IconData, str]] = [
    ("home", ft.Icons.HOME_OUTLINED, ft.Icons.HOME, "tab.home"),
    ("services", ft.Icons.APPS_OUTLINED, ft.Icons.APPS, "tab.services"),
    ("cases", ft.Icons.ASSIGNMENT_OUTLINED, ft.Icons.ASSIGNMENT, "tab.cases"),
    ("events", ft.Icons.LOCATION_CITY_OUTLINED, ft.Icons.LOCATION_CITY, "tab.events"),
    ("me", ft.Icons.PERSON_OUTLINE, ft.Icons.PERSON, "tab.me"),
]


class App:
    def __init__(self, page: ft.Page, api_url: str | None = None) -> None:
        self.page = page
        self.api = ApiClient(api_url or os.environ.get("YIWANG_API_URL", DEFAULT_API_URL))
        self.storage = storage_for(page)
        self.photos = PhotoSource(page)
        self.state = AppState(self.api, self.storage)
        self.stack: list[Screen] = []
        self.look = theme.NORMAL
        self.fatal: ApiError | None = None
        self._frame_box: ft.Container | None = None
        self._frame_col: ft.Column | None = None
        self.state.on_change(self._settings_changed)

    # ---- start ----

    async def start(self) -> None:
        page = self.page
        page.title = "一网通办 Yiwang"
        page.fonts = {theme.FONT_FAMILY: theme.FONT_FILE}
        page.padding = 0
        page.spacing = 0
        page.theme_mode = ft.ThemeMode.LIGHT
        page.on_resize = self._on_resize
        # a web session survives a page reload (the client reconnects to it): close the HTTP client only when
        # the session itself ends
        page.on_close = self._on_close
        self._apply_look()
        page.add(ft.Container(expand=True))
        page.update()
        await self.boot()

    async def boot(self) -> None:
        self.fatal = None
        try:
            await self.state.restore()
        except NetworkError as exc:
            self.fatal = exc
            self.render()
            return
        except ApiError as exc:
            self.fatal = exc
            self.render()
            return
        self._apply_look()
        await self.reset("home" if self.state.logged_in else "login")

    def _apply_look(self) -> None:
        self.look = theme.look_for(self.state.elder_mode, self.state.text_size)
        self.page.theme = theme.flet_theme(self.look)
        self.page.bgcolor = "#DCE3EE" if not self.look.elder else "#FFFFFF"

    def _settings_changed(self) -> None:
        self._apply_look()
        self.render()

    async def _on_resize(self, e: Any) -> None:
        self.render()

    async def _on_close(self, e: Any) -> None:
        await self.api.aclose()

    # ---- navigation ----

    @property
    def current(self) -> Screen | None:
        return self.stack[-1] if self.stack else None

    async def go(self, route: str, *, replace: bool = False, back_to: str | None = None, **params: Any) -> None:
        """Open the screen of ``route`` (``mobileapp.routes``) on top of the current one; ``replace``: instead of
        it; ``back_to``: with that route's screen under it (back leads there, e.g. from a case to "my cases")."""
        screen = routes.screen_for(self, route, **params)
        if back_to is not None:
            self.stack = [routes.screen_for(self, back_to)]
        elif replace and self.stack:
            self.stack.pop()
        self.stack.append(screen)
        await self.open(screen)

    async def reset(self, route: str, *, notice: tuple[str, str] | None = None, **params: Any) -> None:
        """Start over at ``route`` (login, a tab), optionally with a notice at the top of it."""
        for left in reversed(self.stack):
            await self.guard(left, left.leave)
        screen = routes.screen_for(self, route, **params)
        if notice is not None:
            screen.notice = notice
        self.stack = [screen]
        await self.open(screen)

    async def open(self, screen: Screen) -> None:
        screen.view = None  # (re)opened: start at the top
        screen.loading = True
        screen.error = None
        self.render()
        await self.guard(screen, screen.load)
        screen.loading = False
        self.render()

    async def back(self, e: Any = None) -> None:
        if len(self.stack) > 1:
            await self.guard(self.stack[-1], self.stack[-1].leave)
            self.stack.pop()
            screen = self.stack[-1]
            await self.open(screen)

    async def switch_tab(self, name: str) -> None:
        if name not in routes.TAB_ROUTES:
            raise LookupError(f"no tab {name!r}")
        await self.reset(name)

    async def guard(self, screen: Screen, fn: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        """Run ``fn``; an API error lands on the screen (a lost session sends the resident to log in)."""
        try:
            return await fn(*args)
        except ApiError as exc:
            if exc.status == 401 and screen.needs_login and self.api.token:
                await self.session_expired()
                return None
            screen.error = exc
            screen.loading = False
            screen.render()
            return None
        except Exception:
            logger.exception("unexpected error on %s", type(screen).__name__)
            screen.error = ApiError("client_error", self.state.t("error.unexpected"))
            screen.loading = False
            screen.render()
            return None

    async def session_expired(self) -> None:
        await self.state.session_expired()
        await self.reset("login", notice=("warning", self.state.t("error.session_expired")))

    # ---- drawing ----

    def render(self) -> None:
        """Draw the current screen. The page's frame and the screen's scrolling column are kept between renders
        (only their contents change), so ticking a box or a validation message does not jump back to the top."""
        page = self.page
        width = page.width or MAX_WIDTH
        if self._frame_box is None:
            self._frame_box = ft.Container(expand=True)
            page.controls = [ft.Container(content=self._frame_box, alignment=ft.Alignment.TOP_CENTER, expand=True)]
        self._frame_box.width = min(width, MAX_WIDTH)
        self._frame_box.bgcolor = self.look.bg
        if self.fatal is not None:
            self._frame_box.content = self._fatal_view()
        elif self.current is None:
            self._frame_box.content = ui.loading(self.look, self.state.t("common.loading"))
        else:
            if self._frame_col is None:
                self._frame_col = ft.Column(spacing=0, expand=True)
            self._frame_col.controls = self._frame(self.current)
            self._frame_box.content = self._frame_col
        page.update()

    def _fatal_view(self) -> ft.Control:
        look = self.look
        assert self.fatal is not None
        return ft.Container(
            content=ui.empty(
                look,
                self.fatal.message,
                icon=ft.Icons.WIFI_OFF,
                action=ui.button(look, self.state.t("action.retry"), self._retry_boot, expand=False),
            ),
            alignment=ft.Alignment.CENTER,
            expand=True,
        )

    async def _retry_boot(self, e: Any = None) -> None:
        await self.boot()

    def _frame(self, screen: Screen) -> list[ft.Control]:
        look = self.look
        parts: list[ft.Control] = []
        hero = None if screen.loading else screen.hero()
        parts.append(hero if hero is not None else self._app_bar(screen))
        if self.api.acting_for is not None and self.state.logged_in:
            parts.append(self._acting_banner())
        body: list[ft.Control] = []
        if screen.notice:
            body.append(ui.with_id("screen_notice", ui.banner(look, screen.notice[1], kind=screen.notice[0])))
        if screen.error is not None:
            body.append(ui.with_id("screen_error", self._error_banner(screen)))
        if screen.loading:
            body.append(ui.with_id("screen_loading", ui.loading(look, self.state.t("common.loading"))))
        else:
            body.extend(screen.build())
        pad = look.pad if screen.padded() else 0
        if screen.view is None:  # one scrolling column per screen, kept while the screen is shown
            column = ft.Column(
                scroll=ft.ScrollMode.AUTO, expand=True, horizontal_alignment=ft.CrossAxisAlignment.STRETCH
            )
            screen.view = ft.Container(content=column, expand=True)
        column = screen.view.content
        column.controls = body
        column.spacing = look.gap
        screen.view.padding = ft.Padding.only(left=pad, right=pad, top=pad if screen.padded() else 0, bottom=pad)
        parts.append(screen.view)
        footer = None if screen.loading else screen.footer()
        if footer is not None:
            parts.append(
                ft.Container(
                    content=footer,
                    bgcolor=look.surface,
                    padding=ft.Padding.symmetric(horizontal=look.pad, vertical=10),
                    border=ft.Border.only(top=ft.BorderSide(look.border_width, look.border)),
                )
            )
        if screen.root and self.state.logged_in:
            parts.append(self._tab_bar(screen.tab))
        return parts

    def _acting_banner(self) -> ft.Control:
        """亲情代办: on every screen while acting for someone, whose business this is, and one tap back to oneself
        (what the resident does here is done in the principal's name)."""
        look = self.look
        return ui.with_id(
            "acting_banner",
            ft.Container(
                content=ft.Row(
                    [
                        ft.Icon(ft.Icons.FAMILY_RESTROOM, color=look.warning, size=look.icon(22)),
                        ui.text(
                            look,
                            self.state.t("acting.banner", name=self.api.acting_name),
                            15,
                            weight=ft.FontWeight.BOLD,
                            color=look.text,
                            expand=True,
                        ),
                        ui.button(
                            look,
                            self.state.t("acting.back_to_self"),
                            self._stop_acting,
                            kind="secondary",
                            expand=False,
                            identifier="acting_back",
                        ),
                    ],
                    spacing=10,
                    vertical_alignment=ft.CrossAxisAlignment.CENTER,
                ),
                bgcolor=look.warning_soft,
                padding=ft.Padding.symmetric(horizontal=look.pad, vertical=6),
                border=ft.Border.only(bottom=ft.BorderSide(max(1, look.border_width), look.warning)),
            ),
            label=self.state.t("acting.banner", name=self.api.acting_name),
        )

    async def _stop_acting(self, e: Any = None) -> None:
        self.api.acting_for, self.api.acting_name = None, ""
        await self.reset("home", notice=("info", self.state.t("acting.back_notice")))

    def _error_banner(self, screen: Screen) -> ft.Control:
        exc = screen.error
        assert exc is not None

        async def retry(e: Any = None) -> None:
            screen.error = None
            await self.open(screen)

        return ui.banner(
            self.look,
            exc.message or self.state.t("error.unexpected"),
            kind="danger",
            action_label=self.state.t("action.retry") if exc.retryable else None,
            on_action=retry if exc.retryable else None,
            icon=ft.Icons.WIFI_OFF if exc.status == 0 else None,
        )

    def _app_bar(self, screen: Screen) -> ft.Control:
        look = self.look
        lead: ft.Control
        if len(self.stack) > 1 and not screen.root:
            lead = ui.with_id(
                "nav_back",
                ft.Container(
                    content=ft.Icon(ft.Icons.ARROW_BACK_IOS_NEW, color="#FFFFFF", size=look.icon(20)),
                    width=look.touch,
                    height=look.touch,
                    alignment=ft.Alignment.CENTER,
                    on_click=self.back,
                    ink=True,
                    border_radius=look.touch / 2,
                ),
                button=True,
                label=self.state.t("action.back"),
            )
        else:
            lead = ft.Container(width=look.touch)
        actions = screen.actions()
        trail: ft.Control = ft.Row(actions, spacing=0) if actions else ft.Container(width=look.touch)
        return ft.Container(
            content=ft.Row(
                [
                    lead,
                    ft.Container(
                        content=ui.text(
                            look, screen.title(), 18, weight=ft.FontWeight.BOLD, color="#FFFFFF", max_lines=1
                        ),
                        expand=True,
                        alignment=ft.Alignment.CENTER,
                    ),
                    trail,
                ],
                vertical_alignment=ft.CrossAxisAlignment.CENTER,
            ),
            bgcolor=look.primary,
            padding=ft.Padding.symmetric(horizontal=4, vertical=4),
            height=look.touch + 12,
        )

    def _tab_bar(self, active: str) -> ft.Control:
        look = self.look
        items = []
        for name, icon, icon_active, key in TABS:
            selected = name == active
            color = look.primary if selected else (look.text3 if not look.elder else look.text2)
            icon_control: ft.Control = ft.Icon(icon_active if selected else icon, color=color, size=look.icon(24))
            if name == "me" and self.state.unread:
                icon_control = ft.Stack(
                    [
                        icon_control,
                        ft.Container(width=9, height=9, bgcolor=look.danger, border_radius=5, right=0, top=0),
                    ],
                    width=look.icon(26),
                    height=look.icon(26),
                )
            items.append(
                ui.with_id(
                    f"tab_{name}",
                    ft.Container(
                        content=ft.Column(
                            [
                                icon_control,
                                ui.text(
                                    look,
                                    self.state.t(key),
                                    11,
                                    fixed_width=True,
                                    color=color,
                                    weight=ft.FontWeight.BOLD if selected else None,
                                    max_lines=1,
                                ),
                            ],
                            spacing=2,
                            horizontal_alignment=ft.CrossAxisAlignment.CENTER,
                            alignment=ft.MainAxisAlignment.CENTER,
                        ),
                        expand=True,
                        on_click=self._tab_handler(name),
                        height=look.touch + (14 if not look.elder else 24),
                        alignment=ft.Alignment.CENTER,
                    ),
                    button=True,
                    selected=selected,
                )
            )
        return ft.Container(
            content=ft.Row(items, spacing=0),
            bgcolor=look.surface,
            border=ft.Border.only(top=ft.BorderSide(look.border_width, look.border)),
        )

    def _tab_handler(self, name: str) -> Callable[..., Awaitable[None]]:
        async def run(e: Any = None) -> None:
            await self.switch_tab(name)

        return run


async def main(page: ft.Page) -> None:
    app = App(page)
    await app.start()


def run() -> None:
    logging.basicConfig(level=os.environ.get("YIWANG_APP_LOG", "INFO"))
    ft.run(main, assets_dir=str(ASSETS_DIR), no_cdn=True)
