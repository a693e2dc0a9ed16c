"""The clerks' back office in the Django admin (DESIGN §1, §3.9), driven like a clerk drives it: logged in with the
phone number as username, reading the queue and the case page, posting the action forms.

Cases are created by demo residents through the HTTP API, so the admin works on real cases with real rule traces
and access-log rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from backend.accounts.groups import CLERKS, SUPERVISORS
from backend.accounts.models import User
from backend.cases.models import Case, CaseEvent, Certificate, FollowUp, Status
from backend.demo.city import DEMO_PASSWORD
from backend.faceauth.models import FaceEvent, FaceEventKind
from tests import personas
from tests.personas import WU_MIN, ZHANG_JIANGUO, ZHANG_ZIHAN

pytestmark = pytest.mark.django_db

HOUSING, EDUCATION, SUPERVISOR = "13700000001", "13700000002", "13700000009"
ZHANG = ZHANG_JIANGUO.phone  # household income exactly 2500.00: public rental housing reaches review
ZHAO = WU_MIN.phone  # another household that reaches review for public rental housing
LIU_FANG = personas.LIU_FANG.phone  # talent housing subsidy (commitment mode)
CHILD_OF_ZHANG = ZHANG_ZIHAN.id_number  # 张子涵, youngest eligible for enrolment
RENTAL, SCHOOL, TALENT = "public-rental-housing", "primary-school-enrolment", "talent-housing-subsidy"

CHANGELIST = "/admin/cases/case/"
POST_CHECKS = "/admin/cases/postcheckcase/"
COUNTER_CHECK = {"note": "核验身份证原件", "id_card_checked": "on"}  # the admin's 当面核验身份 form, filled in


def admin_client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def change_url(case_id: int) -> str:
    return f"/admin/cases/case/{case_id}/change/"


def decide(client: Client, case_id: int, action: str, reason: str = "") -> Any:
    return client.post(f"/admin/cases/case/{case_id}/decide/", {"action": action, "reason": reason}, follow=True)


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def cases(resident) -> dict[str, dict[str, Any]]:
    """Two housing cases and one education case in review."""
    zhang = resident(ZHANG)
    rental = zhang.apply(RENTAL)
    school = zhang.apply(SCHOOL, {"child_id_number": CHILD_OF_ZHANG})
    other = resident(ZHAO).apply(RENTAL)
    for case in (rental, school, other):
        assert case["status"] == "in_review", case
    return {"rental": rental, "school": school, "other_rental": other, "zhang": zhang}


# -- access ------------------------------------------------------------------------------------------------------------
def test_staff_groups_are_created_by_migrate(db) -> None:
    clerks, supervisors = Group.objects.get(name=CLERKS), Group.objects.get(name=SUPERVISORS)
    assert clerks.permissions.filter(content_type__app_label="cases", codename="change_case").exists()
    assert clerks.permissions.filter(content_type__app_label="registries", codename="view_resident").exists()
    assert not clerks.permissions.filter(codename__regex=r"^(add|delete)_").exists()
    assert set(supervisors.permissions.values_list("codename", flat=True)) >= {"view_case", "view_postcheckcase"}
    assert not supervisors.permissions.exclude(codename__startswith="view_").exists()


def test_staff_groups_exist_and_demo_staff_belong_to_them(demo) -> None:
    clerk = User.objects.get(username=HOUSING)
    supervisor = User.objects.get(username=SUPERVISOR)
    assert clerk.groups.filter(name=CLERKS).exists()
    assert supervisor.groups.filter(name=SUPERVISORS).exists()
    assert clerk.has_perms(["cases.view_case", "cases.change_case", "cases.view_postcheckcase"])
    assert clerk.has_perms(["registries.view_resident", "registries.change_resident"])
    assert not clerk.has_perm("cases.delete_case") and not clerk.has_perm("cases.add_case")
    assert supervisor.has_perm("cases.view_case") and not supervisor.has_perm("cases.change_case")
    assert Group.objects.get(name=CLERKS).permissions.filter(codename="change_resident").exists()


def test_clerk_logs_in_with_the_phone_number(demo) -> None:
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": HOUSING, "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    index = client.get("/admin/")
    assert index.status_code == 200
    assert CHANGELIST in index.content.decode()
    assert POST_CHECKS in index.content.decode()


def test_resident_cannot_reach_the_admin(cases) -> None:
    user = User.objects.get(phone="+86" + ZHANG)
    client = Client()
    assert client.login(username=user.username, password=DEMO_PASSWORD)
    for url in ("/admin/", CHANGELIST, change_url(cases["rental"]["id"])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), url
    response = client.post(f"/admin/cases/case/{cases['rental']['id']}/decide/", {"action": "approve"})
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert Case.objects.get(pk=cases["rental"]["id"]).status == Status.IN_REVIEW


# -- the queue -------------------------------------------------------------------------------------------------------
def test_queue_shows_own_department_only_overdue_first(cases) -> None:
    rental, other, school = cases["rental"], cases["other_rental"], cases["school"]
    # The later case is overdue: it jumps the queue.
    Case.objects.filter(pk=other["id"]).update(due_at=timezone.now() - dt.timedelta(days=3))

    response = admin_client(HOUSING).get(CHANGELIST)
    assert response.status_code == 200
    listed = [c.pk for c in response.context["cl"].result_list]
    assert listed == [other["id"], rental["id"]]
    html = response.content.decode()
    assert "逾期 overdue" in html
    assert school["reference_no"] not in html
    assert "张*国" in html and "张建国" not in html  # applicants are masked

    education = admin_client(EDUCATION).get(CHANGELIST)
    assert [c.pk for c in education.context["cl"].result_list] == [school["id"]]


def test_queue_filters(cases) -> None:
    Case.objects.filter(pk=cases["other_rental"]["id"]).update(due_at=timezone.now() - dt.timedelta(days=3))
    client = admin_client(HOUSING)
    overdue = client.get(CHANGELIST, {"overdue": "yes"})
    assert [c.pk for c in overdue.context["cl"].result_list] == [cases["other_rental"]["id"]]
    by_service = client.get(CHANGELIST, {"service": RENTAL, "status__exact": "in_review"})
    assert len(by_service.context["cl"].result_list) == 2
    assert client.get(CHANGELIST, {"service": SCHOOL}).context["cl"].result_count == 0


def test_another_departments_case_is_404(cases) -> None:
    client = admin_client(EDUCATION)
    rental = cases["rental"]
    assert client.get(change_url(rental["id"])).status_code == 404
    assert client.get(f"/admin/cases/case/{rental['id']}/history/").status_code == 404
    assert client.post(f"/admin/cases/case/{rental['id']}/decide/", {"action": "approve"}).status_code == 404
    assert client.post(f"/admin/cases/case/{rental['id']}/verify-identity/", {}).status_code == 404
    assert Case.objects.get(pk=rental["id"]).status == Status.IN_REVIEW


def test_nobody_adds_edits_or_deletes_cases(cases) -> None:
    client = admin_client(HOUSING)
    case_id = cases["rental"]["id"]
    assert client.get("/admin/cases/case/add/").status_code == 403
    assert client.get(f"/admin/cases/case/{case_id}/delete/").status_code == 403
    assert client.post(change_url(case_id), {"reference_no": "X", "status": "approved"}).status_code == 403
    assert Case.objects.get(pk=case_id).status == Status.IN_REVIEW
    superuser = admin_client("admin")
    assert superuser.get("/admin/cases/case/add/").status_code == 403


# -- the case page ---------------------------------------------------------------------------------------------------
def test_case_page_shows_trace_data_used_timeline_and_actions(cases) -> None:
    case = Case.objects.get(pk=cases["rental"]["id"])
    response = admin_client(HOUSING).get(change_url(case.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert case.reference_no in html
    assert "家庭人均月收入不超过2500元" in html and "✓" in html  # the rule trace, readable
    assert "monthly_income_per_capita = 2500.00" in html
    assert "民政局" in html and "家庭人均月收入" in html  # registry data used: department and item
    assert "提交申请" in html  # timeline
    assert case.resident.id_number not in html and case.resident.name not in html
    assert f'action="/admin/cases/case/{case.pk}/decide/"' in html
    for action in ("approve", "reject", "return"):
        assert f'value="{action}"' in html
    assert 'value="revoke"' not in html  # not allowed in review


def test_case_page_labels_the_form_from_its_schema(cases) -> None:
    response = admin_client(EDUCATION).get(change_url(cases["school"]["id"]))
    html = response.content.decode()
    assert "410105********0262" in html and CHILD_OF_ZHANG not in html  # an ID number in the form is masked
    assert "拟办结果 Proposal" in html


# -- actions ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("action", "reason", "status"),
    [
        ("approve", "", Status.APPROVED),
        ("return", "请补充租赁合同编号", Status.RETURNED),
        ("reject", "经核查不符合条件", Status.REJECTED),
    ],
)
def test_decide_lands_on_the_timeline_with_the_clerk(cases, action: str, reason: str, status: str) -> None:
    case_id = cases["rental"]["id"]
    response = decide(admin_client(HOUSING), case_id, action, reason)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith(change_url(case_id))
    assert any("→" in m for m in messages_of(response))

    case = Case.objects.get(pk=case_id)
    assert case.status == status
    event = CaseEvent.objects.filter(case=case).last()
    clerk = User.objects.get(username=HOUSING)
    assert (event.action, event.actor, event.note) == (action, clerk, reason)
    assert "住房保障局" in event.actor_label
    if action == "approve":
        assert case.decided_by == clerk and case.decision["waitlist_number"] >= 1
    if action == "reject":
        assert case.decision["reason_code"] == "clerk_rejected"
    # The resident sees the same on their timeline through the API.
    timeline = cases["zhang"].case(case_id)["timeline"]
    assert timeline[-1]["actor"] == event.actor_label and timeline[-1]["status"] == status


def test_refused_actions_are_messages_and_change_nothing(cases) -> None:
    client = admin_client(HOUSING)
    case_id = cases["rental"]["id"]
    events = CaseEvent.objects.filter(case_id=case_id).count()

    missing_reason = decide(client, case_id, "reject", "  ")
    assert any("reason_required" in m for m in messages_of(missing_reason))
    not_allowed = decide(client, case_id, "revoke", "承诺不实")
    assert any("invalid_transition" in m for m in messages_of(not_allowed))
    unknown = decide(client, case_id, "delete", "")
    assert any("validation_error" in m for m in messages_of(unknown))
    assert Case.objects.get(pk=case_id).status == Status.IN_REVIEW
    assert CaseEvent.objects.filter(case_id=case_id).count() == events

    decide(client, case_id, "approve")
    again = decide(client, case_id, "approve")
    assert any("invalid_transition" in m for m in messages_of(again))
    assert CaseEvent.objects.filter(case_id=case_id, action="approve").count() == 1
    assert client.get(f"/admin/cases/case/{case_id}/decide/").status_code == 405


def test_supervisor_sees_every_department_but_cannot_act(cases) -> None:
    client = admin_client(SUPERVISOR)
    listed = {c.pk for c in client.get(CHANGELIST).context["cl"].result_list}
    assert {cases["rental"]["id"], cases["school"]["id"], cases["other_rental"]["id"]} <= listed
    page = client.get(change_url(cases["school"]["id"])).content.decode()
    assert "/decide/" not in page and "Supervisors have read-only access" in page
    response = client.post(f"/admin/cases/case/{cases['school']['id']}/decide/", {"action": "approve"})
    assert response.status_code == 403
    assert Case.objects.get(pk=cases["school"]["id"]).status == Status.IN_REVIEW


# -- counter identity check and the post-check queue -----------------------------------------------------------------
@pytest.fixture
def talent_case(resident) -> dict[str, Any]:
    case = resident(LIU_FANG).apply(TALENT, {"degree": "master", "employer": "郑州大学"})
    assert case["status"] == "pending_face"
    return case


def test_counter_identity_check_runs_the_decision(talent_case) -> None:
    client = admin_client(HOUSING)
    page = client.get(change_url(talent_case["id"])).content.decode()
    assert f"/admin/cases/case/{talent_case['id']}/verify-identity/" in page
    response = client.post(f"/admin/cases/case/{talent_case['id']}/verify-identity/", COUNTER_CHECK, follow=True)
    assert response.status_code == 200
    case = Case.objects.get(pk=talent_case["id"])
    assert case.status == Status.APPROVED and case.identity_verified_by == "counter"
    verified = CaseEvent.objects.get(case=case, action="counter_verified")
    assert verified.actor.username == HOUSING and verified.note == "核验身份证原件"
    audit = FaceEvent.objects.get(user=case.applicant, kind=FaceEventKind.COUNTER_VERIFIED)
    assert audit.actor == verified.actor and audit.target == case.pk and audit.note == "核验身份证原件"
    again = client.post(
        f"/admin/cases/case/{talent_case['id']}/verify-identity/",
        COUNTER_CHECK,
        follow=True,
    )
    assert any("invalid_transition" in m for m in messages_of(again))


def test_counter_identity_check_needs_the_id_card_and_a_note(talent_case) -> None:
    client = admin_client(HOUSING)
    url = f"/admin/cases/case/{talent_case['id']}/verify-identity/"
    page = client.get(change_url(talent_case["id"])).content.decode()
    assert "当面核验身份" in page and 'name="id_card_checked"' in page
    no_card = client.post(url, {"note": "核验身份证原件"}, follow=True)
    assert any("id_card_required" in m for m in messages_of(no_card))
    no_note = client.post(url, {"note": " ", "id_card_checked": "on"}, follow=True)
    assert any("validation_error" in m and "note" in m for m in messages_of(no_note))
    assert admin_client(SUPERVISOR).post(url, {"note": "核验", "id_card_checked": "on"}).status_code == 403
    assert admin_client(EDUCATION).post(url, {"note": "核验", "id_card_checked": "on"}).status_code == 404
    case = Case.objects.get(pk=talent_case["id"])
    assert case.status == Status.PENDING_FACE
    assert not FaceEvent.objects.filter(user=case.applicant, kind=FaceEventKind.COUNTER_VERIFIED).exists()


def test_post_check_queue_pass_and_revoke(talent_case, resident) -> None:
    client = admin_client(HOUSING)
    client.post(f"/admin/cases/case/{talent_case['id']}/verify-identity/", COUNTER_CHECK)
    queue = client.get(POST_CHECKS)
    assert [c.pk for c in queue.context["cl"].result_list] == [talent_case["id"]]
    assert admin_client(EDUCATION).get(POST_CHECKS).context["cl"].result_count == 0

    page = client.get(f"{POST_CHECKS}{talent_case['id']}/change/").content.decode()
    assert "核查属实 Post-check passed" in page and 'value="revoke"' in page

    passed = decide(client, talent_case["id"], "approve", "单位核实学历属实")
    assert any("核查属实" in m for m in messages_of(passed))
    case = Case.objects.get(pk=talent_case["id"])
    assert case.status == Status.APPROVED and case.post_checked_at is not None
    assert CaseEvent.objects.filter(case=case).last().action == "post_checked"
    assert client.get(POST_CHECKS).context["cl"].result_count == 0
    assert client.get(f"{POST_CHECKS}{case.pk}/change/").status_code == 404


def test_post_check_revoke_needs_a_reason(talent_case) -> None:
    client = admin_client(HOUSING)
    client.post(f"/admin/cases/case/{talent_case['id']}/verify-identity/", COUNTER_CHECK)
    refused = decide(client, talent_case["id"], "revoke", "")
    assert any("reason_required" in m for m in messages_of(refused))
    decide(client, talent_case["id"], "revoke", "学历证书查无此人")
    case = Case.objects.get(pk=talent_case["id"])
    assert case.status == Status.REVOKED and case.decision["revoked_reason"] == "学历证书查无此人"
    assert CaseEvent.objects.filter(case=case).last().actor.username == HOUSING


# -- follow-ups and records ------------------------------------------------------------------------------------------
def test_bad_rating_follow_up_is_closed_with_a_resolution(cases) -> None:
    client = admin_client(HOUSING)
    case_id = cases["rental"]["id"]
    decide(client, case_id, "approve")
    rating = {"score": 1, "comment": "太慢"}
    rated = cases["zhang"].client.post(f"/api/v1/cases/{case_id}/rating", rating, format="json")
    assert rated.status_code == 201
    follow_up = FollowUp.objects.get(case_id=case_id)

    listing = client.get("/admin/cases/followup/").content.decode()
    assert "太慢" in listing and "待整改 open" in listing
    assert admin_client(EDUCATION).get(f"/admin/cases/followup/{follow_up.pk}/change/").status_code == 404

    url = f"/admin/cases/followup/{follow_up.pk}/change/"
    assert client.post(url, {"resolution": ""}).status_code == 200  # required: the form comes back with an error
    assert FollowUp.objects.get(pk=follow_up.pk).closed_at is None
    response = client.post(url, {"resolution": "已电话回访并说明审核时限"})
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.closed_at is not None and follow_up.resolution == "已电话回访并说明审核时限"
    event = CaseEvent.objects.filter(case_id=case_id).last()
    assert event.action == "follow_up_closed" and event.actor.username == HOUSING
    assert client.post(url, {"resolution": "again"}).status_code == 403  # closed: read-only now


def test_records_are_read_only_and_scoped(cases) -> None:
    housing = admin_client(HOUSING)
    decide(housing, cases["rental"]["id"], "approve")
    cert = Certificate.objects.get(case_id=cases["rental"]["id"])
    listing = housing.get("/admin/cases/certificate/").content.decode()
    assert cert.code in listing and "有效 valid" in listing
    assert housing.get(f"/admin/cases/certificate/{cert.pk}/change/").status_code == 200
    assert housing.post(f"/admin/cases/certificate/{cert.pk}/change/", {"code": "X"}).status_code == 403
    assert housing.get(f"/admin/cases/certificate/{cert.pk}/delete/").status_code == 403
    education = admin_client(EDUCATION)
    assert cert.code not in education.get("/admin/cases/certificate/").content.decode()
    assert education.get(f"/admin/cases/certificate/{cert.pk}/change/").status_code == 404
    for url in ("/admin/cases/payout/", "/admin/cases/subsidyclaim/"):
        assert housing.get(url).status_code == 200
