"""Lifecycle hooks (ServiceModule.on_approved / on_revoked / on_withdrawn / on_post_check_expired): the engine calls
them at the change they name, inside its transaction, and does its own part first — a revoked approval's payout is
marked for recovery (today revoking did nothing to the money). The services here are written as a third party
would write them, on the SDK only, and registered for the test like an installed package."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from backend.cases import discovery, sdk
from backend.cases.models import Case, Certificate, Payout
from backend.cases.tasks import sweep_statutory_clock

pytestmark = pytest.mark.django_db

RESIDENT = "13800000001"


def adult(ctx: sdk.Context) -> sdk.Check:
    person = ctx.item("household.identity")
    return sdk.passed(age=sdk.years_between(person.birth_date, ctx.today))


class Recording(sdk.ServiceModule):
    """Records every hook call in ``calls`` (a list on the instance)."""

    department = "housing"
    category = sdk.Text("测试", "Test")
    data = [sdk.DataUse("household.identity", sdk.Text("核对身份", "Identity"))]

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def rules(self, ctx: sdk.Context) -> list[sdk.Rule]:
        return [sdk.Rule("underage", sdk.Text("成年", "Adult"), adult, sdk.Text("未成年", "Underage"))]

    def on_approved(self, ctx: sdk.Context, case: sdk.Case, outcomes: Any) -> None:
        self.calls.append(("approved", case.pk, case.status, [type(o).__name__ for o in outcomes]))

    def on_revoked(self, case: sdk.Case, reason: str) -> None:
        self.calls.append(("revoked", case.pk, reason))

    def on_withdrawn(self, case: sdk.Case) -> None:
        self.calls.append(("withdrawn", case.pk, case.status))

    def on_post_check_expired(self, case: sdk.Case) -> None:
        self.calls.append(("post_check_expired", case.pk))


class CommitmentGrant(Recording):
    code = "yw-test-commitment-grant"
    name = sdk.Text("承诺制补助", "Commitment grant")
    mode = sdk.Mode.COMMITMENT
    time_limit_days = 0
    post_check_days = 5
    certificate_title = sdk.Text("补助确认书", "Grant confirmation")

    def execute(self, ctx: sdk.Context, case: sdk.Case) -> sdk.Payout:
        return sdk.record_payout(case, sdk.yuan("800"), "6222020000000000123")


class ReviewedPermit(Recording):
    code = "yw-test-reviewed-permit"
    name = sdk.Text("审核制许可", "Reviewed permit")
    mode = sdk.Mode.REVIEW


@pytest.fixture
def services(monkeypatch: pytest.MonkeyPatch, settings) -> dict[str, Recording]:
    found = {service.code: service for service in (CommitmentGrant(), ReviewedPermit())}
    monkeypatch.setattr(discovery, "_third_party", lambda: [(s, "tests.cases.test_lifecycle") for s in found.values()])
    settings.YIWANG_SERVICES = [*discovery.builtin_codes(), *found]
    discovery.reload()
    yield found
    monkeypatch.undo()
    discovery.reload()


def test_approval_then_revocation_marks_the_payout_for_recovery(resident, clerk, services) -> None:
    grant = services[CommitmentGrant.code]
    case = resident(RESIDENT).apply(grant.code)
    assert case["status"] == "approved", case
    assert grant.calls == [("approved", case["id"], "approved", ["Payout", "Certificate"])]
    payout = Payout.objects.get(case_id=case["id"])
    assert payout.amount == Decimal("800.00") and payout.reversed_at is None

    revoked = clerk("housing").post(
        f"/api/v1/staff/cases/{case['id']}/decide", {"action": "revoke", "reason": "承诺的就业信息不实"}
    )
    assert revoked.status_code == 200, revoked.content
    assert grant.calls[-1] == ("revoked", case["id"], "承诺的就业信息不实")
    payout.refresh_from_db()
    assert payout.reversed_at is not None and payout.reversal_reason == "承诺的就业信息不实"
    assert Certificate.objects.get(case_id=case["id"]).revoked_at is not None
    # The decision the API returns is unchanged but for the revocation's reason.
    assert revoked.json()["decision"]["amount"] == "800.00"
    assert revoked.json()["decision"]["revoked_reason"] == "承诺的就业信息不实"


def test_withdrawal_calls_on_withdrawn(resident, services) -> None:
    permit = services[ReviewedPermit.code]
    person = resident(RESIDENT)
    case = person.apply(permit.code)
    assert case["status"] == "in_review" and permit.calls == []
    response = person.client.post(f"/api/v1/cases/{case['id']}/withdraw")
    assert response.status_code == 200, response.content
    assert permit.calls == [("withdrawn", case["id"], "withdrawn")]


def test_an_expired_post_check_is_reported_once_per_case(resident, clerk, services) -> None:
    grant = services[CommitmentGrant.code]
    expired = resident(RESIDENT).apply(grant.code)
    checked = resident("13800000003").apply(grant.code)
    post_checked = clerk("housing").post(f"/api/v1/staff/cases/{checked['id']}/decide", {"action": "post_check"})
    assert post_checked.status_code == 200, post_checked.content
    grant.calls.clear()

    on_time = Case.objects.get(pk=expired["id"]).post_check_due
    assert sweep_statutory_clock(now=_noon(on_time).isoformat())["post_checks_expired"] == 0  # the last day: not yet
    later = _noon(on_time + dt.timedelta(days=1)).isoformat()
    assert sweep_statutory_clock(now=later)["post_checks_expired"] == 1
    assert grant.calls == [("post_check_expired", expired["id"])]  # not the post-checked case
    assert sweep_statutory_clock(now=later)["post_checks_expired"] == 0  # a second sweep: once per case
    assert grant.calls == [("post_check_expired", expired["id"])]
    assert Case.objects.get(pk=expired["id"]).status == "approved"  # reported, not decided


def _noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
