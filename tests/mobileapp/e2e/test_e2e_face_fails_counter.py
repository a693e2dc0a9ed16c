"""Journey (issue 14, "Done when"): 张建国's face check fails (the server sees another person's photo), he books an
identity check at the counter in the app, and the provident fund centre's clerk completes the case in the admin,
driven in the same Chromium: the booking list leads to the case page, the clerk ticks "ID card checked", writes a
note and confirms; the case is decided as after a face check and the app shows it approved."""

from __future__ import annotations

import pytest

from backend.cases.models import CaseEvent
from backend.faceauth.models import FaceEvent, FaceEventKind
from tests.mobileapp.e2e.conftest import log_in, wait_for
from tests.mobileapp.flet_browser import FletPage
from tests.personas import PHOTOS, PROVIDENT_FUND_CLERK, ZHANG_JIANGUO

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_failed_face_check_is_completed_by_a_clerk_at_the_counter(ui: FletPage, me, browser, city) -> None:
    zhang = me(ZHANG_JIANGUO)
    zhang.bind_real_name()
    zhang.enrol("obama_2.jpg")
    log_in(ui, ZHANG_JIANGUO)

    # apply for the rent withdrawal; the face check gets someone else's photo and is refused
    ui.click("tab_services")
    ui.click("service_provident-fund-withdrawal")
    ui.click("service_apply")
    ui.click("form_reason_rent")
    ui.fill("form_amount", "4500.00")
    ui.click("consent_checkbox")
    ui.click("apply_submit")
    ui.wait("face_step_check", timeout=60_000)
    ui.upload("face_capture", PHOTOS / "biden_2.jpg")
    ui.wait("face_failed", timeout=90_000)
    assert "在本页预约窗口" in ui.text("face_other_paths")  # the refusal says what to do next, in plain words
    ui.shot("40-face-refused-counter")
    (case,) = zhang.cases()
    assert case["status"] == "pending_face"

    # book the counter from the face screen
    ui.click("face_counter")
    wait_for(lambda: bool(ui.ids("counter_slot_")))
    ui.shot("41-counter-slots")
    ui.click(ui.ids("counter_slot_")[0])
    ui.wait_text("screen_notice", "已预约窗口核验身份")
    ui.wait_text("counter_booking", "身份证原件")
    ui.shot("42-counter-booked")
    (booking,) = zhang.get(f"/api/v1/appointments?case={case['id']}")["results"]
    assert booking["purpose"] == "identity_check" and booking["status"] == "booked"

    # the case screen shows the appointment (back to the tabs: counter → face → …)
    for _ in range(4):
        if ui.has("tab_cases"):
            break
        ui.click("nav_back")
        ui.settle()
    ui.click("tab_cases")
    ui.click(f"case_{case['reference_no']}")
    ui.wait_text("counter_booking", "身份证原件")

    # the clerk, in the admin, in the same Chromium
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    admin = context.new_page()
    try:
        admin.goto(f"{city['url']}/admin/login/?next=/admin/appointments/booking/%3Fpurpose__exact%3Didentity_check")
        admin.fill("#id_username", PROVIDENT_FUND_CLERK.username)
        admin.fill("#id_password", PROVIDENT_FUND_CLERK.password)
        admin.click("input[type=submit]")
        admin.wait_for_selector("a.yw-case-link")
        assert case["reference_no"] in admin.inner_text("#result_list")
        admin.click("a.yw-case-link")
        admin.wait_for_selector("#verify-identity")
        assert "预约窗口核验" in admin.content()  # the booking is on the case's timeline
        admin.check("#id_id_card_checked")
        admin.fill("#id_note", "已查验身份证原件，人证一致")
        admin.click("#verify_identity_submit")
        admin.wait_for_selector(".messagelist")
        assert "窗口核验身份完成" in admin.inner_text(".messagelist")
        if ui.shots is not None:
            admin.screenshot(path=str(ui.shots / "43-admin-counter-verified.png"))
    finally:
        context.close()

    decided = zhang.get(f"/api/v1/cases/{case['id']}")
    assert decided["status"] == "approved" and decided["decision"]["amount"] == "4500.00"
    clerk = PROVIDENT_FUND_CLERK.account()
    assert CaseEvent.objects.get(case_id=case["id"], action="counter_verified").actor == clerk
    audit = FaceEvent.objects.get(kind=FaceEventKind.COUNTER_VERIFIED, target=case["id"])
    assert audit.actor == clerk and audit.note == "已查验身份证原件，人证一致"
    assert zhang.get(f"/api/v1/appointments/{booking['id']}")["status"] == "attended"

    # back in the app: the case is approved
    ui.click("nav_back")
    ui.click(f"case_{case['reference_no']}")
    ui.wait_text("case_status", "办理成功", timeout=60)
    ui.shot("44-case-approved-after-counter")
