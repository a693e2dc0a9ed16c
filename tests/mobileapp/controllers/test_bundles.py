"""The app's 一件事 flow against the live backend: the catalogue's one entry, the consent per department, one form,
one submission, one face check (purpose bundle), then one reference with each member's result; a failed member
and the resident's choice. Every answer is checked against the types ``mobileapp/api.py`` declares."""

from __future__ import annotations

import asyncio

import pytest

from mobileapp.api import BundleApplication, BundleDetail, BundlePrefill
from mobileapp.controllers.bundles import BundleController, BundleResultController
from mobileapp.controllers.catalogue import CatalogueController
from mobileapp.controllers.face import FaceController
from tests.mobileapp.conftest import photo, run, staff_decide, verified_state
from tests.mobileapp.shapes import mismatches
from tests.personas import EDUCATION_CLERK, LI_ZHIQIANG, WANG_LEI

pytestmark = pytest.mark.django_db(transaction=True)
CODE = "buying-a-home"


def test_one_entry_one_consent_one_form_one_face_check_one_result(city) -> None:
    state = verified_state(city, LI_ZHIQIANG.phone)
    catalogue = CatalogueController(state.api)
    run(catalogue.load())
    assert [b["code"] for b in catalogue.bundles] == ["birth-of-a-child", CODE]
    assert run(catalogue.load(q="学区")) and [b["code"] for b in catalogue.bundles] == [CODE]  # by a member's name
    run(catalogue.load(q="公租房"))
    assert catalogue.bundles == []

    ctrl = BundleController(state.api, CODE)
    assert mismatches(run(ctrl.load()), BundleDetail) == []
    assert [f.name for f in ctrl.fields] == ["amount"]  # the reason is the bundle's: only the amount is asked
    blocks = run(ctrl.load_prefill())
    assert {b.department_code for b in blocks} == {"natural_resources", "provident_fund", "education"}
    assert mismatches(run(state.api.bundle_prefill(CODE)), BundlePrefill) == []
    assert "教育局" in ctrl.consent_text

    ctrl.values = {"amount": "2000"}
    assert run(ctrl.submit()) is None and "consent" in ctrl.errors  # nothing sent without consent
    ctrl.consent = True

    async def double_tap():
        return await asyncio.gather(ctrl.submit(), ctrl.submit())

    application, second = run(double_tap())
    assert second is None and ctrl.submissions == 1
    assert mismatches(application, BundleApplication) == []
    assert application["status"] == "pending_face" and "face_check" in application["actions"]

    run(state.enrol_face(photo("biden_1.jpg"), "biden_1.jpg"))
    face = FaceController(state.api, bundle=application["reference_no"])
    run(face.start())
    face.add_frame("biden_2.jpg", photo("biden_2.jpg"))
    result = run(face.verify())
    assert result["verified"] is True and mismatches(result["bundle"], BundleApplication) == []
    members = {m["service"]: m for m in result["bundle"]["members"]}
    assert members["provident-fund-withdrawal"]["decision_rows"][0]["value"] == "¥2000.00"
    assert members["school-district-check"]["status"] == "in_review"

    staff_decide(city["url"], EDUCATION_CLERK.phone, members["school-district-check"]["case_id"], "approve")
    view = BundleResultController(state.api, result["bundle"])
    done = run(view.refresh())
    assert done["status"] == "completed" and done["reference_no"] == application["reference_no"]
    school = next(m for m in done["members"] if m["service"] == "school-district-check")
    assert school["decision_rows"] == [{"label": "对口学区学校", "value": "郑州市郑东新区如意湖小学"}]


def test_a_failed_member_and_the_residents_choice(city) -> None:
    state = verified_state(city, WANG_LEI.phone)
    ctrl = BundleController(state.api, CODE)
    run(ctrl.load())
    ctrl.values, ctrl.consent = {"amount": "1000"}, True
    application = run(ctrl.submit())
    run(state.enrol_face(photo("kit_harington_1.jpg"), "kit_harington_1.jpg"))
    face = FaceController(state.api, bundle=application["reference_no"])
    run(face.start())
    face.add_frame("kit_harington_2.jpg", photo("kit_harington_2.jpg"))
    bundle = run(face.verify())["bundle"]
    assert bundle["status"] == "action_required"
    assert [f["reason_code"] for f in bundle["failed"]] == ["no_eligible_property"]
    view = BundleResultController(state.api, bundle)
    after = run(view.continue_rest())
    assert after["status"] == "partially_completed" and after["actions"] == []


def test_a_bundle_notice_leads_to_the_bundle(city) -> None:
    from mobileapp.controllers.notifications import NotificationsController, case_of

    state = verified_state(city, WANG_LEI.phone)
    application = run(state.api.apply_bundle(CODE, {"amount": "1000"}, consent=True))
    run(state.enrol_face(photo("kit_harington_1.jpg"), "kit_harington_1.jpg"))
    face = FaceController(state.api, bundle=application["reference_no"])
    run(face.start())
    face.add_frame("kit_harington_2.jpg", photo("kit_harington_2.jpg"))
    run(face.verify())
    inbox = NotificationsController(state.api)
    notices = [n for n in run(inbox.load()) if n["kind"] == "bundle.action_required"]
    assert len(notices) == 1 and case_of(notices[0]) is None
    shown = run(inbox.bundle_of(notices[0]))
    assert shown is not None and shown["reference_no"] == application["reference_no"]


def test_my_bundles_lists_the_residents_own(city) -> None:
    from mobileapp.controllers.bundles import MyBundlesController

    mine = verified_state(city, LI_ZHIQIANG.phone)
    other = verified_state(city, WANG_LEI.phone)
    applied = run(mine.api.apply_bundle(CODE, {"amount": "100"}, consent=True))
    assert [b["reference_no"] for b in run(MyBundlesController(mine.api).load())] == [applied["reference_no"]]
    assert run(MyBundlesController(other.api).load()) == []
