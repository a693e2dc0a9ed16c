"""One module per screen (or small family of screens). Screens draw controller state; they hold no rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mobileapp.app import App, Screen


def tab_screen(app: App, name: str) -> Screen:
    """The first screen of a tab."""
    from mobileapp.screens.cases import CasesScreen
    from mobileapp.screens.catalogue import CatalogueScreen
    from mobileapp.screens.events import EventsScreen
    from mobileapp.screens.home import HomeScreen
    from mobileapp.screens.profile import ProfileScreen

    screens = {
        "home": HomeScreen,
        "services": CatalogueScreen,
        "cases": CasesScreen,
        "events": EventsScreen,
        "me": ProfileScreen,
    }
    return screens[name](app)
