"""The workflow core shared by cases and city events (backend/workflow/steps.py), on its own.

A subject here is any object with ``pk`` and ``status`` (the core's Protocol); the notices are real inbox rows of a
real user, so what a transition tells, and what a rollback takes back, is read from the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.db import transaction

from backend.accounts.models import User
from backend.cases import services as case_services
from backend.cityevents import services as event_services
from backend.core.errors import Conflict
from backend.core.i18n import Text
from backend.notifications.models import Notification
from backend.workflow.steps import Notice, Step, Workflow, lock

TABLE = {"start": {"new"}, "finish": {"started"}}


@dataclass
class Ticket:
    pk: int
    status: str
    owner: User
    lines: list[Step] = field(default_factory=list)


def ticket_workflow() -> Workflow[Ticket]:
    return Workflow(
        allows=lambda ticket, action: ticket.status in TABLE.get(action, set()),
        write=lambda ticket, step: ticket.lines.append(step),
        notice=lambda ticket, step: (
            Notice(ticket.owner, f"ticket.{step.action}", lambda: ("已办理", str(step.note)), {"id": ticket.pk})
            if step.action != "quiet"
            else None
        ),
    )


@pytest.fixture
def owner(db) -> User:
    return User.objects.create(username="wf-owner", phone="+8616600000881")


def test_an_action_the_table_does_not_allow_is_a_409_in_the_apps_words(owner: User) -> None:
    flow, ticket = ticket_workflow(), Ticket(1, "new", owner)
    assert flow.require(ticket, "start", "不能开始") is ticket
    with pytest.raises(Conflict) as refused:
        flow.require(ticket, "finish", lambda t: f"状态 {t.status} 不能办结")
    assert refused.value.code == "invalid_transition" and refused.value.status_code == 409
    assert str(refused.value.message) == "状态 new 不能办结"
    with pytest.raises(Conflict):
        flow.require(ticket, "no-such-action", "未知")


@pytest.mark.django_db(transaction=True)
def test_record_writes_the_line_then_tells_the_owner_in_both_languages(owner: User) -> None:
    flow, ticket = ticket_workflow(), Ticket(1, "started", owner)
    with transaction.atomic():
        flow.record(ticket, Step("finish", owner, Text("已完成", "Done"), "started", "done"))
    assert [line.action for line in ticket.lines] == ["finish"]
    notice = Notification.objects.get(user=owner)
    assert (notice.kind, notice.title, notice.body, notice.body_en, notice.target) == (
        "ticket.finish",
        "已办理",
        "已完成",
        "Done",
        {"id": 1},
    )


@pytest.mark.django_db(transaction=True)
def test_no_notice_when_told_not_to_or_when_the_app_has_none(owner: User) -> None:
    flow, ticket = ticket_workflow(), Ticket(1, "started", owner)
    with transaction.atomic():
        flow.record(ticket, Step("finish", owner, "内部记录"), notify=False)
        flow.record(ticket, Step("quiet", owner))
    assert len(ticket.lines) == 2
    assert not Notification.objects.filter(user=owner).exists()


@pytest.mark.django_db(transaction=True)
def test_a_rollback_takes_back_the_notice_with_the_transition(owner: User) -> None:
    flow, ticket = ticket_workflow(), Ticket(1, "started", owner)
    with pytest.raises(RuntimeError), transaction.atomic():
        flow.record(ticket, Step("finish", owner, "已完成"))
        raise RuntimeError("the effect failed after the line was written")
    assert not Notification.objects.filter(user=owner).exists()


@pytest.mark.django_db(transaction=True)
def test_lock_reads_the_row_fresh_and_only_inside_a_transaction(owner: User) -> None:
    stale = User.objects.get(pk=owner.pk)
    User.objects.filter(pk=owner.pk).update(display_name="新名字")
    with pytest.raises(RuntimeError, match=r"outside transaction\.atomic"):
        lock(User.objects, pk=owner.pk)
    with transaction.atomic():
        fresh = lock(User.objects, pk=owner.pk)
        assert fresh is not None and fresh.display_name == "新名字" and stale.display_name != "新名字"
        assert lock(User.objects, pk=owner.pk + 1000) is None


def test_cases_and_city_events_run_the_same_core() -> None:
    assert isinstance(case_services.WORKFLOW, Workflow) and isinstance(event_services.WORKFLOW, Workflow)
    assert case_services.WORKFLOW.record.__func__ is event_services.WORKFLOW.record.__func__  # type: ignore[attr-defined]
