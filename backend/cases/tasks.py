"""The cases' periodic job (Celery beat; schedule in ``settings.CELERY_BEAT_SCHEDULE``), written against the
domain models read-only and ``notify()``:

* :func:`sweep_statutory_clock` — the statutory clock (法定时限): residents are told once when their case goes past
  its due date; each clerk gets one digest a day of their department's queue (overdue, due within
  ``DUE_SOON_WORKING_DAYS`` working days, commitment approvals whose post-check is due); a post-check deadline
  that passed is reported once per case to its module (``on_post_check_expired``).

It is idempotent (safe to run twice, or after a worker died mid-run) and uses the city's day (``Asia/Shanghai``):
a sweep at 23:30 UTC already runs on the next Shanghai day. It lives with the data it reads (it was
``backend.core.tasks`` before issue 12: core imports no app above it); the old task name stays registered as an
alias so a message queued under it before a deploy still runs.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from functools import partial

from celery import shared_task
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import Role, User
from backend.notifications.models import Notification
from backend.notifications.services import notify_translated
from backend.workflow import clock

from . import lifecycle
from .models import Case

logger = logging.getLogger("yiwang.sweeps")

DUE_SOON_WORKING_DAYS = 2
POST_CHECK_SOON_DAYS = 3


def classify(due_at: dt.datetime, now: dt.datetime) -> str | None:
    """``overdue``, ``due_soon`` (≤ DUE_SOON_WORKING_DAYS working days left, counted in Shanghai days) or None."""
    if due_at < now:
        return "overdue"
    return "due_soon" if clock.working_days_left(due_at, now) <= DUE_SOON_WORKING_DAYS else None


def _overdue_notice(reference_no: str) -> tuple[str, str]:
    """The resident's notice of an overdue case (rendered once per language by ``notify_translated``)."""
    return (
        _("【%(reference)s】已超过法定办结时限") % {"reference": reference_no},
        _("您的办件已超过法定办结时限，承办部门已收到督办提醒。"),
    )


def _digest_notice(numbers: dict[str, int]) -> tuple[str, str]:
    """A clerk's daily digest of their department's queue (rendered once per language)."""
    return (
        _("今日待办：逾期 %(overdue)d 件，%(days)d 个工作日内到期 %(due_soon)d 件，待核查 %(post_check)d 件")
        % {
            "overdue": numbers["overdue"],
            "days": DUE_SOON_WORKING_DAYS,
            "due_soon": numbers["due_soon"],
            "post_check": numbers["post_check_due"],
        },
        _("请优先办理逾期件（后台办件队列已按逾期优先排序）。"),
    )


@shared_task(acks_late=True)
def sweep_statutory_clock(now: str | None = None) -> dict[str, int]:
    """Tell residents once about overdue cases and send each clerk of a department with work one digest a day."""
    moment = dt.datetime.fromisoformat(now) if now else timezone.now()
    today = timezone.localdate(moment)
    counts: dict[str, int] = defaultdict(int)
    queue: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    for case in (
        Case.objects.running()
        .select_related("applicant")
        .only("id", "reference_no", "service_code", "department_id", "due_at", "applicant")
    ):
        if case.due_at is None:  # excluded by running(); tells the type checker
            continue
        state = classify(case.due_at, moment)
        if state is None:
            continue
        queue[case.department_id][state] += 1
        counts[state] += 1
        if state == "overdue":
            already = Notification.objects.filter(user=case.applicant, kind="case.overdue", target__id=case.pk)
            if not already.exists():
                notify_translated(
                    case.applicant,
                    "case.overdue",
                    partial(_overdue_notice, case.reference_no),
                    {"type": "case", "id": case.pk, "reference_no": case.reference_no},
                )
                counts["residents_notified"] += 1

    # Post-check deadlines that passed: each module is told once per case (ServiceModule.on_post_check_expired).
    counts["post_checks_expired"] += lifecycle.expire_post_checks(today)

    post_checks = Case.objects.post_check_due(today + dt.timedelta(days=POST_CHECK_SOON_DAYS))
    for department_id in post_checks.values_list("department_id", flat=True):
        queue[department_id]["post_check_due"] += 1

    digest_day = today.isoformat()
    clerks = User.objects.filter(role=Role.CLERK, is_active=True, department_id__in=list(queue))
    for clerk in clerks:
        if clerk.department_id is None:  # excluded by the filter; tells the type checker
            continue
        numbers = queue[clerk.department_id]
        target = {"type": "queue", "date": digest_day}
        if Notification.objects.filter(user=clerk, kind="queue.digest", target__date=digest_day).exists():
            continue
        notify_translated(
            clerk,
            "queue.digest",
            partial(_digest_notice, numbers),
            target,
        )
        counts["clerks_notified"] += 1
    logger.info("statutory clock sweep %s: %s", digest_day, dict(counts))
    return dict(counts)


# The name before issue 12 (``backend/core/tasks.py``): a message queued under it before a deploy still runs.
sweep_statutory_clock_old_name = shared_task(name="backend.core.tasks.sweep_statutory_clock", acks_late=True)(
    sweep_statutory_clock.run
)
