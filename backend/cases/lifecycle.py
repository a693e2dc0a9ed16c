"""The engine's side of the lifecycle hooks (``ServiceModule.on_*``): what the engine itself does at each change and
when it calls the module. Like pretix's signals, a hook runs inside the transaction of the change it reports, so a
module's effect and the engine's stand or fall together; unlike signals, there is exactly one receiver: the service.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from .context import Context
from .discovery import get_service
from .models import Case, Payout
from .outcomes import Outcome
from .plugins import ServiceModule

logger = logging.getLogger("yiwang.lifecycle")


def approved(service: ServiceModule, ctx: Context, case: Case, outcomes: Sequence[Outcome]) -> None:
    service.on_approved(ctx, case, list(outcomes))


def revoked(service: ServiceModule, case: Case, reason: str) -> None:
    """A revoked approval takes its money back: the payout (if any) is marked for recovery, then the module is told."""
    Payout.objects.filter(case=case, reversed_at__isnull=True).update(
        reversed_at=timezone.now(), reversal_reason=reason
    )
    service.on_revoked(case, reason)


def withdrawn(service: ServiceModule, case: Case) -> None:
    service.on_withdrawn(case)


def expire_post_checks(today: dt.date) -> int:
    """Tell each module, once per case, about commitment approvals whose post-check deadline passed before ``today``.

    "Once" is the conditional update of ``post_check_expired_at``: a second sweep (or one running at the same time)
    finds it set and skips the case. A hook that raises rolls back its own case only (logged; retried next sweep).
    """
    told = 0
    due = Case.objects.awaiting_post_check().filter(post_check_due__lt=today, post_check_expired_at__isnull=True)
    for case in due.order_by("pk"):
        service = get_service(case.service_code)
        if service is None:
            continue  # a module no longer installed: nothing to tell
        try:
            with transaction.atomic():
                claimed = Case.objects.filter(pk=case.pk, post_check_expired_at__isnull=True).update(
                    post_check_expired_at=timezone.now()
                )
                if claimed:
                    service.on_post_check_expired(case)
                    told += 1
        except Exception:
            logger.exception("on_post_check_expired failed for case %s (retried next sweep)", case.reference_no)
    return told
