"""Journey: 张建国 (real name bound, face enrolled) applies for the deed-tax subsidy he does not qualify for (he
owns no home): the failed rule in plain words, and a way to ask a clerk by booking a counter slot."""

from __future__ import annotations

import pytest

from tests.mobileapp.e2e.conftest import log_in, wait_for
from tests.mobileapp.flet_browser import FletPage
from tests.personas import PHOTOS, ZHANG_JIANGUO

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_rejection_says_why_and_offers_a_counter_appointment(ui: FletPage, me) -> None:
    zhang = me(ZHANG_JIANGUO)
    zhang.bind_real_name()
    zhang.enrol("obama_2.jpg")
    log_in(ui, ZHANG_JIANGUO)

    ui.click("tab_services")
    ui.click("service_deed-tax-subsidy")
    ui.click("service_apply")
    ui.click("consent_checkbox")
    ui.click("apply_submit")
    ui.wait("face_step_check")
    ui.upload("face_capture", PHOTOS / "obama_3.jpg")
    ui.wait_text("case_status", "未能通过", timeout=90)
    ui.shot("18-decision-rejected")
    rejected = next(c for c in zhang.cases() if c["service"] == "deed-tax-subsidy")
    assert rejected["decision"]["reason_code"] == "no_eligible_property"

    booked = zhang.bookings()
    ui.click("ask_clerk")
    wait_for(lambda: bool(ui.ids("slot_")) or ui.has("appointments_empty"))
    ui.shot("19-appointments")
    if ui.ids("slot_"):
        ui.click(ui.ids("slot_")[0])
        ui.wait_text("screen_notice", "预约成功")
        assert zhang.bookings() == booked + 1
    ui.click("nav_back")
    ui.click("view_case")
    ui.click("nav_back")
