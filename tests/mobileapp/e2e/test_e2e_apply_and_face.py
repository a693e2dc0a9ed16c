"""Journey: 张建国 (real name bound) finds the provident fund withdrawal in the catalogue, consents, fills the
generated form, enrols his face and passes the face check by upload, sees the decision, rates the case and finds
it in "my cases"."""

from __future__ import annotations

import pytest

from tests.mobileapp.e2e.conftest import log_in
from tests.mobileapp.flet_browser import FletPage
from tests.personas import PHOTOS, ZHANG_JIANGUO

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_resident_applies_enrols_their_face_and_is_approved(ui: FletPage, me) -> None:
    zhang = me(ZHANG_JIANGUO)
    zhang.bind_real_name()
    log_in(ui, ZHANG_JIANGUO)

    # find the service in the catalogue (search)
    ui.click("tab_services")
    ui.wait("service_primary-school-enrolment")
    ui.shot("06-catalogue")
    ui.fill("service_search", "公积金")
    ui.page.keyboard.press("Enter")
    ui.wait_text("service_provident-fund-withdrawal", "公积金提取")
    assert "service_primary-school-enrolment" not in ui.ids("service_")
    ui.click("service_provident-fund-withdrawal")
    ui.wait("service_apply")
    ui.shot("07-service-detail")

    # consent screen, then the generated form; nothing can be submitted before the consent tick
    ui.click("service_apply")
    ui.wait("consent_checkbox")
    ui.shot("08-consent")
    assert zhang.cases() == []
    ui.click("apply_submit")  # disabled: nothing happens
    assert zhang.cases() == []
    ui.click("form_reason_rent")
    ui.fill("form_amount", "4500.00")
    ui.click("consent_checkbox")
    ui.shot("09-form")
    ui.click("apply_submit")

    # face: enrol (first time), then the check by upload
    ui.wait("face_capture")
    ui.shot("10-face-enrol")
    ui.wait("face_step_enrol")
    ui.upload("face_capture", PHOTOS / "obama_2.jpg")
    ui.wait("face_step_check", timeout=60_000)
    ui.shot("11-face-check")
    ui.upload("face_capture", PHOTOS / "obama_3.jpg")
    ui.wait_text("case_status", "办理成功", timeout=90)
    ui.shot("12-decision-approved")
    cases = zhang.cases()
    assert len(cases) == 1 and cases[0]["status"] == "approved"
    assert cases[0]["decision"]["amount"] == "4500.00"
    withdrawal = cases[0]["reference_no"]

    # the case in "my cases", with its timeline; rate it (好差评)
    ui.click("view_case")
    ui.wait_text("case_status", "办理成功")
    ui.shot("13-case-detail")
    ui.click("rating_5")
    ui.click("rating_submit")
    ui.wait("rating_thanks")
    assert zhang.cases()[0]["rating"]["score"] == 5
    ui.click("nav_back")
    ui.wait(f"case_{withdrawal}")
    ui.shot("14-my-cases")
