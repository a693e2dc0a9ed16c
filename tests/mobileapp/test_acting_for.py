"""亲情代办 in the drawn app (a real Flet page without a browser, tests/mobileapp/offline_page.py, against the live
backend): while acting for someone every screen says so (正在为 XXX 代办) with one tap back to oneself, and on a
service that wants the principal in person the face screen asks for the principal's face after the delegate's."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Iterator
from typing import Any

import flet as ft
import pytest

from backend.accounts.models import User
from backend.cases import sdk
from backend.delegation.models import ConfirmedRelation
from backend.faceauth.services import withdraw as withdraw_face
from mobileapp import app as shell
from mobileapp import routes
from mobileapp.api import ApiClient
from mobileapp.controllers.cases import CaseController
from mobileapp.controllers.delegation import DelegationController
from mobileapp.screens.face import FaceScreen
from mobileapp.session import MemoryStorage
from tests.delegation.in_person import CODE, switched_on
from tests.mobileapp.conftest import _LOOP, photo, run, verified_state
from tests.mobileapp.offline_page import offline_session
from tests.personas import HOUSING_CLERK

pytestmark = pytest.mark.django_db(transaction=True)

ZHANG, LI_NA, LI_ZHIQIANG = "13800000001", "13800000002", "13800000003"


def controls(root: ft.BaseControl) -> Iterator[ft.BaseControl]:
    yield root
    for field in dataclasses.fields(root):  # type: ignore[arg-type]
        if field.name.startswith("_") or field.name in ("parent", "page"):
            continue
        value = getattr(root, field.name, None)
        if isinstance(value, ft.BaseControl):
            yield from controls(value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, ft.BaseControl):
                    yield from controls(item)


def drawn(app: shell.App) -> list[ft.BaseControl]:
    return [c for root in app.page.controls for c in controls(root)]


def identifiers(app: shell.App) -> set[str]:
    return {c.identifier for c in drawn(app) if isinstance(c, ft.Semantics) and c.identifier}


def texts(app: shell.App) -> list[str]:
    return [c.value for c in drawn(app) if isinstance(c, ft.Text) and c.value]


def tap(app: shell.App, identifier: str) -> None:
    wrapper = next(c for c in drawn(app) if isinstance(c, ft.Semantics) and c.identifier == identifier)
    target = next(c for c in controls(wrapper) if getattr(c, "on_click", None) is not None)
    run(target.on_click(None))


def accept(delegate: ApiClient, mandate_id: int, selfie: str) -> None:
    ctrl = DelegationController(delegate)
    assert run(ctrl.accept(mandate_id, photo(selfie), selfie)) is not None, ctrl.error


#: The offline sessions of the apps made here: a page holds its session weakly.
_SESSIONS: list[Any] = []


def app_for(city: dict[str, Any], phone: str) -> shell.App:
    """The app on a phone, signed in as ``phone`` (real name bound)."""
    session = offline_session(_LOOP)
    _SESSIONS[:] = [session]
    app = shell.App(session.page, city["url"])
    app.state.storage = MemoryStorage()  # no client to answer SharedPreferences on an offline page
    signed_in = verified_state(city, phone)
    app.api.token, app.state.profile = signed_in.api.token, signed_in.profile
    return app


def act_for(app: shell.App, mandate_id: int) -> None:
    ctrl = DelegationController(app.api)
    run(ctrl.load())
    ctrl.act_for(mandate_id)


def test_every_screen_says_whom_the_delegate_acts_for_and_one_tap_ends_it(city, new_client) -> None:
    app = app_for(city, ZHANG)  # both real-name bound: the registry then shows one household
    li_na = new_client(LI_NA, verify=True)
    mandate = run(DelegationController(li_na).invite(ZHANG))
    assert mandate is not None
    run(app.api.face_enrol(photo("obama_2.jpg"), "obama_2.jpg"))
    accept(app.api, mandate["id"], "obama_3.jpg")

    run(app.reset("home"))
    assert "acting_banner" not in identifiers(app)  # acting for oneself: no banner

    act_for(app, mandate["id"])
    pending = run(app.api.create_case("provident-fund-withdrawal", {"reason": "rent", "amount": "100"}, consent=True))
    case = CaseController(app.api, pending["id"])
    run(case.load())
    samples: dict[str, dict[str, Any]] = {
        "search": {"query": "公积金"},
        "service": {"code": "provident-fund-withdrawal"},
        "face": {"case": pending},
        "decision": {"case": case.case},
        "case": {"case_id": pending["id"]},
        "resubmit": {"ctrl": case},
        "counter_check": {"case_id": pending["id"]},
    }
    for name, factory in routes.ROUTES.items():
        if name == "login":
            continue
        required = [p.name for p in list(inspect.signature(factory).parameters.values())[1:] if p.default is p.empty]
        if not set(required) <= set(samples.get(name, {})):
            continue  # drawn with its controller elsewhere (apply)
        run(app.reset(name, **samples.get(name, {})))
        assert "acting_banner" in identifiers(app), name
        assert "正在为 李* 代办" in texts(app), (name, texts(app)[:5])

    tap(app, "acting_back")
    assert app.api.acting_for is None and app.api.acting_name == ""
    assert isinstance(app.current, routes.HomeScreen) and "acting_banner" not in identifiers(app)
    assert app.current.notice == ("info", "已切换回本人办理")
    assert run(app.api.cases())["results"] == []  # his own list again: the case was hers


def test_the_english_banner(city, new_client) -> None:
    app = app_for(city, ZHANG)  # both real-name bound: the registry then shows one household
    li_na = new_client(LI_NA, verify=True)
    mandate = run(DelegationController(li_na).invite(ZHANG))
    assert mandate is not None
    run(app.api.face_enrol(photo("obama_2.jpg"), "obama_2.jpg"))
    accept(app.api, mandate["id"], "obama_3.jpg")
    run(app.state.set_language("en"))
    act_for(app, mandate["id"])
    run(app.reset("services"))
    assert any(t.startswith("Acting for ") for t in texts(app)) and "Back to me" in texts(app)


@pytest.fixture
def in_person(monkeypatch: pytest.MonkeyPatch, settings) -> Iterator[sdk.ServiceModule]:
    yield from switched_on(monkeypatch, settings)


def test_the_face_screen_asks_for_the_principal_after_the_delegate(city, new_client, in_person) -> None:
    li = new_client(LI_ZHIQIANG, verify=True)
    app = app_for(city, ZHANG)
    run(li.face_enrol(photo("biden_2.jpg"), "biden_2.jpg"))
    ConfirmedRelation.objects.create(
        principal=User.objects.get(phone="+86" + LI_ZHIQIANG),
        delegate=User.objects.get(phone="+86" + ZHANG),
        kinship="兄弟",
        evidence="户口簿",
        confirmed_by=HOUSING_CLERK.account(),
    )
    mandate = run(DelegationController(li).invite(ZHANG))
    assert mandate is not None
    run(app.api.face_enrol(photo("obama_2.jpg"), "obama_2.jpg"))
    accept(app.api, mandate["id"], "obama_3.jpg")
    act_for(app, mandate["id"])

    case = run(app.api.create_case(CODE, {}, consent=True))
    run(app.go("face", case=case))
    screen = app.current
    assert isinstance(screen, FaceScreen) and "face_step_check" in identifiers(app)
    run(screen.use([("obama_1.jpg", photo("obama_1.jpg"))]))  # the delegate's own face

    assert app.current is screen and screen.ctrl.face == "principal"  # not decided yet: the same screen
    assert "face_step_principal" in identifiers(app) and "请被代办人本人面对镜头" in texts(app)
    assert screen.notice == ("success", "代办人刷脸通过。还需被代办人本人刷脸")

    run(screen.use([("biden_1.jpg", photo("biden_1.jpg"))]))  # the principal's face, on the delegate's phone
    assert app.current is not screen and app.current.case["status"] == "approved"  # the decision screen


def test_a_principal_without_a_face_is_sent_to_the_counter_on_the_face_screen(city, new_client, in_person) -> None:
    """The principal withdrew his face after the delegate filed: the second check names the counter."""
    li = new_client(LI_ZHIQIANG, verify=True)
    app = app_for(city, ZHANG)
    run(li.face_enrol(photo("biden_2.jpg"), "biden_2.jpg"))
    ConfirmedRelation.objects.create(
        principal=User.objects.get(phone="+86" + LI_ZHIQIANG),
        delegate=User.objects.get(phone="+86" + ZHANG),
        kinship="兄弟",
        evidence="户口簿",
        confirmed_by=HOUSING_CLERK.account(),
    )
    mandate = run(DelegationController(li).invite(ZHANG))
    assert mandate is not None
    run(app.api.face_enrol(photo("obama_2.jpg"), "obama_2.jpg"))
    accept(app.api, mandate["id"], "obama_3.jpg")
    act_for(app, mandate["id"])
    case = run(app.api.create_case(CODE, {}, consent=True))
    run(app.go("face", case=case))
    run(app.current.use([("obama_1.jpg", photo("obama_1.jpg"))]))
    withdraw_face(User.objects.get(phone="+86" + LI_ZHIQIANG))  # 我的 → 人脸 → 删除, in his own app

    run(app.reset("face", case=run(app.api.case(case["id"]))))
    assert "face_principal_missing" in identifiers(app) and "face_go_counter" in identifiers(app)
    assert any("窗口" in t for t in texts(app))


def test_the_principal_in_his_own_app_gives_the_second_check_with_his_own_face(city, new_client, in_person) -> None:
    """After the delegate's face, the principal may also open the case in his own app: an ordinary face check."""
    li_app = app_for(city, LI_ZHIQIANG)
    run(li_app.api.face_enrol(photo("biden_2.jpg"), "biden_2.jpg"))
    zhang = new_client(ZHANG, verify=True)
    run(zhang.face_enrol(photo("obama_2.jpg"), "obama_2.jpg"))
    ConfirmedRelation.objects.create(
        principal=User.objects.get(phone="+86" + LI_ZHIQIANG),
        delegate=User.objects.get(phone="+86" + ZHANG),
        kinship="兄弟",
        evidence="户口簿",
        confirmed_by=HOUSING_CLERK.account(),
    )
    mandate = run(DelegationController(li_app.api).invite(ZHANG))
    assert mandate is not None
    accept(zhang, mandate["id"], "obama_3.jpg")
    delegate = DelegationController(zhang)
    run(delegate.load())
    delegate.act_for(mandate["id"])
    case = run(zhang.create_case(CODE, {}, consent=True))
    challenge = run(zhang.face_challenge("case", case["id"]))
    verified = run(zhang.face_verify(challenge["challenge_id"], image=photo("obama_1.jpg"), filename="obama_1.jpg"))
    assert verified["case"]["principal_face_required"] is True

    run(li_app.go("face", case=run(li_app.api.case(case["id"]))))
    screen = li_app.current
    assert isinstance(screen, FaceScreen) and screen.ctrl.face is None and screen.error is None
    assert "face_step_check" in identifiers(li_app) and "acting_banner" not in identifiers(li_app)
    run(screen.use([("biden_1.jpg", photo("biden_1.jpg"))]))
    assert li_app.current is not screen and li_app.current.case["status"] == "approved"
