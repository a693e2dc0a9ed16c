"""End to end: the Flet web app in headless Chromium against the live backend with the demo city.

A resident logs in, verifies their real name, finds a service in the catalogue, consents, applies, enrols their
face and passes the face check by upload, sees the decision and the case in the list; a school application is
returned by the clerk, fixed and resubmitted; elder mode switches on. Screenshots of the main screens in normal
and elder mode land in a temporary folder, or in ``docs/app-screenshots/`` with ``YW_APP_SCREENSHOTS=docs``
(that is how the documentation's pictures are refreshed).

Run only these: ``.venv/bin/python -m pytest -m e2e tests/mobileapp``.
"""

from __future__ import annotations

import os
import time

import httpx
import pytest

from tests.mobileapp.conftest import PHOTOS, staff_decide
from tests.mobileapp.flet_browser import CHROMIUM, CHROMIUM_ARGS, REPO, AppProcess, FletPage, chromium_missing

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DOC_SHOTS = REPO / "docs" / "app-screenshots"
PASSWORD = "Demo-Pass-2026"
ZHANG = "13800000001"  # 张建国: rent withdrawal approved; guardian of 张子涵 (school, category B)


@pytest.fixture
def browser_page(monkeypatch):
    reason = chromium_missing()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own DB work happens before it starts
    # and pytest-django's teardown after it stops, so Django's async-safety check may be relaxed meanwhile.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(30_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()


@pytest.fixture
def app(city, tmp_path):
    process = AppProcess(city["url"], tmp_path / "app.log")
    try:
        process.wait_ready()
        yield process
    finally:
        process.stop()


class ResidentHttp:
    """The resident's own view through the API (one login: allauth rate-limits repeated logins)."""

    def __init__(self, base_url: str, phone: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=30)
        response = self.http.post("/_allauth/app/v1/auth/login", json={"phone": phone, "password": PASSWORD})
        self.http.headers["X-Session-Token"] = response.json()["meta"]["session_token"]

    def cases(self) -> list[dict]:
        return self.http.get("/api/v1/cases").json()["results"]

    def get(self, path: str) -> dict:
        response = self.http.get(path)
        assert response.status_code == 200, response.text
        return response.json()

    def bookings(self) -> int:
        response = self.http.get("/api/v1/appointments")
        if response.status_code == 404:
            return 0
        body = response.json()
        rows = body["results"] if isinstance(body, dict) else body
        return len([b for b in rows if b.get("status") not in ("cancelled", "canceled")])


def _wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError("condition not met in time")


