"""The case API's behaviour around the rules: bad input, idempotency, ownership, transitions, ratings,
certificates, notifications. Bad input always gets a clear 4xx and creates nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from backend.cases import identifiers
from backend.cases.models import Case, CaseEvent, FollowUp, Rating
from backend.notifications.models import Notification
from backend.registries.models import DataAccessLog
from tests import personas
from tests.cases.conftest import counter_verify
from tests.factories import login
from tests.personas import ZHANG_JIANGUO, ZHANG_ZIHAN

pytestmark = pytest.mark.django_db

ZHANG = ZHANG_JIANGUO.phone
WU_MIN = personas.WU_MIN.phone
RENTAL = "public-rental-housing"
PFW = "provident-fund-withdrawal"
TALENT = "talent-housing-subsidy"


def post_case(client: APIClient, body: dict, **headers: str):
    return client.post("/api/v1/cases", body, format="json", **headers)


def error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    return response.json()["error"]


# -- bad input -----------------------------------------------------------------------------------------------------
def test_unknown_service_is_404(resident) -> None:
    error(post_case(resident(ZHANG).client, {"service": "no-such", "consent": True}), 404, "unknown_service")
    assert not Case.objects.exists()


@pytest.mark.parametrize("consent", [None, False, "yes"])
def test_consent_is_required(resident, consent) -> None:
    body = {"service": RENTAL, "form": {}}
    if consent is not None:
        body["consent"] = consent
    response = post_case(resident(ZHANG).client, body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] in {"consent_required", "validation_error"}
    assert not Case.objects.exists()
    assert not DataAccessLog.objects.filter(case_id__isnull=False).exists()


def test_real_name_is_required(demo) -> None:
    client = login(ZHANG, "Demo-Pass-2026")
    error(post_case(client, {"service": RENTAL, "consent": True}), 403, "real_name_required")
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"reason": "rent", "amount": "-1.00"}, "amount"),
        ({"reason": "rent", "amount": "abc"}, "amount"),
        ({"reason": "rent", "amount": 100}, "amount"),
        ({"reason": "rent", "amount": "0.00"}, "amount"),
        ({"reason": "rent", "amount": "1.001"}, "amount"),
        ({"reason": "travel", "amount": "100.00"}, "reason"),
        ({"amount": "100.00"}, "form"),
        ({"reason": "rent", "amount": "1.00", "status": "approved"}, "form"),
        ("not an object", "form"),
    ],
)
def test_form_that_fails_its_schema(resident, form, field: str) -> None:
    response = post_case(resident(ZHANG).client, {"service": PFW, "form": form, "consent": True})
    err = error(response, 400, "validation_error")
    assert field in err["fields"], err
    assert not Case.objects.exists()


def test_malformed_body(resident) -> None:
    client = resident(ZHANG).client
    response = client.generic("POST", "/api/v1/cases", "{", content_type="application/json")
    error(response, 400, "parse_error")
    error(post_case(client, {"form": {}}), 400, "validation_error")
    assert not Case.objects.exists()


# -- idempotency -----------------------------------------------------------------------------------------------------
def test_same_idempotency_key_returns_the_first_case(resident) -> None:
    client = resident(ZHANG).client
    body = {"service": RENTAL, "form": {}, "consent": True}
    first = post_case(client, body, HTTP_IDEMPOTENCY_KEY="tap-1")
    again = post_case(client, body, HTTP_IDEMPOTENCY_KEY="tap-1")
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1
    other = post_case(resident(WU_MIN).client, body, HTTP_IDEMPOTENCY_KEY="tap-1")
    assert other.json()["id"] != first.json()["id"]  # keys are per user


def test_idempotency_key_reused_for_another_request(resident) -> None:
    client = resident(ZHANG).client
    post_case(client, {"service": RENTAL, "consent": True}, HTTP_IDEMPOTENCY_KEY="k")
    response = post_case(
        client,
        {"service": PFW, "form": {"reason": "rent", "amount": "1.00"}, "consent": True},
        HTTP_IDEMPOTENCY_KEY="k",
    )
    error(response, 422, "idempotency_key_reused")
    assert Case.objects.count() == 1


# -- ownership -------------------------------------------------------------------------------------------------------
def test_another_residents_case_is_404_everywhere(resident) -> None:
    case = resident(ZHANG).apply(RENTAL)
    other = resident(WU_MIN).client
    assert other.get(f"/api/v1/cases/{case['id']}").status_code == 404
    assert other.post(f"/api/v1/cases/{case['id']}/withdraw").status_code == 404
    assert other.patch(f"/api/v1/cases/{case['id']}", {"form": {}}, format="json").status_code == 404
    assert other.post(f"/api/v1/cases/{case['id']}/rating", {"score": 1}, format="json").status_code == 404
    assert other.post(
        "/api/v1/face/challenges", {"purpose": "case", "case": case["id"]}, format="json"
    ).status_code in {
        404,
        409,
    }
    assert [c["id"] for c in other.get("/api/v1/cases").json()["results"]] == []
    assert Case.objects.get(pk=case["id"]).status == "in_review"


# -- withdraw, return and resubmit -------------------------------------------------------------------------------------
def test_withdraw_then_not_again(resident) -> None:
    person = resident(ZHANG)
    case = person.apply(RENTAL)
    response = person.client.post(f"/api/v1/cases/{case['id']}/withdraw")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    error(person.client.post(f"/api/v1/cases/{case['id']}/withdraw"), 409, "invalid_transition")


def test_return_for_correction_pauses_the_clock_and_resubmit_resumes(resident, clerk) -> None:
    person = resident(ZHANG)
    case = person.apply("primary-school-enrolment", {"child_id_number": ZHANG_ZIHAN.id_number})
    due = Case.objects.get(pk=case["id"]).due_at
    education = clerk("education")
    error(education.post(f"/api/v1/staff/cases/{case['id']}/decide", {"action": "return"}), 400, "reason_required")
    returned = education.post(f"/api/v1/staff/cases/{case['id']}/decide", {"action": "return", "reason": "请核对"})
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    assert person.case(case["id"])["working_days_left"] is None  # paused
    # Returned a week ago: the clock gets those working days back on resubmission.
    Case.objects.filter(pk=case["id"]).update(paused_at=timezone.now() - dt.timedelta(days=7))
    response = person.client.patch(
        f"/api/v1/cases/{case['id']}",
        {"form": {"child_id_number": ZHANG_ZIHAN.id_number}, "status": "approved", "decision": {"x": 1}},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "in_review" and body["decision"] is None  # mass assignment ignored
    assert Case.objects.get(pk=case["id"]).due_at > due
    error(person.client.patch(f"/api/v1/cases/{case['id']}", {"form": {}}, format="json"), 409, "invalid_transition")


def test_resubmitted_form_is_validated(resident, clerk) -> None:
    person = resident(ZHANG)
    case = person.apply("primary-school-enrolment", {"child_id_number": ZHANG_ZIHAN.id_number})
    clerk("education").post(f"/api/v1/staff/cases/{case['id']}/decide", {"action": "return", "reason": "x"})
    response = person.client.patch(f"/api/v1/cases/{case['id']}", {"form": {"child_id_number": "1"}}, format="json")
    error(response, 400, "validation_error")
    assert Case.objects.get(pk=case["id"]).status == "returned"


# -- rating ----------------------------------------------------------------------------------------------------------
def test_rating_once_after_a_final_status_and_bad_ratings_open_a_follow_up(resident) -> None:
    person = resident(ZHANG)
    case = person.apply(RENTAL)
    url = f"/api/v1/cases/{case['id']}/rating"
    error(person.client.post(url, {"score": 5}, format="json"), 409, "invalid_transition")
    person.client.post(f"/api/v1/cases/{case['id']}/withdraw")
    for bad in (0, 6, "5", 2.5, None):
        error(person.client.post(url, {"score": bad}, format="json"), 400, "validation_error")
    response = person.client.post(url, {"score": 1, "comment": "太慢了"}, format="json")
    assert response.status_code == 201 and response.json()["score"] == 1
    error(person.client.post(url, {"score": 5}, format="json"), 409, "already_rated")
    assert Rating.objects.count() == 1
    assert FollowUp.objects.get(case_id=case["id"]).department.code == "housing"
    assert person.case(case["id"])["rating"]["score"] == 1


# -- staff -----------------------------------------------------------------------------------------------------------
def test_staff_api_is_scoped_to_the_department(resident, clerk) -> None:
    person = resident(ZHANG)
    case = person.apply(RENTAL)
    error(person.client.get("/api/v1/staff/cases"), 403, "permission_denied")
    error(
        person.client.post(f"/api/v1/staff/cases/{case['id']}/decide", {"action": "approve"}), 403, "permission_denied"
    )
    education = clerk("education")
    assert education.get("/api/v1/staff/cases").json()["count"] == 0
    error(education.post(f"/api/v1/staff/cases/{case['id']}/decide", {"action": "approve"}), 404, "not_found")
    housing = clerk("housing")
    error(housing.post(f"/api/v1/staff/cases/{case['id']}/decide", {"action": "fly"}), 400, "validation_error")
    assert housing.post(f"/api/v1/staff/cases/{case['id']}/decide", {"action": "approve"}).status_code == 200
    error(
        housing.post(f"/api/v1/staff/cases/{case['id']}/decide", {"action": "reject", "reason": "x"}),
        409,
        "invalid_transition",
    )
    assert Case.objects.get(pk=case["id"]).status == "approved"


def test_queue_puts_overdue_cases_first(resident, clerk) -> None:
    early = resident(ZHANG).apply(RENTAL)
    late = resident(WU_MIN).apply(RENTAL)
    Case.objects.filter(pk=late["id"]).update(due_at=timezone.now() - dt.timedelta(days=1))
    housing = clerk("housing")
    queue = housing.get("/api/v1/staff/cases?status=in_review").json()["results"]
    assert [c["id"] for c in queue] == [late["id"], early["id"]]
    assert queue[0]["overdue"] is True and queue[1]["overdue"] is False
    overdue = housing.get("/api/v1/staff/cases?overdue=true").json()["results"]
    assert [c["id"] for c in overdue] == [late["id"]]


def test_commitment_post_check_and_revocation(resident, clerk) -> None:
    person = resident(WU_MIN)
    housing = clerk("housing")
    case = counter_verify(housing, person.apply(TALENT, {"degree": "master", "employer": "郑州大学"}))
    assert case["status"] == "approved"
    code = case["decision"]["certificate_code"]
    queue = housing.get("/api/v1/staff/cases?post_check=true").json()["results"]
    assert [c["id"] for c in queue] == [case["id"]]
    anon = APIClient()
    verify = anon.get(f"/api/v1/certificates/verify/{code}").json()
    assert verify["valid"] is True and verify["holder"] == "吴*"
    revoked = housing.post(f"/api/v1/staff/cases/{case['id']}/decide", {"action": "revoke", "reason": "单位未录用"})
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert anon.get(f"/api/v1/certificates/verify/{code}").json()["status"] == "revoked"
    assert housing.get("/api/v1/staff/cases?post_check=true").json()["count"] == 0


def test_post_check_passed_keeps_the_approval(resident, clerk) -> None:
    housing = clerk("housing")
    case = counter_verify(housing, resident(WU_MIN).apply(TALENT, {"degree": "doctor", "employer": "郑州大学"}))
    checked = housing.post(f"/api/v1/staff/cases/{case['id']}/decide", {"action": "approve", "reason": "核查属实"})
    assert checked.status_code == 200
    assert checked.json()["status"] == "approved" and checked.json()["post_checked_at"]
    error(
        housing.post(f"/api/v1/staff/cases/{case['id']}/decide", {"action": "revoke", "reason": "x"}),
        409,
        "invalid_transition",
    )


def test_revoke_is_only_for_commitment_approvals(resident, clerk) -> None:
    housing = clerk("housing")
    case = resident(ZHANG).apply(RENTAL)
    housing.post(f"/api/v1/staff/cases/{case['id']}/decide", {"action": "approve"})
    error(
        housing.post(f"/api/v1/staff/cases/{case['id']}/decide", {"action": "revoke", "reason": "x"}),
        409,
        "invalid_transition",
    )


# -- certificates, notifications, timeline, data access ---------------------------------------------------------
def test_certificates_are_listed_with_a_qr_and_verifiable(resident, clerk) -> None:
    person = resident(ZHANG)
    case = person.apply(RENTAL)
    clerk("housing").post(f"/api/v1/staff/cases/{case['id']}/decide", {"action": "approve"})
    certs = person.client.get("/api/v1/certificates").json()["results"]
    assert len(certs) == 1
    assert certs[0]["qr"].startswith("data:image/png;base64,")
    assert certs[0]["verify_url"].endswith(certs[0]["code"])
    assert resident(WU_MIN).client.get("/api/v1/certificates").json()["results"] == []
    error(APIClient().get("/api/v1/certificates/verify/NOPE-NOPE"), 404, "certificate_not_found")


def test_every_status_change_notifies_and_lands_on_the_timeline(resident, clerk) -> None:
    person = resident(ZHANG)
    case = person.apply(RENTAL)
    clerk("housing").post(f"/api/v1/staff/cases/{case['id']}/decide", {"action": "return", "reason": "补充材料说明"})
    kinds = list(Notification.objects.filter(user__phone="+86" + ZHANG).values_list("kind", flat=True))
    assert "case.in_review" in kinds and "case.returned" in kinds
    timeline = person.case(case["id"])["timeline"]
    assert [e["action"] for e in timeline] == ["submitted", "accepted", "return"]
    assert "住房保障局" in timeline[-1]["actor"] and timeline[-1]["note"] == "补充材料说明"
    assert CaseEvent.objects.filter(case_id=case["id"]).count() == 3


def test_data_access_lists_the_reads_of_a_case(resident) -> None:
    person = resident(ZHANG)
    case = person.apply(RENTAL)
    rows = person.client.get("/api/v1/me/data-access").json()["results"]
    for_case = [r for r in rows if r["case"] and r["case"]["id"] == case["id"]]
    assert {r["department_code"] for r in for_case} == {"civil_affairs", "natural_resources"}
    assert all(r["actor_type"] == "system" for r in for_case)


def test_english_on_request(resident) -> None:
    person = resident("13800000006")  # income 2500.01
    response = person.client.post(
        "/api/v1/cases", {"service": RENTAL, "consent": True}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    body = response.json()
    assert body["decision"]["reason"] == "Household income is above 2500.00 per capita."
    assert body["service_name"] == "Public rental housing"


# -- catalogue -------------------------------------------------------------------------------------------------------
def test_catalogue_search_filters_and_detail(demo) -> None:
    anon = APIClient()
    codes = {s["code"] for s in anon.get("/api/v1/services").json()}
    assert codes >= {PFW, RENTAL, TALENT, "deed-tax-subsidy", "primary-school-enrolment"}
    assert [s["code"] for s in anon.get("/api/v1/services?q=公积金").json()] == [PFW]
    assert [s["code"] for s in anon.get("/api/v1/services?q=Rental").json()] == [RENTAL]
    housing = {s["code"] for s in anon.get("/api/v1/services?department=housing").json()}
    assert housing == {RENTAL, TALENT, "deed-tax-subsidy"}
    assert {s["code"] for s in anon.get("/api/v1/services?category=教育").json()} == {
        "primary-school-enrolment",
        "school-district-check",
    }
    detail = anon.get(f"/api/v1/services/{PFW}").json()
    assert detail["mode"] == "instant" and detail["requires_face"] is True
    assert detail["form"]["properties"]["reason"]["enum"] == ["rent", "purchase"]
    assert {d["key"] for d in detail["data_items"]} == {
        "provident_fund.account",
        "provident_fund.withdrawals",
        "property.owned",
    }
    assert all(set(d) >= {"key", "label", "department", "purpose"} for d in detail["data_items"])
    error(anon.get("/api/v1/services/nope"), 404, "unknown_service")


def test_prefill_is_masked_with_department_and_freshness(resident) -> None:
    person = resident(ZHANG)
    body = person.client.get(f"/api/v1/services/{PFW}/prefill").json()
    account = next(i for i in body["items"] if i["key"] == "provident_fund.account")
    assert account["department"] == "住房公积金管理中心" and account["updated_at"]
    assert account["value"]["bank_card"].startswith("*")
    assert person.record["id_number"] not in str(body)
    assert DataAccessLog.objects.filter(purpose__startswith="授权确认页预览").exists()


def test_eligibility_dry_run_creates_nothing(resident) -> None:
    person = resident("13800000006")
    body = person.client.get(f"/api/v1/services/{PFW}/eligibility?reason=rent&amount=100.00").json()
    assert body["eligible"] is False and body["reason_code"] == "insufficient_contribution"
    assert not Case.objects.exists()
    eligible = {s["code"] for s in resident(ZHANG).client.get("/api/v1/services?eligible=true").json()}
    assert PFW in eligible and "primary-school-enrolment" in eligible and RENTAL in eligible
    assert "deed-tax-subsidy" not in eligible
    error(APIClient().get("/api/v1/services?eligible=true"), 401, "not_authenticated")


def test_approval_rechecks_the_rules_on_todays_registry_data(resident, clerk) -> None:
    from backend.registries.models import Property, Resident

    case = resident(ZHANG).apply(RENTAL)
    # Between submission and review, a household member buys a home.
    wife = Resident.objects.get(phone="+8613800000002")
    home = Property.objects.create(
        certificate_no="豫(2026)郑州市不动产权第RECHECK号",
        address="郑州市金水区花园路99号",
        district="金水区",
        area_m2=90,
        purchase_date=timezone.localdate(),
        price="800000.00",
        deed_tax_paid="8000.00",
        first_home=True,
    )
    home.owners.add(wife)
    housing = clerk("housing")
    err = error(
        housing.post(f"/api/v1/staff/cases/{case['id']}/decide", {"action": "approve"}), 409, "rules_no_longer_met"
    )
    assert err["fields"]["reason_code"] == ["owns_property"]
    stored = Case.objects.get(pk=case["id"])
    assert stored.status == "in_review" and stored.decision is None
    assert any(r["code"] == "owns_property" and r["passed"] is False for r in stored.rule_trace)
    assert CaseEvent.objects.filter(case=stored, action="recheck_failed").exists()
    rejected = housing.post(f"/api/v1/staff/cases/{case['id']}/decide", {"action": "reject", "reason": "家庭已有住房"})
    assert rejected.json()["status"] == "rejected"


def test_bad_rating_follow_up_is_closed_by_the_department(resident, clerk) -> None:
    person = resident(ZHANG)
    case = person.apply(RENTAL)
    person.client.post(f"/api/v1/cases/{case['id']}/withdraw")
    person.client.post(f"/api/v1/cases/{case['id']}/rating", {"score": 2, "comment": "等太久"}, format="json")
    housing = clerk("housing")
    follow_ups = housing.get("/api/v1/staff/follow-ups?open=true").json()["results"]
    assert [f["reference_no"] for f in follow_ups] == [case["reference_no"]] and follow_ups[0]["score"] == 2
    assert clerk("education").get("/api/v1/staff/follow-ups").json()["count"] == 0
    error(
        clerk("education").post(f"/api/v1/staff/follow-ups/{follow_ups[0]['id']}/close", {"resolution": "x"}),
        404,
        "not_found",
    )
    url = f"/api/v1/staff/follow-ups/{follow_ups[0]['id']}/close"
    error(housing.post(url, {"resolution": ""}), 400, "reason_required")
    closed = housing.post(url, {"resolution": "已电话回访并致歉"})
    assert closed.status_code == 200 and closed.json()["closed_at"]
    error(housing.post(url, {"resolution": "again"}), 409, "invalid_transition")
    assert person.case(case["id"])["timeline"][-1]["action"] == "follow_up_closed"
    error(person.client.get("/api/v1/staff/follow-ups"), 403, "permission_denied")


def test_demo_cases_are_made_through_the_engine_once(demo) -> None:
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", stdout=StringIO())
    statuses = sorted(Case.objects.values_list("status", flat=True))
    assert statuses == ["approved", "in_review", "pending_face"]
    call_command("load_demo", stdout=StringIO())
    assert Case.objects.count() == 3


@pytest.mark.parametrize("query", ["reason=travel", "amount=abc", "amount=-5"])
def test_eligibility_with_invalid_form_values_is_400(resident, query: str) -> None:
    client = resident(ZHANG).client
    reads = DataAccessLog.objects.count()
    error(client.get(f"/api/v1/services/{PFW}/eligibility?{query}"), 400, "validation_error")
    assert DataAccessLog.objects.count() == reads


def test_resubmitting_a_masked_identifier_unchanged_keeps_the_stored_value(resident, clerk) -> None:
    person = resident(ZHANG)
    child = ZHANG_ZIHAN.id_number
    case = person.apply("primary-school-enrolment", {"child_id_number": child})
    clerk("education").post(f"/api/v1/staff/cases/{case['id']}/decide", {"action": "return", "reason": "核对"})
    shown = person.case(case["id"])["form"]
    response = person.client.patch(f"/api/v1/cases/{case['id']}", {"form": shown}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "in_review", response.content
    stored = Case.objects.get(pk=case["id"])
    assert identifiers.full_form(stored)["child_id_number"] == child
    assert stored.form["child_id_number"] == shown["child_id_number"] != child  # at rest: masked + sealed


def test_case_notices_read_in_the_readers_language(resident, clerk) -> None:
    """Stored in both languages when the case moves, shown in the language of whoever reads the inbox."""
    person = resident(ZHANG)
    case = person.apply("primary-school-enrolment", {"child_id_number": ZHANG_ZIHAN.id_number})
    person.client.post(f"/api/v1/cases/{case['id']}/withdraw")

    def inbox(**headers: str) -> list[dict]:
        notices = person.client.get("/api/v1/notifications", **headers).json()["results"]
        return [n for n in notices if n["target"].get("type") == "case" and n["target"].get("id") == case["id"]]

    zh, en = inbox(), inbox(HTTP_ACCEPT_LANGUAGE="en")
    assert [n["kind"] for n in zh] == [n["kind"] for n in en] == ["case.withdrawn", "case.in_review"]
    assert zh[0]["title"].startswith("【小学新生入学】") and zh[0]["title"].endswith("已撤回")
    assert zh[0]["body"] == "申请人撤回"
    assert en[0]["title"] == f"【Primary school enrolment】{case['reference_no']} Withdrawn"
    assert en[0]["body"] == "Withdrawn by the applicant"
    assert en[1]["title"].endswith("Accepted and under review")


def test_the_timeline_reads_in_the_readers_language(resident, clerk) -> None:
    person = resident(ZHANG)
    case = person.apply("primary-school-enrolment", {"child_id_number": ZHANG_ZIHAN.id_number})
    clerk("education").post(f"/api/v1/staff/cases/{case['id']}/decide", {"action": "return", "reason": "请补充材料"})
    zh = person.case(case["id"])["timeline"]
    en = person.client.get(f"/api/v1/cases/{case['id']}", HTTP_ACCEPT_LANGUAGE="en").json()["timeline"]
    assert [(e["actor"], e["note"]) for e in zh][:1] == [("申请人", "提交申请")]
    assert [(e["actor"], e["note"]) for e in en][:1] == [("Applicant", "Submitted")]
    returned_zh, returned_en = zh[-1], en[-1]
    assert returned_zh["action"] == returned_en["action"] == "return"
    assert returned_zh["note"] == returned_en["note"] == "请补充材料"  # the clerk's words, as written
    assert returned_zh["actor"].startswith("教育局") and returned_en["actor"].startswith("Education")
    assert any(e["actor"] in {"System", "Applicant"} for e in en) and not any(e["actor"] == "系统" for e in en)
