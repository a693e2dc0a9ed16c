"""Journey: 免申即享. 赵淑珍 turned 80 and never applied; the city's scan (run by ``load_demo``) found her. She logs in,
the home screen shows the offer on top, she reads why (age from the household registry) and which data was used,
taps 确认领取 and sees the decision at once: the senior allowance, 100.00 a month."""

from __future__ import annotations

import pytest

from backend.cases.models import Case
from tests.mobileapp.e2e.conftest import log_in
from tests.mobileapp.flet_browser import FletPage
from tests.personas import ZHAO_SHUZHEN

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_an_elder_confirms_the_allowance_the_city_offered(ui: FletPage, me) -> None:
    me(ZHAO_SHUZHEN).bind_real_name()
    log_in(ui, ZHAO_SHUZHEN)

    ui.click("tab_home")
    ui.wait("home_offers")
    ui.shot("55-home-offer")
    ui.click("home_offers")  # one offer: straight to it
    ui.wait("offer_confirm")
    ui.shot("56-offer-why-and-data")
    ui.click("offer_confirm")
    ui.wait("view_case")
    ui.shot("57-offer-approved")
    case = Case.objects.get(service_code="senior-allowance")
    assert case.status == "approved" and case.decision is not None and case.decision["monthly_amount"] == "100.00"