def test_resident_journey_in_the_browser(city, app, browser_page, tmp_path) -> None:
    shots = DOC_SHOTS if os.environ.get("YW_APP_SCREENSHOTS") == "docs" else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    ui = FletPage(browser_page, shots)
    record = city["residents"][ZHANG]
    child = next(r for r in city["data"]["residents"] if r["name"] == "张子涵")
    me = ResidentHttp(city["url"], ZHANG)

    # log in
    ui.open(app.url)
    ui.wait("login_phone", timeout=60_000)
    ui.shot("01-login")
    ui.fill("login_phone", ZHANG)
    ui.fill("login_password", PASSWORD)
    ui.click("login_submit")
    ui.wait("quick_cases")
    ui.shot("02-home-before-real-name")

    # the session survives a reload, and a new tab (a new app session) restores it from the device's storage
    ui.open(app.url)
    ui.wait("quick_cases", timeout=60_000)
    second = FletPage(browser_page.context.new_page())
    second.open(app.url)
    second.wait("quick_cases", timeout=60_000)
    assert not second.has("login_phone")
    second.page.close()

    # real-name binding from the profile
    ui.click("tab_me")
    ui.click("me_realname")
    ui.fill("realname_name", record["name"])
    ui.fill("realname_id_number", record["id_number"])
    ui.shot("03-real-name")
    ui.click("realname_submit")
    ui.wait("realname_ok")
    ui.click("nav_back")
    ui.wait("me_face")
    ui.shot("04-profile")

    # home now lists services the resident qualifies for
    ui.click("tab_home")
    ui.wait("service_provident-fund-withdrawal")
    ui.shot("05-home")

    # find the service in the catalogue (search)
    ui.click("tab_services")
    ui.wait("service_primary-school-enrolment")
    ui.shot("06-catalogue")
    ui.fill("service_search", "公积金")
    browser_page.keyboard.press("Enter")
    ui.wait_text("service_provident-fund-withdrawal", "公积金提取")
    assert "service_primary-school-enrolment" not in ui.ids("service_")
    ui.click("service_provident-fund-withdrawal")
    ui.wait("service_apply")
    ui.shot("07-service-detail")

    # consent screen, then the generated form; nothing can be submitted before the consent tick
    ui.click("service_apply")
    ui.wait("consent_checkbox")
    ui.shot("08-consent")
    assert me.cases() == []
    ui.click("apply_submit")  # disabled: nothing happens
    assert me.cases() == []
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
    cases = me.cases()
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
    assert me.cases()[0]["rating"]["score"] == 5
    ui.click("nav_back")
    ui.wait(f"case_{withdrawal}")
    ui.shot("14-my-cases")

    # a rejection: the failed rule in plain words, and a way to ask a clerk (book a counter slot)
    ui.click("tab_services")
    ui.click("service_deed-tax-subsidy")
    ui.click("service_apply")
    ui.click("consent_checkbox")
    ui.click("apply_submit")
    ui.wait("face_step_check")
    ui.upload("face_capture", PHOTOS / "obama_3.jpg")
    ui.wait_text("case_status", "未能通过", timeout=90)
    ui.shot("18-decision-rejected")
    rejected = next(c for c in me.cases() if c["service"] == "deed-tax-subsidy")
    assert rejected["decision"]["reason_code"] == "no_eligible_property"
    booked = me.bookings()
    ui.click("ask_clerk")
    _wait_for(lambda: bool(ui.ids("slot_")) or ui.has("appointments_empty"))
    ui.shot("19-appointments")
    if ui.ids("slot_"):
        ui.click(ui.ids("slot_")[0])
        ui.wait_text("screen_notice", "预约成功")
        assert me.bookings() == booked + 1
    ui.click("nav_back")
    ui.click("view_case")
    ui.click("nav_back")

    # a review service: school enrolment for the child
    ui.click("tab_services")
    ui.click("service_primary-school-enrolment")
    ui.click("service_apply")
    ui.fill("form_child_id_number", child["id_number"])
    # save and resume: the half-done application is kept as a draft, listed first in my cases, and resumed there
    ui.click("apply_save_draft")
    ui.wait_text("screen_notice", "草稿已保存")
    draft = me.get("/api/v1/drafts")["results"][0]
    assert draft["form"]["child_id_number"] == child["id_number"][:6] + "********" + child["id_number"][-4:]
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
    school = next(c for c in me.cases() if c["service"] == "primary-school-enrolment")
    assert school["status"] == "in_review"
    assert me.get("/api/v1/drafts")["count"] == 0  # submitted: the draft is gone

    # the clerk returns it; the resident fixes and resubmits it
    staff_decide(city["url"], "13700000002", school["id"], "return", "请核对孩子身份证号")
    ui.click("view_case")
    ui.click("nav_back")  # my cases, reloaded
    ui.click(f"case_{school['reference_no']}")
    ui.wait_text("case_status", "补正")
    ui.wait("case_fix")
    ui.shot("16-case-returned")
    ui.click("case_fix")
    ui.wait("resubmit_submit")
    ui.fill("form_child_id_number", child["id_number"])
    ui.shot("17-resubmit")
    ui.click("resubmit_submit")
    ui.wait_text("case_status", "等待审核")
    again = next(c for c in me.cases() if c["id"] == school["id"])
    assert again["status"] == "in_review"

    # the clerk approves it: an e-certificate with its QR code, a notice that opens the case, the data-access log
    staff_decide(city["url"], "13700000002", school["id"], "approve")
    certificate = me.get("/api/v1/certificates")["results"][0]
    ui.click("nav_back")
    ui.click("tab_me")
    ui.click("me_certificates")
    ui.wait(f"certificate_{certificate['id']}")
    ui.shot("28-certificates")
    ui.click("nav_back")
    notice = me.get("/api/v1/notifications")["results"][0]
    assert notice["target"]["id"] == school["id"]
    ui.click("me_notifications")
    ui.wait(f"notice_{notice['id']}")
    ui.shot("29-notifications")
    ui.click(f"notice_{notice['id']}")
    ui.wait_text("case_status", "办理成功")
    ui.click("nav_back")
    ui.click("nav_back")
    access = me.get("/api/v1/me/data-access")["results"][0]
    ui.click("me_data_access")
    ui.wait(f"access_{access['id']}")
    ui.shot("30-data-access")
    ui.click("nav_back")
    ui.click("tab_events")
    ui.wait("event_submit")
    ui.shot("20-events")

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
