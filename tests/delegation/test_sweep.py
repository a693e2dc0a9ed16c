"""The daily mandate sweep (Celery beat ``mandate-expiry-sweep``): mandates past their end date end and both sides
are told; 30 days before the end both sides are reminded; each notice once, however often the sweep runs.

李德福 (born 1948, HH-ZY-013) lets his wife 王桂兰 (born 1952, same household) act for him; 张建国 is the guardian of
his daughter 张子涵 (a child of his household, a managed account without a login)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from backend.accounts.models import User
from backend.delegation.models import ConfirmedRelation, Mandate, MandateStatus, Relation
from backend.delegation.services import expire_due, sweep
from backend.delegation.tasks import sweep_mandates
from backend.notifications.models import Notification
from tests.personas import HOUSING_CLERK, LI_DEFU, WANG_GUILAN, ZHANG_JIANGUO, ZHANG_ZIHAN

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


@pytest.fixture
def elders(resident) -> tuple[Any, Any, Mandate]:
    """(李德福, 王桂兰, an active mandate 李德福 → 王桂兰 for a year from now)."""
    li, wang = resident(LI_DEFU.phone), resident(WANG_GUILAN.phone)
    invited = li.client.post("/api/v1/delegations", {"phone": WANG_GUILAN.phone}, format="json")
    assert invited.status_code == 201, invited.content
    mandate = Mandate.objects.get(pk=invited.json()["id"])
    now = timezone.now()
    # accepted with her face in the app; here the acceptance itself is not the subject
    Mandate.objects.filter(pk=mandate.pk).update(
        status=MandateStatus.ACTIVE, accepted_at=now, starts_at=now, ends_at=now + 365 * DAY
    )
    mandate.refresh_from_db()
    return li, wang, mandate


def notices(kind: str) -> list[tuple[str, str]]:
    return sorted((n.user.phone, n.body) for n in Notification.objects.filter(kind=kind).select_related("user"))


def test_both_sides_are_reminded_once_thirty_days_ahead(elders) -> None:
    _li, _wang, mandate = elders
    assert sweep(mandate.ends_at - 31 * DAY) == {"expired": 0, "reminded": 0}  # not yet

    at = mandate.ends_at - 29 * DAY
    assert sweep(at) == {"expired": 0, "reminded": 1}
    day = timezone.localdate(mandate.ends_at).isoformat()
    sent = notices("delegation.expiring")
    assert [phone for phone, _ in sent] == sorted(["+86" + LI_DEFU.phone, "+86" + WANG_GUILAN.phone])
    assert all(day in body for _, body in sent)
    assert any("王桂兰代您办理的授权将于" in body for _, body in sent)  # the principal reads whose access ends
    assert any("您为李德福代办的授权将于" in body for _, body in sent)
    english = Notification.objects.filter(kind="delegation.expiring").values_list("body_en", flat=True)
    assert all(day in body for body in english) and any("can act for you until" in body for body in english)

    assert sweep(at + DAY) == {"expired": 0, "reminded": 0}  # once
    assert len(notices("delegation.expiring")) == 2
    mandate.refresh_from_db()
    assert mandate.reminded_at == at and mandate.status == MandateStatus.ACTIVE


def test_a_mandate_past_its_end_ends_and_both_sides_are_told_once(elders) -> None:
    _li, _wang, mandate = elders
    at = mandate.ends_at + dt.timedelta(hours=1)
    assert sweep(at)["expired"] == 1
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.EXPIRED and mandate.expiry_notified_at == at
    sent = notices("delegation.expired")
    assert len(sent) == 2
    assert any("王桂兰代您办理的授权已到期" in body and "重新邀请" in body for _, body in sent)
    assert any("您为李德福代办的授权已到期" in body for _, body in sent)
    assert sweep(at + DAY) == {"expired": 0, "reminded": 0}
    assert len(notices("delegation.expired")) == 2


def test_the_delegate_can_no_longer_act_after_the_sweep(elders) -> None:
    _li, wang, mandate = elders
    Mandate.objects.filter(pk=mandate.pk).update(ends_at=timezone.now() - dt.timedelta(minutes=1))
    assert sweep()["expired"] == 1
    refused = wang.client.get("/api/v1/cases", HTTP_X_ACTING_FOR=str(mandate.pk))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "mandate_inactive"


def test_a_mandate_the_lazy_expiry_marked_first_is_still_announced(elders) -> None:
    _li, _wang, mandate = elders
    at = mandate.ends_at + DAY
    assert expire_due(at) == 1  # a read of the mandates marked it expired, without a notice
    assert sweep(at)["expired"] == 1
    assert len(notices("delegation.expired")) == 2


def test_a_mandate_that_expired_long_ago_gets_no_late_notice(elders) -> None:
    _li, _wang, mandate = elders
    assert sweep(mandate.ends_at + 30 * DAY) == {"expired": 0, "reminded": 0}
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.EXPIRED and notices("delegation.expired") == []


def test_an_ended_mandate_and_an_unanswered_invitation(elders, resident) -> None:
    li, _wang, mandate = elders
    assert li.client.post(f"/api/v1/delegations/{mandate.pk}/end").status_code == 200
    zhang = resident(ZHANG_JIANGUO.phone)  # another household: a clerk confirmed the relation
    ConfirmedRelation.objects.create(
        principal=mandate.principal,
        delegate=User.objects.get(phone="+86" + ZHANG_JIANGUO.phone),
        kinship="子女",
        evidence="出生证明",
        confirmed_by=HOUSING_CLERK.account(),
    )
    invited = li.client.post("/api/v1/delegations", {"phone": zhang.record["phone"]}, format="json").json()
    assert sweep(timezone.now() + 400 * DAY) == {"expired": 0, "reminded": 0}
    assert Mandate.objects.get(pk=mandate.pk).status == MandateStatus.ENDED
    assert Mandate.objects.get(pk=invited["id"]).status == MandateStatus.EXPIRED  # lapsed, silently
    assert not Notification.objects.filter(kind__in=["delegation.expired", "delegation.expiring"]).exists()


def test_a_short_mandate_gets_no_reminder(elders) -> None:
    _li, _wang, mandate = elders
    Mandate.objects.filter(pk=mandate.pk).update(ends_at=mandate.starts_at + 10 * DAY)
    assert sweep(mandate.starts_at + DAY) == {"expired": 0, "reminded": 0}
    assert notices("delegation.expiring") == []


def test_a_child_without_a_login_is_not_notified(resident) -> None:
    zhang = resident(ZHANG_JIANGUO.phone)
    made = zhang.client.post("/api/v1/delegations/guardianship", {"id_number": ZHANG_ZIHAN.id_number}, format="json")
    assert made.status_code == 201, made.content
    mandate = Mandate.objects.get(pk=made.json()["id"])
    assert mandate.relation == Relation.GUARDIAN and not mandate.principal.has_usable_password()
    assert sweep(mandate.ends_at + DAY)["expired"] == 1
    assert [phone for phone, _ in notices("delegation.expired")] == ["+86" + ZHANG_JIANGUO.phone]


def test_the_task_runs_the_sweep_and_beat_schedules_it_daily(elders) -> None:
    _li, _wang, mandate = elders
    at = (mandate.ends_at + DAY).isoformat()
    assert sweep_mandates.delay(at).get() == {"expired": 1, "reminded": 0}
    assert sweep_mandates(at) == {"expired": 0, "reminded": 0}
    entry = settings.CELERY_BEAT_SCHEDULE["mandate-expiry-sweep"]
    assert entry == {"task": "backend.delegation.tasks.sweep_mandates", "schedule": 86400.0}
