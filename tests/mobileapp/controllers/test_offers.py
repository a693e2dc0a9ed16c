"""免申即享 in the app, against the live backend with the demo city (its scan ran in ``load_demo``): 赵淑珍, who turned
80 and never applied, finds the senior allowance on the home screen, reads why, confirms, and lands on the decision;
李志强's deed-tax offer goes to the face check first. The screens are drawn on a real, browser-less Flet page."""

from __future__ import annotations

from collections.abc import Iterator

import flet as ft
import pytest

from backend.cases.models import Case
from mobileapp import api
from mobileapp import app as shell
from mobileapp.controllers.offers import OfferController, OffersController, next_route
from mobileapp.screens.decision import DecisionScreen
from mobileapp.screens.offers import OfferScreen
from mobileapp.session import MemoryStorage
from tests import personas
from tests.mobileapp.conftest import _LOOP, run, verified_state
from tests.mobileapp.offline_page import offline_session
from tests.mobileapp.shapes import assert_shape

pytestmark = pytest.mark.django_db(transaction=True)

ZHAO_SHUZHEN, LI_ZHIQIANG = personas.ZHAO_SHUZHEN.phone, personas.LI_ZHIQIANG.phone


def test_the_elder_confirms_her_allowance_once(new_client) -> None:
    client = new_client(ZHAO_SHUZHEN, verify=True)
    offers = OffersController(client)
    [offer] = run(offers.load())
    assert_shape(offer, api.Offer)
    assert offer["service"] == "senior-allowance" and offers.open == [offer]
    assert [entry["item_labels"] for entry in offer["data_used"]] == [["户籍身份信息"]]

    one = OfferController(client, offer["id"])
    run(one.load())
    assert one.can_answer
    case = run(one.confirm())
    assert case is not None and case["status"] == "approved" and next_route(case) == "decision"
    assert_shape(case, api.Case)
    assert one.offer is not None and one.offer["status"] == "confirmed" and not one.can_answer
    again = run(one.confirm())  # a second tap: the same case, nothing twice
    assert again is not None and again["id"] == case["id"]
    assert Case.objects.filter(service_code="senior-allowance").count() == 1
    assert run(one.decline()) is None and one.error is not None and one.error.code == "offer_confirmed"


def test_a_face_service_goes_to_the_face_check_first(new_client) -> None:
    client = new_client(LI_ZHIQIANG, verify=True)
    [offer] = run(OffersController(client).load())
    assert offer["service"] == "deed-tax-subsidy" and offer["requires_face"] is True
    assert offer["proposal"] == {"amount": "20000.00"}  # 50 % of 45000.00, capped (fixtures/README.md)
    case = run(OfferController(client, offer["id"]).confirm())
    assert case is not None and case["status"] == "pending_face" and next_route(case) == "face"


def _identifiers(page: ft.Page) -> set[str]:
    def walk(control: ft.BaseControl) -> Iterator[ft.BaseControl]:
        yield control
        for name in ("content", "controls"):
            child = getattr(control, name, None)
            for item in child if isinstance(child, list) else [child] if child is not None else []:
                if isinstance(item, ft.BaseControl):
                    yield from walk(item)

    return {c.identifier for root in page.controls for c in walk(root) if isinstance(c, ft.Semantics) and c.identifier}


def test_the_screens_show_the_offer_and_confirming_opens_the_decision(city) -> None:
    session = offline_session(_LOOP)
    app = shell.App(session.page, city["url"])
    app.state.storage = MemoryStorage()  # no client to answer SharedPreferences on an offline page
    zhao = verified_state(city, ZHAO_SHUZHEN)
    app.api.token, app.state.profile = zhao.api.token, zhao.profile

    run(app.reset("home"))
    assert app.current is not None and app.current.error is None
    assert "home_offers" in _identifiers(app.page)
    run(app.reset("me"))
    assert "me_offers" in _identifiers(app.page)
    run(app.reset("offers"))
    [offer] = app.current.ctrl.items  # type: ignore[union-attr]
    assert f"offer_{offer['id']}" in _identifiers(app.page)

    run(app.go("offer", offer_id=offer["id"]))
    screen = app.current
    assert isinstance(screen, OfferScreen) and screen.error is None
    assert {"offer_what", "offer_confirm", "offer_decline"} <= _identifiers(app.page)
    run(screen.confirm())
    assert isinstance(app.current, DecisionScreen) and app.current.error is None
    assert Case.objects.get(service_code="senior-allowance").status == "approved"
