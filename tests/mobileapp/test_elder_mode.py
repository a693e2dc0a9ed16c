"""Elder mode (适老化) against 工业和信息化部《移动互联网应用（APP）适老化通用设计规范》: what can be
measured is measured here (docs/APP.md has the point-by-point table). The looks are checked as data (contrast,
sizes); the drawn screens are walked on a real, browser-less Flet page against the live backend
(tests/mobileapp/offline_page.py)."""

from __future__ import annotations

import ast
import dataclasses
import inspect
from collections.abc import Iterator
from pathlib import Path

import flet as ft
import pytest

from mobileapp import app as shell
from mobileapp import routes, theme
from mobileapp.controllers.apply import ApplyController
from mobileapp.controllers.cases import CaseController
from mobileapp.session import TEXT_SIZE_CHOICES, AppState, MemoryStorage
from tests.mobileapp.conftest import _LOOP, run, senior_offer_of_zhang, verified_state
from tests.mobileapp.offline_page import offline_session

MOBILEAPP = Path(routes.__file__).parent


# ---- contrast (WCAG 2.x relative luminance) ----


def _luminance(colour: str) -> float:
    value = colour.lstrip("#")
    assert len(value) == 6, colour  # opaque #RRGGBB only: a translucent text colour could not be judged here
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: str, bg: str) -> float:
    light, dark = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_formula_matches_known_values() -> None:
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    assert contrast("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)  # the classic AA grey


@pytest.mark.parametrize(("look", "minimum"), [(theme.NORMAL, 4.5), (theme.ELDER, 7.0)], ids=["normal", "elder"])
def test_every_text_colour_pair_of_the_looks_has_enough_contrast(look: theme.Look, minimum: float) -> None:
    """The guideline asks 4.5:1 for text; elder mode reaches 7:1 (WCAG AAA) for every pair it draws text in."""
    failing = {
        (fg, bg): round(contrast(theme.colour(look, fg), theme.colour(look, bg)), 2)
        for fg, bg in theme.TEXT_PAIRS
        if contrast(theme.colour(look, fg), theme.colour(look, bg)) < minimum
    }
    assert failing == {}


def test_no_screen_writes_a_text_colour_outside_the_theme() -> None:
    """Literal colours in the screens are white on the blue headers/buttons only (measured in TEXT_PAIRS); any
    other text colour must come from the look so the contrast test sees it."""
    for path in [*MOBILEAPP.glob("screens/*.py"), MOBILEAPP / "ui.py", MOBILEAPP / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name not in ("text", "title", "Text", "TextStyle"):  # text, not icons (non-text contrast is 3:1)
                continue
            for keyword in node.keywords:
                if keyword.arg == "color" and isinstance(keyword.value, ast.Constant):
                    assert keyword.value.value == theme.WHITE, f"{path.name}:{node.lineno} {keyword.value.value!r}"


# ---- sizes: type, line height, touch targets; the resident's text size ----


def test_elder_type_line_height_and_touch_meet_the_guideline() -> None:
    for size in theme.TEXT_SIZES:
        look = theme.look_for(True, size)
        assert look.fs(10) >= theme.ELDER_MIN_TEXT == 18  # the smallest size any screen asks for
        assert look.label(10) >= 18
        assert look.fs(15) >= 1.5 * 15  # body text: 22.5 dp at 标准
        assert look.line_height is not None and look.line_height >= 1.3
        assert look.touch >= theme.ELDER_MIN_TOUCH == 60
    assert theme.NORMAL.touch >= 48  # Material's minimum in the normal look


def test_text_size_steps_scale_every_look_but_not_the_tab_bar() -> None:
    for elder in (False, True):
        sizes = [theme.look_for(elder, s).fs(15) for s in ("standard", "large", "xlarge")]
        assert sizes == sorted(sizes) and len(set(sizes)) == 3
        assert theme.look_for(elder, "xlarge").label(11) == theme.look_for(elder).label(11)
    assert theme.look_for(False) is theme.NORMAL and theme.look_for(True) is theme.ELDER


def test_text_size_is_remembered_on_the_device_like_elder_mode() -> None:
    storage = MemoryStorage()
    state = AppState(_offline_client(), storage)
    changes: list[str] = []
    state.on_change(lambda: changes.append(state.text_size))
    run(state.set_text_size("xlarge"))
    assert changes == ["xlarge"]
    again = AppState(_offline_client(), storage)
    run(again.restore())
    assert again.text_size == "xlarge"
    with pytest.raises(ValueError):
        run(state.set_text_size("huge"))  # type: ignore[arg-type]
    storage.data["yiwang.text_size"] = "huge"  # a value from elsewhere is ignored, not trusted
    run(again.restore())
    assert again.text_size == "standard"
    assert TEXT_SIZE_CHOICES == ("standard", "large", "xlarge")


def _offline_client():  # restore() without a token never calls the server
    from mobileapp.api import ApiClient

    return ApiClient("http://127.0.0.1:9")


# ---- no pop-ups, no ads ----


POPUPS = {"AlertDialog", "CupertinoAlertDialog", "SnackBar", "Banner", "BottomSheet", "CupertinoActionSheet",
          "DatePicker", "TimePicker", "show_dialog", "open_dialog", "launch_url"}  # fmt: skip


def test_the_app_has_no_pop_ups_and_opens_no_outside_pages() -> None:
    """无弹窗诱导 / 无广告: no dialog, snack bar, banner sheet or outside link anywhere in the app's code."""
    for path in MOBILEAPP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute):
                assert node.attr not in POPUPS, f"{path.relative_to(MOBILEAPP)}:{node.lineno} uses {node.attr}"


# ---- the drawn screens in elder mode ----


def _children(control: ft.BaseControl) -> Iterator[ft.BaseControl]:
    for field in dataclasses.fields(control):  # type: ignore[arg-type]
        if field.name.startswith("_") or field.name in ("parent", "page"):
            continue
        value = getattr(control, field.name, None)
        if isinstance(value, ft.BaseControl):
            yield value
        elif isinstance(value, list):
            yield from (v for v in value if isinstance(v, ft.BaseControl))


def _walk(control: ft.BaseControl, ancestors: tuple[ft.BaseControl, ...] = ()) -> Iterator[tuple]:
    yield control, ancestors
    for child in _children(control):
        yield from _walk(child, (*ancestors, control))


def _pad(padding: object, sides: tuple[str, str]) -> float:
    if isinstance(padding, int | float):
        return 2 * padding
    if isinstance(padding, ft.Padding):
        return sum(getattr(padding, s) or 0 for s in sides)
    return 0


def min_height(control: ft.BaseControl | None) -> float:
    """A lower bound of the height Flutter gives ``control``: declared heights, text at its size and line height,
    paddings and spacings; unknown things count 0 (so the bound never flatters)."""
    if control is None:
        return 0
    declared = getattr(control, "height", None)
    if isinstance(declared, int | float):
        return declared
    if isinstance(control, ft.Text):
        style = control.style
        return (control.size or 14) * (style.height if style and style.height else 1.0)
    if isinstance(control, ft.Icon):
        return control.size or 24
    if isinstance(control, ft.Switch | ft.Checkbox):
        return 48  # Flutter's padded tap target
    if isinstance(control, ft.Container):
        return _pad(control.padding, ("top", "bottom")) + min_height(control.content)
    if isinstance(control, ft.Semantics):
        return min_height(control.content)
    if isinstance(control, ft.Column):
        parts = [min_height(c) for c in control.controls if c.visible is not False]
        return sum(parts) + max(0, len(parts) - 1) * (control.spacing or 0)
    if isinstance(control, ft.Row | ft.Stack):
        return max((min_height(c) for c in control.controls), default=0)
    return 0


def _tappable(control: ft.BaseControl) -> bool:
    if isinstance(control, ft.Switch | ft.Checkbox):
        return True
    return isinstance(control, ft.Container) and control.on_click is not None and not control.disabled


def _label(control: ft.BaseControl, ancestors: tuple[ft.BaseControl, ...]) -> str:
    """What a screen reader says for a tappable: its text, or the label/tooltip of a Semantics around it."""
    texts = [c.value for c, _ in _walk(control) if isinstance(c, ft.Text) and c.value]
    named = [a.label or a.tooltip for a in ancestors[-2:] if isinstance(a, ft.Semantics) and (a.label or a.tooltip)]
    if isinstance(control, ft.Checkbox) and control.label:
        texts.append(str(control.label))
    return " ".join([*texts, *named]).strip()


@pytest.fixture
def elder_app(city):
    session = offline_session(_LOOP)
    app = shell.App(session.page, city["url"])
    app.state.storage = MemoryStorage()  # no client to answer SharedPreferences on an offline page
    zhang = verified_state(city, "13800000001")
    app.api.token, app.state.profile = zhang.api.token, zhang.profile
    run(app.state.set_elder_mode(True))
    return app, session


def _samples(app: shell.App) -> dict[str, dict[str, object]]:
    pending = run(app.api.create_case("provident-fund-withdrawal", {"reason": "rent", "amount": "100"}, consent=True))
    case = CaseController(app.api, pending["id"])
    run(case.load())
    bundle = run(app.api.apply_bundle("buying-a-home", {"amount": "100"}, consent=True))
    offer = senior_offer_of_zhang()
    return {
        "search": {"query": "公积金"},
        "service": {"code": "provident-fund-withdrawal"},
        "apply": {"ctrl": ApplyController(app.api, "provident-fund-withdrawal")},
        "face": {"case": pending},
        "decision": {"case": case.case},
        "case": {"case_id": pending["id"]},
        "resubmit": {"ctrl": case},
        "appointments": {"service": "provident-fund-withdrawal"},
        "counter_check": {"case_id": pending["id"]},
        "bundle": {"code": "buying-a-home"},
        "bundle_result": {"application": bundle},
        "offer": {"offer_id": offer},
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("text_size", ["standard", "xlarge"])
def test_every_screen_in_elder_mode_has_big_type_big_targets_and_labels(elder_app, text_size) -> None:
    """Every route, drawn in elder mode: all text ≥ 18 dp with line height ≥ 1.3, every tappable ≥ 60 dp high
    (Checkbox: see docs/APP.md) and named for a screen reader, and no dialog open."""
    app, _session = elder_app
    run(app.state.set_text_size(text_size))
    samples = _samples(app)
    problems: list[str] = []
    for name, factory in routes.ROUTES.items():
        if name == "login":
            continue  # drawn logged out below
        required = [p.name for p in list(inspect.signature(factory).parameters.values())[1:] if p.default is p.empty]
        assert set(required) <= set(samples.get(name, {})), f"add sample parameters for route {name!r}"
        run(app.reset(name, **samples.get(name, {})))
        assert app.current is not None and app.current.error is None, (name, app.current and app.current.error)
        assert app.look.elder and app.look.text_size == text_size
        problems += _elder_problems(name, app.page)
    run(app.state.logout())
    run(app.reset("login"))
    problems += _elder_problems("login", app.page)
    assert problems == [], "\n".join(problems)


def _elder_problems(route: str, page: ft.Page) -> list[str]:
    out = []
    for root in page.controls:
        for control, ancestors in _walk(root):
            if isinstance(control, ft.Text) and control.value:
                if (control.size or 0) < 18:
                    out.append(f"{route}: text {control.value!r} at {control.size} dp")
                if not (control.style and control.style.height and control.style.height >= 1.3):
                    out.append(f"{route}: text {control.value!r} without line height")
            if _tappable(control) and not isinstance(control, ft.Checkbox):
                target = control if not isinstance(control, ft.Switch) else _tappable_parent(ancestors)
                if target is None or min_height(target) < 60:
                    out.append(f"{route}: target {_label(control, ancestors)!r} under 60 dp")
                if not _label(control, ancestors):
                    out.append(f"{route}: target without a label for screen readers ({type(control).__name__})")
    if page._dialogs.controls:
        out.append(f"{route}: a dialog is open")
    return out


def _tappable_parent(ancestors: tuple[ft.BaseControl, ...]) -> ft.BaseControl | None:
    return next((a for a in reversed(ancestors) if _tappable(a)), None)


@pytest.mark.django_db(transaction=True)
def test_the_elder_switch_is_on_home_and_in_settings_and_text_size_in_settings(elder_app) -> None:
    app, _session = elder_app

    def identifiers() -> set[str]:
        return {
            c.identifier
            for root in app.page.controls
            for c, _ in _walk(root)
            if isinstance(c, ft.Semantics) and c.identifier
        }

    run(app.reset("home"))
    assert "elder_mode" in identifiers()
    run(app.reset("me"))
    assert {"elder_mode", "text_size_standard", "text_size_large", "text_size_xlarge"} <= identifiers()
    # fewer items per screen in elder mode: two quick entries a row, three per home list
    assert (theme.ELDER.grid_columns, theme.ELDER.list_limit) < (theme.NORMAL.grid_columns, theme.NORMAL.list_limit)
