"""Journey: 李志强 (first home bought 30 days ago) finds 购房一件事 in the catalogue as one entry, reads the consent of
each department, fills the one form (the amount), submits once, passes one face check for every member, and sees one
reference with the deed-tax subsidy and the provident fund withdrawal approved and the school catchment check on the
education bureau's queue."""

from __future__ import annotations

import pytest

from tests.mobileapp.e2e.conftest import log_in
from tests.mobileapp.flet_browser import FletPage
from tests.personas import LI_ZHIQIANG, PHOTOS

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_buying_a_home_is_one_application_one_face_check_one_result(ui: FletPage, me) -> None:
    li = me(LI_ZHIQIANG)
    li.bind_real_name()
    li.enrol("biden_1.jpg")
    log_in(ui, LI_ZHIQIANG)

    ui.click("tab_services")
    ui.wait("bundle_buying-a-home")
    ui.shot("60-catalogue-bundle")
    ui.click("bundle_buying-a-home")
    ui.wait("bundle_consent_checkbox")
    for department in ("natural_resources", "provident_fund", "education"):
        assert f"bundle_consent_{department}" in ui.ids("bundle_consent_")
    ui.shot("61-bundle-consent")
    ui.click("bundle_submit")  # disabled before the consent tick: nothing is sent
    assert li.get("/api/v1/me/bundles")["count"] == 0
    ui.fill("form_amount", "2000")
    ui.click("bundle_consent_checkbox")
    ui.click("bundle_submit")

    ui.wait("face_capture")
    ui.upload("face_capture", PHOTOS / "biden_2.jpg")
    ui.wait("bundle_reference", timeout=90_000)
    ui.wait("bundle_member_school-district-check")
    ui.shot("62-bundle-result")
    [bundle] = li.get("/api/v1/me/bundles")["results"]
    members = {m["service"]: m["status"] for m in bundle["members"]}
    assert members == {
        "deed-tax-subsidy": "approved",
        "provident-fund-withdrawal": "approved",
        "school-district-check": "in_review",
    }
    assert bundle["status"] == "in_progress" and bundle["face_verified"] is True
