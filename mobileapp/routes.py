"""Navigation by name: the one table of which screen a name opens, and with which parameters.

Screens navigate with ``app.go("case", case_id=7)`` (or ``app.reset("login")``, ``app.switch_tab("cases")``) and
never import another screen module, so a screen can be moved, split or replaced by changing this table only.
The parameters of a route are those of its factory (a screen class or a function returning a screen);
tests/mobileapp/test_routes.py checks that every name the screens use is here and takes the parameters given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from mobileapp.screens.base import Screen
from mobileapp.screens.bundle import BundleResultScreen, BundleScreen
from mobileapp.screens.cases import CaseScreen, CasesScreen, ResubmitScreen
from mobileapp.screens.catalogue import CatalogueScreen
from mobileapp.screens.certificates import CertificatesScreen
from mobileapp.screens.counter import CounterCheckScreen
from mobileapp.screens.decision import DecisionScreen
from mobileapp.screens.delegation import DelegationScreen
from mobileapp.screens.events import AppointmentsScreen, EventsScreen
from mobileapp.screens.face import FaceScreen
from mobileapp.screens.home import HomeScreen
from mobileapp.screens.login import LoginScreen
from mobileapp.screens.offers import OfferScreen, OffersScreen
from mobileapp.screens.profile import (
    DataAccessScreen,
    FaceEnrolScreen,
    NotificationsScreen,
    ProfileScreen,
    RealNameScreen,
)
from mobileapp.screens.service import ApplyScreen, ServiceScreen

if TYPE_CHECKING:
    from mobileapp.app import App

ScreenFactory = Callable[..., Screen]


def search_results(app: App, query: str = "") -> Screen:
    """The catalogue opened from the home screen's search box: a pushed screen (back arrow), not the tab."""
    screen = CatalogueScreen(app, query=query)
    screen.root = False
    return screen


# The first screen of each tab, in the tab bar's order.
TAB_ROUTES: dict[str, ScreenFactory] = {
    "home": HomeScreen,
    "services": CatalogueScreen,
    "cases": CasesScreen,
    "events": EventsScreen,
    "me": ProfileScreen,
}

ROUTES: dict[str, ScreenFactory] = {
    **TAB_ROUTES,
    "login": LoginScreen,
    "search": search_results,  # query
    "service": ServiceScreen,  # code
    "apply": ApplyScreen,  # ctrl: the detail's ApplyController (form values survive going back); drafts: resumed
    "face": FaceScreen,  # case, or bundle (一件事: one face check for its members)
    "bundle": BundleScreen,  # code
    "bundle_result": BundleResultScreen,  # application: the bundle application as the server returned it
    "decision": DecisionScreen,  # case
    "case": CaseScreen,  # case_id
    "resubmit": ResubmitScreen,  # ctrl: the case's CaseController
    "real_name": RealNameScreen,
    "face_enrol": FaceEnrolScreen,
    "notifications": NotificationsScreen,
    "data_access": DataAccessScreen,
    "delegation": DelegationScreen,
    "offers": OffersScreen,  # 免申即享
    "offer": OfferScreen,  # offer_id
    "certificates": CertificatesScreen,
    "appointments": AppointmentsScreen,  # service (optional): that service's counter slots first
    "counter_check": CounterCheckScreen,  # case_id: book the in-person identity check of a case waiting for its face
}


def screen_for(app: App, name: str, **params: object) -> Screen:
    """A new screen for ``name``; an unknown name is a programming error (LookupError)."""
    try:
        factory = ROUTES[name]
    except KeyError:
        raise LookupError(f"no route {name!r} (mobileapp/routes.py)") from None
    return factory(app, **params)
