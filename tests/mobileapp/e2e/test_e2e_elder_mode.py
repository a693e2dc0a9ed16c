"""Journey: elder mode. 张建国 (real name bound, one approved rent withdrawal from an earlier visit) switches elder
mode on from the home screen: large type on every screen (catalogue, service, consent, my cases, case, profile);
then back to normal, in English."""

from __future__ import annotations

import pytest

from tests.mobileapp.e2e.conftest import log_in
from tests.mobileapp.flet_browser import FletPage
from tests.personas import ZHANG_JIANGUO

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_elder_mode_enlarges_every_screen_and_english_follows(ui: FletPage, me) -> None:
    zhang = me(ZHANG_JIANGUO)
    zhang.bind_real_name()
    zhang.enrol("obama_2.jpg")
    case = zhang.apply_with_face("provident-fund-withdrawal", {"reason": "rent", "amount": "4500.00"}, "obama_3.jpg")
    assert case["status"] == "approved", case
    withdrawal = case["reference_no"]
    log_in(ui, ZHANG_JIANGUO)

    # elder mode: one switch on the home screen; large type everywhere
    ui.click("tab_home")
    ui.click("elder_mode")
    ui.wait("quick_cases")
    ui.shot("21-home-elder")
    ui.click("tab_services")
    ui.wait("service_provident-fund-withdrawal")
    ui.shot("22-catalogue-elder")
    ui.click("service_deed-tax-subsidy")
    ui.wait("service_apply")
    ui.shot("23-service-detail-elder")
    ui.click("service_apply")
    ui.wait("consent_checkbox")
    ui.shot("24-consent-elder")
    ui.click("nav_back")
    ui.wait("service_apply")
    ui.click("nav_back")
    ui.click("tab_cases")
    ui.wait(f"case_{withdrawal}")
    ui.shot("25-my-cases-elder")
    ui.click(f"case_{withdrawal}")
    ui.wait_text("case_status", "办理成功")
    ui.shot("26-case-detail-elder")
    ui.click("nav_back")
    ui.click("tab_me")
    ui.wait("logout")
    ui.shot("27-profile-elder")

    # the resident's text size (标准 / 大 / 超大), on top of elder mode, remembered like it
    ui.click("text_size_xlarge")
    ui.settle()
    ui.shot("32-profile-elder-xlarge")
    ui.click("tab_home")
    ui.wait("quick_cases")
    ui.shot("33-home-elder-xlarge")
    ui.click("tab_me")
    ui.click("text_size_standard")
    ui.settle()

    # back to normal, in English
    ui.click("elder_mode")
    ui.click("language_en")
    ui.wait_text("tab_home", "Home")
    ui.shot("31-profile-english")
