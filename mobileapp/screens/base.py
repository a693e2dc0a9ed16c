"""The base class of every screen: ``load()`` fetches through the controllers, ``build()`` returns the body from
what was loaded; the app shell (``mobileapp.app``) draws it in the current look and language."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import flet as ft

from mobileapp import theme
from mobileapp.api import ApiClient, ApiError
from mobileapp.session import AppState

if TYPE_CHECKING:
    from mobileapp.app import App


class Screen:
    """One screen. ``root`` screens are the tabs' first screens (tab bar shown, no back arrow)."""

    tab = "home"
    root = False
    needs_login = True

    def __init__(self, app: App) -> None:
        self.app = app
        self.error: ApiError | None = None
        self.loading = False
        self.notice: tuple[str, str] | None = None  # (kind, message) shown at the top of the body
        self.view: Any = None  # the screen's scrolling body, kept between renders (see App.render)

    # shortcuts
    @property
    def look(self) -> theme.Look:
        return self.app.look

    @property
    def state(self) -> AppState:
        return self.app.state

    @property
    def api(self) -> ApiClient:
        return self.app.api

    def t(self, key: str, **params: Any) -> str:
        return self.app.state.t(key, **params)

    # to override
    def title(self) -> str:
        return ""

    async def load(self) -> None:
        """Fetch what the screen shows. Errors are caught by the app and shown with a retry button."""

    def build(self) -> list[ft.Control]:
        return []

    async def leave(self) -> None:
        """Called when the screen is left for good (back, another tab, logout); e.g. save a draft."""

    def hero(self) -> ft.Control | None:
        """A custom top area replacing the standard blue bar (home, profile)."""
        return None

    def footer(self) -> ft.Control | None:
        """A bar fixed above the tab bar (e.g. the apply button)."""
        return None

    def actions(self) -> list[ft.Control]:
        return []

    def padded(self) -> bool:
        return True

    # helpers
    def handler(self, fn: Callable[..., Awaitable[Any]], *args: Any) -> Callable[..., Awaitable[None]]:
        """An async event handler calling ``fn(*args)`` with errors shown on this screen."""

        async def run(e: Any = None) -> None:
            await self.app.guard(self, fn, *args)

        return run

    def render(self) -> None:
        if self.app.current is self:
            self.app.render()
