"""The rules the case list is asked, each written once (``backend/cases/models.py``): running, overdue, awaiting
post-check, the clerk's queue; the explicit ``post_check`` action with ``approve`` as its alias; and the "no
other open case" helper the service modules share.

The queryset side (what the queue, the admin filters, the sweep and the cockpit count) and the predicate side
(what a case page or a serializer shows for one case) must say the same thing for every state a case can be in."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.test import Client
from django.utils import timezone

from backend.accounts.models import Department, User
from backend.cases import transitions
from backend.cases.context import Context
from backend.cases.discovery import get_service
from backend.cases.models import Case, CaseEvent, Status
from backend.cases.sdk import has_other_case
from backend.demo.city import DEMO_PASSWORD
from backend.registries.models import Resident
from tests.cases.conftest import counter_verify

pytestmark = pytest.mark.django_db

WU_MIN = "13800000010"
TALENT = "talent-housing-subsidy"
RENTAL = "public-rental-housing"
HOUSING_CLERK = "13700000001"
SUPERVISOR = "13700000009"


def _case(n: int, **fields) -> Case:
    resident = Resident.objects.order_by("pk").first()
    applicant = User.objects.filter(role="resident").order_by("pk").first()
    defaults = {
        "reference_no": f"T-SEL-{n:04d}",
        "service_code": RENTAL,
        "department": Department.objects.get(code="housing"),
        "mode": "review",
        "applicant": applicant,
        "resident": resident,
        "household_id": resident.household_id,
        "status": Status.IN_REVIEW,
        "consent_at": timezone.now(),
    }
    return Case.objects.create(**{**defaults, **fields})


def test_queryset_rules_and_case_predicates_agree_in_every_state(demo) -> None:
    now = timezone.now()
    dues = [None, now - dt.timedelta(days=2), now + dt.timedelta(days=2)]
    pauses = [None, now - dt.timedelta(days=1)]
    modes = ["review", "commitment"]
    checked = [None, now]
    cases = [
        _case(n, status=status, due_at=due, paused_at=paused, mode=mode, post_checked_at=post_checked)
        for n, (status, due, paused, mode, post_checked) in enumerate(
            itertools.product(Status.values, dues, pauses, modes, checked)
        )
    ]
    everything = Case.objects.filter(reference_no__startswith="T-SEL-")

    assert set(everything.running()) == {c for c in cases if c.is_running}
    assert set(everything.overdue(now)) == {c for c in cases if c.is_overdue(now)}
    assert set(everything.not_overdue(now)) == {c for c in cases if not c.is_overdue(now)}
    assert set(everything.awaiting_post_check()) == {c for c in cases if c.is_awaiting_post_check}
    annotated = {c.pk: c.late for c in everything.with_overdue(now, name="late")}
    assert annotated == {c.pk: c.is_overdue(now) for c in cases}

    # What the rules mean, spelled out: only a case in review, clock running, past its due date is overdue.
    overdue = [c for c in cases if c.is_overdue(now)]
    assert overdue and all(c.status == Status.IN_REVIEW and c.paused_at is None and c.due_at < now for c in overdue)
    # The transition table asks the same "awaiting post-check" question.
    assert {c.pk for c in cases if transitions.allows(c, "post_check")} == {
        c.pk for c in cases if c.is_awaiting_post_check
    }


def test_post_check_due_by_a_date(demo) -> None:
    today = timezone.localdate()
    soon = _case(1, status=Status.APPROVED, mode="commitment", post_check_due=today + dt.timedelta(days=2))
    _case(2, status=Status.APPROVED, mode="commitment", post_check_due=today + dt.timedelta(days=20))
    _case(3, status=Status.APPROVED, mode="commitment", post_check_due=today, post_checked_at=timezone.now())
    assert list(Case.objects.post_check_due(today + dt.timedelta(days=3))) == [soon]


def test_staff_queue_is_the_clerks_own_department_only(demo) -> None:
    now = timezone.now()
    housing_late = _case(1, due_at=now - dt.timedelta(days=1))
    housing_later = _case(2, due_at=now + dt.timedelta(days=5))
    _case(3, department=Department.objects.get(code="education"), due_at=now - dt.timedelta(days=3))
    awaiting = _case(4, status=Status.APPROVED, mode="commitment", post_check_due=timezone.localdate())
    clerk = User.objects.get(phone="+86" + HOUSING_CLERK)
    supervisor = User.objects.get(phone="+86" + SUPERVISOR)

    assert list(Case.objects.staff_queue(clerk, status=Status.IN_REVIEW)) == [housing_late, housing_later]
    assert list(Case.objects.staff_queue(clerk, overdue=True)) == [housing_late]
    assert list(Case.objects.staff_queue(clerk, post_check=True)) == [awaiting]
    assert list(Case.objects.staff_queue(clerk, service="no-such-service")) == []
    # Supervisors watch (cockpit, admin); the staff queue is the clerks' desk.
    assert not Case.objects.staff_queue(supervisor).exists()


# -- post_check: an action of its own, "approve" its alias ------------------------------------------------------
@pytest.fixture
def talent_case(resident, clerk) -> dict:
    case = counter_verify(clerk("housing"), resident(WU_MIN).apply(TALENT, {"degree": "master", "employer": "郑大"}))
    assert case["status"] == "approved" and case["post_checked_at"] is None
    return case


def test_post_check_is_offered_and_decided_by_its_own_name(talent_case, clerk) -> None:
    housing = clerk("housing")
    url = f"/api/v1/staff/cases/{talent_case['id']}"
    assert housing.get(url).json()["actions"] == ["post_check", "approve", "revoke"]
    response = housing.post(f"{url}/decide", {"action": "post_check"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "approved" and body["post_checked_at"] and body["actions"] == []
    event = CaseEvent.objects.filter(case_id=talent_case["id"]).last()
    assert event.action == "post_checked" and event.note == "承诺事项核查属实"
    again = housing.post(f"{url}/decide", {"action": "post_check"}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_transition"


def test_approve_stays_an_alias_of_post_check(talent_case, clerk) -> None:
    housing = clerk("housing")
    url = f"/api/v1/staff/cases/{talent_case['id']}/decide"
    response = housing.post(url, {"action": "approve", "reason": "核查属实"}, format="json")
    assert response.status_code == 200 and response.json()["post_checked_at"]
    event = CaseEvent.objects.filter(case_id=talent_case["id"]).last()
    assert event.action == "post_checked" and event.note == "核查属实"


def test_post_check_is_refused_on_a_case_in_review(resident, clerk) -> None:
    case = resident("13800000001").apply(RENTAL)
    response = clerk("housing").post(f"/api/v1/staff/cases/{case['id']}/decide", {"action": "post_check"})
    assert response.status_code == 409 and response.json()["error"]["code"] == "invalid_transition"
    assert Case.objects.get(pk=case["id"]).status == Status.IN_REVIEW
    assert not CaseEvent.objects.filter(case_id=case["id"], action="post_checked").exists()


def test_admin_offers_one_post_check_button(talent_case) -> None:
    client = Client()
    assert client.login(username=User.objects.get(phone="+86" + HOUSING_CLERK).username, password=DEMO_PASSWORD)
    page = client.get(f"/admin/cases/case/{talent_case['id']}/change/")
    assert page.status_code == 200
    assert [a["action"] for a in page.context["actions"]] == ["post_check", "revoke"]
    assert "核查属实 Post-check passed" in page.content.decode()
    decided = client.post(f"/admin/cases/case/{talent_case['id']}/decide/", {"action": "post_check"})
    assert decided.status_code == 302
    assert Case.objects.get(pk=talent_case["id"]).post_checked_at is not None


# -- "no other open case": one helper for the service modules ----------------------------------------------------
def test_has_other_case_ignores_the_case_itself_and_closed_ones(demo) -> None:
    service = get_service(RENTAL)
    first = _case(1)
    ctx = Context(service, first.resident, case=first)
    household = {"household_id": first.household_id}
    assert not has_other_case(ctx, RENTAL, **household)  # the case being decided is not its own "other"
    second = _case(2, status=Status.RETURNED)
    assert has_other_case(ctx, RENTAL, **household)
    assert not has_other_case(ctx, TALENT, **household)  # another service's cases do not count
    second.status = Status.APPROVED
    second.save(update_fields=["status"])
    assert not has_other_case(ctx, RENTAL, **household)
    assert has_other_case(ctx, RENTAL, including_approved=True, **household)
    assert has_other_case(Context(service, first.resident), RENTAL, **household)  # a pre-check has no case
