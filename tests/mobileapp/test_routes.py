"""The route table (mobileapp/routes.py): every route opens a screen, every navigation target the screens name
exists and takes the parameters given, and no screen imports another screen module to navigate."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

from mobileapp import app as shell
from mobileapp import routes
from mobileapp.controllers.apply import ApplyController
from mobileapp.controllers.cases import CaseController
from mobileapp.screens.base import Screen
from mobileapp.session import MemoryStorage
from tests.mobileapp.conftest import _LOOP, run, senior_offer_of_zhang, staff_decide, verified_state
from tests.mobileapp.offline_page import offline_session

SCREENS = Path(routes.__file__).parent / "screens"
NAVIGATION = {"go", "reset", "switch_tab"}  # App's methods that take a route name first
NOT_PARAMS = {"replace", "back_to", "notice"}  # go()/reset()'s own keywords


def _navigation_calls() -> list[tuple[str, str, str, list[str], dict[str, ast.expr]]]:
    """``(file:line, method, route, [parameter names], {go's own keywords})`` of every navigation in the screens and
    the shell: ``app.go("case", case_id=…)`` and ``self.handler(self.app.go, "real_name")``."""
    found = []
    for path in [*sorted(SCREENS.glob("*.py")), Path(shell.__file__)]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            where = f"{path.name}:{node.lineno}"
            if node.func.attr in NAVIGATION and node.args:
                method, name = node.func.attr, node.args[0]
            elif (
                node.func.attr == "handler"
                and len(node.args) >= 2
                and isinstance(node.args[0], ast.Attribute)
                and node.args[0].attr in NAVIGATION
            ):
                method, name = node.args[0].attr, node.args[1]
            else:
                continue
            if not isinstance(name, ast.Constant):  # a variable: the shell's own reset(route) / tab bar
                continue
            params = [k.arg for k in node.keywords if k.arg not in NOT_PARAMS]
            own = {k.arg: k.value for k in node.keywords if k.arg in NOT_PARAMS}
            found.append((where, method, name.value, params, own))
    return found


def test_every_navigation_target_exists_and_takes_the_parameters_given() -> None:
    calls = _navigation_calls()
    assert len(calls) > 20  # the scan sees the screens' navigation
    for where, method, name, params, own in calls:
        table = routes.TAB_ROUTES if method == "switch_tab" else routes.ROUTES
        assert name in table, f"{where}: {method}({name!r}) is not in routes.py"
        signature = inspect.signature(routes.ROUTES[name])
        try:
            signature.bind(None, **dict.fromkeys(params))
        except TypeError as exc:
            pytest.fail(f"{where}: route {name!r} does not take {params}: {exc}")
        back_to = own.get("back_to")
        if back_to is not None:
            assert isinstance(back_to, ast.Constant) and back_to.value in routes.ROUTES, where


def test_every_route_is_reachable_and_the_tabs_are_the_tab_bar() -> None:
    named = {name for _, _, name, _, _ in _navigation_calls()}
    assert [name for name, *_ in shell.TABS] == list(routes.TAB_ROUTES)
    assert set(routes.ROUTES) - named - set(routes.TAB_ROUTES) == set(), "routes nothing navigates to"


def test_no_screen_imports_another_screen_module() -> None:
    """Screens reach each other through routes.py only; shared pieces (base, common, outcome) hold no screen."""
    holds_screens = set()
    for path in SCREENS.glob("*.py"):
        module = importlib.import_module(f"mobileapp.screens.{path.stem}")
        if any(
            issubclass(obj, Screen) and obj is not Screen and obj.__module__ == module.__name__
            for obj in vars(module).values()
            if isinstance(obj, type)
        ):
            holds_screens.add(module.__name__)
    assert {"mobileapp.screens.cases", "mobileapp.screens.home"} <= holds_screens
    for path in SCREENS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported = {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
            elif isinstance(node, ast.Import):
                imported = {alias.name for alias in node.names}
            else:
                continue
            assert not imported & holds_screens, f"{path.name}:{node.lineno} imports a screen module"


@pytest.mark.django_db(transaction=True)
def test_every_route_opens_loads_and_draws_its_screen(city) -> None:
    """Each route, opened by name as the app does, loads from the live backend and draws on a real (offline) Flet
    page: no error banner, the screen's tab, the tab bar on the tabs' first screens only."""
    session = offline_session(_LOOP)
    app = shell.App(session.page, city["url"])
    app.state.storage = MemoryStorage()  # no client to answer SharedPreferences on an offline page
    zhang = verified_state(city, "13800000001")
    app.api.token, app.state.profile = zhang.api.token, zhang.profile
    pending = run(app.api.create_case("provident-fund-withdrawal", {"reason": "rent", "amount": "100"}, consent=True))
    returned = run(app.api.create_case("public-rental-housing", {}, consent=True))
    staff_decide(city["url"], "13700000001", returned["id"], "return", "请补充说明")
    returned_case = CaseController(app.api, returned["id"])
    run(returned_case.load())
    bundle = run(app.api.apply_bundle("buying-a-home", {"amount": "100"}, consent=True))

    samples: dict[str, dict[str, object]] = {
        "search": {"query": "公积金"},
        "service": {"code": "provident-fund-withdrawal"},
        "apply": {"ctrl": ApplyController(app.api, "provident-fund-withdrawal")},
        "face": {"case": pending},
        "decision": {"case": returned_case.case},
        "case": {"case_id": returned["id"]},
        "resubmit": {"ctrl": returned_case},
        "appointments": {"service": "provident-fund-withdrawal"},
        "counter_check": {"case_id": pending["id"]},
        "bundle": {"code": "buying-a-home"},
        "bundle_result": {"application": bundle},
        "offer": {"offer_id": senior_offer_of_zhang()},
    }
    for name, factory in routes.ROUTES.items():
        required = [
            p.name
            for p in list(inspect.signature(factory).parameters.values())[1:]
            if p.default is inspect.Parameter.empty
        ]
        assert set(required) <= set(samples.get(name, {})), f"add sample parameters for route {name!r}"
        run(app.reset(name, **samples.get(name, {})))
        screen = app.current
        assert isinstance(screen, Screen) and screen.error is None, (name, screen.error)
        assert screen.tab in routes.TAB_ROUTES
        assert screen.root == (name in routes.TAB_ROUTES), name
        assert app.page.controls  # drawn
    run(app.go("case", case_id=returned["id"], back_to="cases"))
    assert [type(s).__name__ for s in app.stack] == ["CasesScreen", "CaseScreen"]
    with pytest.raises(LookupError):
        run(app.go("no-such-screen"))
