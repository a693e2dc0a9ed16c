"""Journey: 张建国 (real name bound) applies for primary school for his daughter 张子涵, a service a clerk reviews;
the education clerk returns it, he fixes and resubmits it, the clerk approves it: an e-certificate with its QR
code, a notice that opens the case, the registry reads in his data-access log; last, the city events tab."""

from __future__ import annotations

import pytest

from tests.mobileapp.conftest import staff_decide
from tests.mobileapp.e2e.conftest import log_in
from tests.mobileapp.flet_browser import FletPage
from tests.personas import EDUCATION_CLERK, ZHANG_JIANGUO, ZHANG_ZIHAN

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_returned_school_application_is_fixed_resubmitted_and_certified(ui: FletPage, me, city) -> None:
    zhang = me(ZHANG_JIANGUO)
    zhang.bind_real_name()
    child = ZHANG_ZIHAN.id_number
    log_in(ui, ZHANG_JIANGUO)

    ui.click("tab_services")
    ui.click("service_primary-school-enrolment")
    ui.click("service_apply")
    ui.fill("form_child_id_number", child)
    # save and resume: the half-done application is kept as a draft, listed first in my cases, and resumed there
    ui.click("apply_save_draft")
    ui.wait_text("screen_notice", "草稿已保存")
    draft = zhang.get("/api/v1/drafts")["results"][0]
    assert draft["form"]["child_id_number"] == child[:6] + "********" + child[-4:]
    ui.click("nav_back")  # the service detail
    ui.click("nav_back")  # the catalogue, with the tab bar
    ui.click("tab_cases")
    ui.wait(f"draft_{draft['id']}")
    ui.shot("14b-my-cases-draft")
    ui.click(f"draft_{draft['id']}")
    ui.click("consent_checkbox")
    ui.click("apply_submit")
    ui.wait_text("case_status", "等待审核")
    ui.shot("15-decision-in-review")
    school = next(c for c in zhang.cases() if c["service"] == "primary-school-enrolment")
    assert school["status"] == "in_review"
    assert zhang.get("/api/v1/drafts")["count"] == 0  # submitted: the draft is gone

    # the clerk returns it; the resident fixes and resubmits it
    staff_decide(city["url"], EDUCATION_CLERK.phone, school["id"], "return", "请核对孩子身份证号")
    ui.click("view_case")
    ui.click("nav_back")  # my cases, reloaded
    ui.click(f"case_{school['reference_no']}")
    ui.wait_text("case_status", "补正")
    ui.wait("case_fix")
    ui.shot("16-case-returned")
    ui.click("case_fix")
    ui.wait("resubmit_submit")
    ui.fill("form_child_id_number", child)
    ui.shot("17-resubmit")
    ui.click("resubmit_submit")
    ui.wait_text("case_status", "等待审核")
    again = next(c for c in zhang.cases() if c["id"] == school["id"])
    assert again["status"] == "in_review"

    # the clerk approves it: an e-certificate with its QR code, a notice that opens the case, the data-access log
    staff_decide(city["url"], EDUCATION_CLERK.phone, school["id"], "approve")
    certificate = zhang.get("/api/v1/certificates")["results"][0]
    ui.click("nav_back")
    ui.click("tab_me")
    ui.click("me_certificates")
    ui.wait(f"certificate_{certificate['id']}")
    ui.shot("28-certificates")
    ui.click("nav_back")
    notice = zhang.get("/api/v1/notifications")["results"][0]
    assert notice["target"]["id"] == school["id"]
    ui.click("me_notifications")
    ui.wait(f"notice_{notice['id']}")
    ui.shot("29-notifications")
    ui.click(f"notice_{notice['id']}")
    ui.wait_text("case_status", "办理成功")
    ui.click("nav_back")
    ui.click("nav_back")
    access = zhang.get("/api/v1/me/data-access")["results"][0]
    ui.click("me_data_access")
    ui.wait(f"access_{access['id']}")
    ui.shot("30-data-access")
    ui.click("nav_back")
    ui.click("tab_events")
    ui.wait("event_submit")
    ui.shot("20-events")
