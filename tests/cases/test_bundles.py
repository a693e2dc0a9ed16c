"""一件事一次办: a bundle of services applied for once (cases/bundles.py), through the HTTP API on the demo city.

购房一件事 (``buying-a-home``): the deed-tax subsidy and the provident fund withdrawal for the purchase (instant, face
check) and the school catchment check of the new home (education clerk), which waits for the deed-tax subsidy.
李志强 (first home bought 30 days ago, photo biden_1) gets all three; 王磊 (a second home bought 60 days ago, photo
kit_harington_1) gets the withdrawal, but no deed-tax subsidy (not a first home), so his catchment check is held.
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from backend.cases.models import Bundle, BundleMember, Case, Payout
from backend.notifications.models import Notification
from backend.registries.models import DataAccessLog
from tests import personas
from tests.personas import PHOTOS, Acting

pytestmark = pytest.mark.django_db

CODE = "buying-a-home"
DEED, PFW, SCHOOL = "deed-tax-subsidy", "provident-fund-withdrawal", "school-district-check"


def apply(person: Acting, form: dict[str, Any] | None = None, **headers: Any) -> Any:
    body = {"form": {"amount": "50000"} if form is None else form, "consent": True}
    return person.client.post(f"/api/v1/bundles/{CODE}/apply", body, format="json", **headers)


def face_check(person: Acting, reference_no: str, photo: str) -> dict[str, Any]:
    """One face check for the whole bundle (purpose ``bundle``), with a real selfie."""
    challenge = person.client.post(
        "/api/v1/face/challenges", {"purpose": "bundle", "bundle": reference_no}, format="json"
    )
    assert challenge.status_code == 201, challenge.content
    with open(PHOTOS / photo, "rb") as image:
        verify = person.client.post(
            "/api/v1/face/verify",
            {"challenge_id": challenge.json()["challenge_id"], "image": image},
            format="multipart",
        )
    assert verify.status_code == 200 and verify.json()["verified"] is True, verify.content
    return verify.json()["bundle"]


def members(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["service"]: m for m in bundle["members"]}


def error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code, response.content
    return response.json()["error"]


@pytest.fixture
def li_zhiqiang(acting) -> Acting:
    person = acting(personas.LI_ZHIQIANG)
    person.enrol("biden_1.jpg")
    return person


@pytest.fixture
def wang_lei(acting) -> Acting:
    person = acting(personas.WANG_LEI)
    person.enrol("kit_harington_1.jpg")
    return person


# -- the catalogue --------------------------------------------------------------------------------------------------
def test_the_catalogue_offers_the_bundle_as_one_entry_with_one_shared_form(demo) -> None:
    entries = {b["code"]: b for b in APIClient().get("/api/v1/bundles").json()}
    assert list(entries) == ["birth-of-a-child", CODE]
    entry = entries[CODE]
    assert entry["code"] == CODE and entry["name"] == "购房一件事" and entry["requires_face"] is True
    assert [(m["service"], m["department_code"], m["after"]) for m in entry["members"]] == [
        (DEED, "housing", []),
        (PFW, "provident_fund", []),
        (SCHOOL, "education", [DEED]),
    ]
    detail = APIClient().get(f"/api/v1/bundles/{CODE}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert detail["name"] == "Buying a first home"
    # the withdrawal's reason is fixed by the bundle: only the amount is asked, once
    assert detail["form"]["required"] == ["amount"] and list(detail["form"]["properties"]) == ["amount"]
    consent = {d["department_code"]: d for d in detail["consent"]}
    assert set(consent) == {"natural_resources", "provident_fund", "education"}
    [owned] = [i for i in consent["natural_resources"]["items"] if i["key"] == "property.owned"]
    assert owned["services"] == [DEED, PFW, SCHOOL]  # one item, read by three members, asked once


def test_an_unknown_bundle_is_404(demo) -> None:
    error(APIClient().get("/api/v1/bundles/no-such-thing"), 404, "unknown_bundle")


def test_the_consent_screen_lists_every_departments_values_and_logs_the_reads(li_zhiqiang) -> None:
    response = li_zhiqiang.client.get(f"/api/v1/bundles/{CODE}/prefill")
    assert response.status_code == 200, response.content
    body = response.json()
    by_department = {d["department_code"]: {i["key"] for i in d["items"]} for d in body["departments"]}
    assert by_department == {
        "natural_resources": {"property.owned"},
        "provident_fund": {"provident_fund.account", "provident_fund.withdrawals"},
        "education": {"education.home_school_districts"},
    }
    assert "自然资源" in body["consent_text"] and "公积金" in body["consent_text"] and "教育局" in body["consent_text"]
    [school] = next(d for d in body["departments"] if d["department_code"] == "education")["items"]
    assert school["value"][0]["school"] == "郑州市郑东新区如意湖小学"
    assert DataAccessLog.objects.filter(purpose__startswith="授权确认页预览").count() >= 3
    assert APIClient().get(f"/api/v1/bundles/{CODE}/prefill").status_code in {401, 403}


def test_a_bundle_whose_member_is_switched_off_is_not_offered(demo, settings) -> None:
    settings.YIWANG_SERVICES = [DEED, PFW]
    assert APIClient().get("/api/v1/bundles").json() == []
    error(APIClient().get(f"/api/v1/bundles/{CODE}"), 404, "unknown_bundle")


# -- the happy path -------------------------------------------------------------------------------------------------
def test_one_application_one_face_check_three_departments_one_result(li_zhiqiang, clerk) -> None:
    response = apply(li_zhiqiang)
    assert response.status_code == 201, response.content
    bundle = response.json()
    ref = bundle["reference_no"]
    assert ref.endswith(ref[-6:]) and "-B" in ref
    assert bundle["status"] == "pending_face" and bundle["actions"] == ["face_check", "withdraw"]
    state = members(bundle)
    assert state[DEED]["status"] == state[PFW]["status"] == "pending_face"
    assert state[SCHOOL]["status"] == "waiting" and state[SCHOOL]["case_id"] is None
    assert state[SCHOOL]["department"] == "教育局"  # named before it is submitted
    # each member is a case of its own department, with its own reference
    assert {c.department.code for c in Case.objects.all()} == {"housing", "provident_fund"}

    bundle = face_check(li_zhiqiang, ref, "biden_2.jpg")
    state = members(bundle)
    assert state[DEED]["status"] == "approved" and state[PFW]["status"] == "approved"
    assert {r["label"]: r["value"] for r in state[PFW]["decision_rows"]}["到账金额"] == "¥50000.00"
    assert state[PFW]["decision"]["amount"] == "50000.00"  # normalised by the member's own clean()
    assert Case.objects.get(pk=state[PFW]["case_id"]).form == {"amount": "50000.00", "reason": "purchase"}
    assert Payout.objects.count() == 2
    # the deed-tax subsidy is approved: the catchment check went to the education clerk's queue and clock
    assert state[SCHOOL]["status"] == "in_review" and state[SCHOOL]["working_days_left"] == 5
    assert bundle["status"] == "in_progress" and bundle["face_verified"] is True

    education = clerk("education")
    queue = education.get("/api/v1/staff/cases").json()["results"]
    assert [c["reference_no"] for c in queue] == [state[SCHOOL]["reference_no"]]
    decided = education.post(f"/api/v1/staff/cases/{state[SCHOOL]['case_id']}/decide", {"action": "approve"})
    assert decided.status_code == 200, decided.content

    bundle = li_zhiqiang.client.get(f"/api/v1/me/bundles/{ref}").json()
    assert bundle["status"] == "completed" and bundle["completed_at"] and bundle["actions"] == []
    school = members(bundle)[SCHOOL]
    assert {r["value"] for r in school["decision_rows"]} == {"郑州市郑东新区如意湖小学"}
    actions = [(e["service"], e["action"]) for e in bundle["timeline"]]
    assert actions[0] == (None, "submitted") and actions[-1] == (None, "completed")
    assert (None, "face_verified") in actions and (SCHOOL, "approve") in actions and (DEED, "decided") in actions
    assert Notification.objects.filter(kind="bundle.completed", user=li_zhiqiang_user(li_zhiqiang)).count() == 1
    assert [b["reference_no"] for b in li_zhiqiang.client.get("/api/v1/me/bundles").json()["results"]] == [ref]


def li_zhiqiang_user(person: Acting) -> Any:
    return Bundle.objects.get().applicant


# -- a member fails ---------------------------------------------------------------------------------------------------
def test_a_failed_member_holds_its_dependants_until_the_resident_continues(wang_lei) -> None:
    ref = apply(wang_lei, {"amount": "30000.00"}).json()["reference_no"]
    bundle = face_check(wang_lei, ref, "kit_harington_2.jpg")
    state = members(bundle)
    assert state[DEED]["status"] == "rejected" and state[DEED]["reason_code"] == "no_eligible_property"
    assert state[PFW]["status"] == "approved"  # the independent member is not undone
    assert state[SCHOOL]["status"] == "held" and state[SCHOOL]["case_id"] is None  # never run on a failed premise
    assert bundle["status"] == "action_required" and bundle["actions"] == ["continue", "withdraw"]
    [failed] = bundle["failed"]
    assert failed["service"] == DEED and failed["reason_code"] == "no_eligible_property" and failed["reason"]
    assert Notification.objects.filter(kind="bundle.action_required").count() == 1

    response = wang_lei.client.post(f"/api/v1/me/bundles/{ref}/continue")
    assert response.status_code == 200, response.content
    bundle = response.json()
    assert members(bundle)[SCHOOL]["status"] == "skipped"
    assert bundle["status"] == "partially_completed" and bundle["failed"] == []
    assert not Case.objects.filter(service_code=SCHOOL).exists()
    error(wang_lei.client.post(f"/api/v1/me/bundles/{ref}/continue"), 409, "invalid_transition")
    error(wang_lei.client.post(f"/api/v1/me/bundles/{ref}/withdraw"), 409, "invalid_transition")


def test_withdrawing_the_whole_bundle_withdraws_its_open_cases_normally(li_zhiqiang) -> None:
    ref = apply(li_zhiqiang).json()["reference_no"]
    response = li_zhiqiang.client.post(f"/api/v1/me/bundles/{ref}/withdraw")
    assert response.status_code == 200, response.content
    bundle = response.json()
    assert bundle["status"] == "withdrawn" and bundle["actions"] == []
    state = members(bundle)
    assert state[DEED]["status"] == state[PFW]["status"] == "withdrawn" and state[SCHOOL]["status"] == "skipped"
    for case in Case.objects.all():  # through the normal withdrawal: its timeline line, its status
        assert case.status == "withdrawn" and case.events.filter(action="withdraw").exists()
    assert Payout.objects.count() == 0
    challenge = li_zhiqiang.client.post("/api/v1/face/challenges", {"purpose": "bundle", "bundle": ref}, format="json")
    error(challenge, 409, "invalid_transition")


def test_a_member_rejected_by_its_clerk_puts_the_bundle_to_the_resident(li_zhiqiang, clerk) -> None:
    ref = apply(li_zhiqiang).json()["reference_no"]
    state = members(face_check(li_zhiqiang, ref, "biden_2.jpg"))
    education = clerk("education")
    rejected = education.post(
        f"/api/v1/staff/cases/{state[SCHOOL]['case_id']}/decide", {"action": "reject", "reason": "学区调整中，请稍后"}
    )
    assert rejected.status_code == 200, rejected.content
    bundle = li_zhiqiang.client.get(f"/api/v1/me/bundles/{ref}").json()
    assert bundle["status"] == "action_required"
    assert bundle["failed"] == [
        {"service": SCHOOL, "service_name": "学区核验", "reason_code": "clerk_rejected", "reason": "学区调整中，请稍后"}
    ]
    assert li_zhiqiang.client.post(f"/api/v1/me/bundles/{ref}/continue").json()["status"] == "partially_completed"


# -- bad input: a clear 4xx, nothing written --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"form": {"amount": "50000"}}, 400, "consent_required", None),
        ({"form": {"amount": "50000"}, "consent": "yes"}, 400, "consent_required", None),
        ({"form": {"amount": "lots"}, "consent": True}, 400, "validation_error", "amount"),
        ({"form": {}, "consent": True}, 400, "validation_error", "form"),  # 'amount' is a required property
        ({"form": {"amount": "0"}, "consent": True}, 400, "validation_error", "amount"),  # the member's clean()
        # the bundle fixes the reason (purchase): it is not a field of the shared form
        ({"form": {"amount": "1", "reason": "rent"}, "consent": True}, 400, "validation_error", "form"),
        ({"form": ["amount"], "consent": True}, 400, "validation_error", "form"),
    ],
)
def test_a_bad_application_is_refused_and_writes_nothing(li_zhiqiang, body, status, code, field) -> None:
    response = li_zhiqiang.client.post(f"/api/v1/bundles/{CODE}/apply", body, format="json")
    found = error(response, status, code)
    if field:
        assert field in found["fields"], found
    assert not Bundle.objects.exists() and not Case.objects.exists() and not BundleMember.objects.exists()


def test_an_unknown_bundle_and_an_unverified_resident_are_refused(li_zhiqiang, demo) -> None:
    response = li_zhiqiang.client.post("/api/v1/bundles/no-such-thing/apply", {"consent": True}, format="json")
    error(response, 404, "unknown_bundle")
    stranger = personas.LI_NA.login()  # signed in, no real name bound
    error(stranger.post(f"/api/v1/bundles/{CODE}/apply", {"consent": True}, format="json"), 403, "real_name_required")
    assert APIClient().post(f"/api/v1/bundles/{CODE}/apply", {}, format="json").status_code in {401, 403}
    assert not Bundle.objects.exists()


def test_the_same_idempotency_key_returns_the_first_bundle(li_zhiqiang) -> None:
    first = apply(li_zhiqiang, HTTP_IDEMPOTENCY_KEY="buy-1")
    again = apply(li_zhiqiang, HTTP_IDEMPOTENCY_KEY="buy-1")
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["reference_no"] == first.json()["reference_no"] and Bundle.objects.count() == 1
    error(apply(li_zhiqiang, {"amount": "1.00"}, HTTP_IDEMPOTENCY_KEY="buy-1"), 422, "idempotency_key_reused")
    assert Bundle.objects.count() == 1 and Case.objects.count() == 2


def test_another_residents_bundle_is_404_everywhere(li_zhiqiang, wang_lei) -> None:
    ref = apply(li_zhiqiang).json()["reference_no"]
    for path in (
        f"/api/v1/me/bundles/{ref}",
        f"/api/v1/me/bundles/{ref}/continue",
        f"/api/v1/me/bundles/{ref}/withdraw",
    ):
        call = wang_lei.client.get if path.endswith(ref) else wang_lei.client.post
        error(call(path), 404, "not_found")
    challenge = wang_lei.client.post("/api/v1/face/challenges", {"purpose": "bundle", "bundle": ref}, format="json")
    error(challenge, 404, "not_found")
    error(
        wang_lei.client.post("/api/v1/face/challenges", {"purpose": "bundle"}, format="json"), 400, "validation_error"
    )
    assert Bundle.objects.get().status == "pending_face"


def test_nothing_to_continue_is_a_conflict(li_zhiqiang) -> None:
    ref = apply(li_zhiqiang).json()["reference_no"]
    error(li_zhiqiang.client.post(f"/api/v1/me/bundles/{ref}/continue"), 409, "invalid_transition")


def test_the_bundle_speaks_english(li_zhiqiang) -> None:
    bundle = apply(li_zhiqiang, HTTP_ACCEPT_LANGUAGE="en").json()
    assert bundle["name"] == "Buying a first home" and bundle["status_label"] == "Face check needed"
    assert members(bundle)[SCHOOL]["status_label"] == "Waiting for the services it needs"


# -- an elder without a registry photo: the counter instead of the face check ------------------------------------------
def test_an_elder_checked_at_the_counter_then_withdrawing_the_rest(acting, clerk) -> None:
    """李德福 (born 1948, no photo): the housing clerk checks his ID card for the deed-tax member; it is rejected (he
    bought no home), so the bundle asks him; he withdraws the whole: the withdrawal member still waiting for its
    identity check is withdrawn normally, the catchment check never ran."""
    elder = acting(personas.LI_DEFU)
    ref = apply(elder, {"amount": "100.00"}).json()["reference_no"]
    deed = Case.objects.get(service_code=DEED)
    checked = clerk("housing").post(f"/api/v1/staff/cases/{deed.pk}/verify-identity", {"note": "核验身份证原件"})
    assert checked.status_code == 200, checked.content
    bundle = elder.client.get(f"/api/v1/me/bundles/{ref}").json()
    state = members(bundle)
    assert state[DEED]["status"] == "rejected" and state[PFW]["status"] == "pending_face"
    assert state[SCHOOL]["status"] == "held" and bundle["status"] == "action_required"
    bundle = elder.client.post(f"/api/v1/me/bundles/{ref}/withdraw").json()
    state = members(bundle)
    assert (
        bundle["status"] == "withdrawn" and state[PFW]["status"] == "withdrawn" and state[SCHOOL]["status"] == "skipped"
    )
    assert not Case.objects.filter(service_code=SCHOOL).exists()


def test_withdrawing_one_member_case_on_its_own_asks_about_the_rest(li_zhiqiang) -> None:
    """A member case withdrawn through POST /cases/{id}/withdraw is a member that will not be done: the bundle says
    so and its dependant is held, as for a rejection."""
    ref = apply(li_zhiqiang).json()["reference_no"]
    deed = Case.objects.get(service_code=DEED)
    assert li_zhiqiang.client.post(f"/api/v1/cases/{deed.pk}/withdraw").status_code == 200
    bundle = li_zhiqiang.client.get(f"/api/v1/me/bundles/{ref}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert bundle["status"] == "action_required" and [f["service"] for f in bundle["failed"]] == [DEED]
    assert members(bundle)[SCHOOL]["status"] == "held"
    [line] = [e for e in bundle["timeline"] if e["action"] == "member_failed"]
    assert line["note"] == "Deed-tax subsidy was withdrawn"
