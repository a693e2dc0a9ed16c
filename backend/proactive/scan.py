"""The 免申即享 scan: the city runs a proactive service's own rules for the residents its registries hold, and
records an offer for each one who qualifies. Nobody asked, so it runs under a system context and every registry
read is logged as a proactive scan (the resident sees those rows in ``GET /me/data-access``).

Designed for a city's population, not a handful:

* **set-based prefilter** — the service's ``Proactive.candidates(today)`` narrows the registry in SQL; only those
  residents (and those holding an open offer, which may have to expire) are evaluated;
* **incremental** — after the first scan, only residents whose registry rows changed since the last scan started
  (``backend.registries.changes``), plus those whom time alone made candidates since the last scan's day (an
  elder turning 80: ``candidates(today)`` minus ``candidates(last day)``); ``full=True`` looks at everyone;
* **batched writes** — per chunk of residents, the access-log rows and the offers are bulk-inserted in one
  transaction (the unique (resident, service, period) constraint makes a concurrent or repeated scan harmless), and
  each new offer's resident is told once.

The rules are the service's own, run as for an application, so the offer's rule trace is the one the engine would
produce; what they read is fetched per chunk where it can be (items with a ``read_many``, the service's cases for
``has_other_case``) and handed to each resident's context, so most rules ask the database nothing per resident.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from backend.accounts.departments import departments_by_code
from backend.accounts.models import Department
from backend.cases.context import CaseRow, CaseSnapshot, Context
from backend.cases.discovery import all_services
from backend.cases.evaluation import evaluate
from backend.cases.models import OPEN_STATUSES, Case, Status
from backend.cases.plugins import Proactive, ServiceModule
from backend.core.i18n import Text, pick
from backend.notifications.services import notify_translated
from backend.registries.access import record_accesses
from backend.registries.changes import changed_residents
from backend.registries.items import ITEMS
from backend.registries.models import ActorType, DataAccessLog, Resident

from .models import Offer, OfferStatus, ScanRun, ScanWatermark

logger = logging.getLogger("yiwang.proactive")

CHUNK = 1000


@dataclass(frozen=True)
class ScanResult:
    service_code: str
    full: bool
    evaluated: int
    offered: int
    expired: int
    seconds: float

    def line(self) -> str:
        kind = "full" if self.full else "incremental"
        return (
            f"proactive {kind} scan {self.service_code}: {self.evaluated} evaluated, {self.offered} offered, "
            f"{self.expired} expired ({self.seconds:.1f} s)"
        )


def proactive_services() -> list[ServiceModule]:
    return [service for service in all_services().values() if service.proactive is not None]


def scan_all(*, full: bool = False, today: dt.date | None = None) -> list[ScanResult]:
    return [scan_service(service, full=full, today=today) for service in proactive_services()]


def _spec(service: ServiceModule) -> Proactive:
    if service.proactive is None:
        raise ValueError(f"{service.code} is not a proactive service")
    return service.proactive


def scope(service: ServiceModule, *, full: bool, today: dt.date, mark: ScanWatermark | None) -> QuerySet[Resident]:
    """The residents this scan evaluates: one SQL statement (an incremental scan first collects the few changed
    residents' keys from the indexed ``updated_at`` columns); no resident is loaded here."""
    spec = _spec(service)
    candidates = Resident.objects.filter(spec.candidates(today)).values("pk")
    holders = Offer.objects.filter(service_code=service.code, status=OfferStatus.OFFERED).values("resident_id")
    if full or mark is None:
        residents = Resident.objects.filter(Q(pk__in=candidates) | Q(pk__in=holders))
    else:
        # residents whose rows changed (a short list, from the indexed updated_at columns), if candidates or holders
        changed = changed_residents(mark.scanned_at)
        residents = Resident.objects.filter(pk__in=changed).filter(spec.candidates(today) | Q(pk__in=holders))
        if mark.scanned_on != today:  # and those whom time alone made candidates since the last scan's day
            before = Resident.objects.filter(spec.candidates(mark.scanned_on)).values("pk")
            by_time = Resident.objects.filter(pk__in=candidates).exclude(pk__in=before).values("pk")
            residents = Resident.objects.filter(Q(pk__in=residents.values("pk")) | Q(pk__in=by_time))
    # a resident with an open case of the service has applied already: nothing to offer while it runs
    applied = Case.objects.filter(service_code=service.code, status__in=OPEN_STATUSES).values("resident_id")
    residents = residents.exclude(pk__in=applied)
    if isinstance(spec.period, str):  # a constant period already settled is never evaluated again
        settled = Offer.objects.filter(service_code=service.code, period_key=spec.period).exclude(
            status=OfferStatus.OFFERED
        )
        residents = residents.exclude(pk__in=settled.values("resident_id"))
    return residents


def _read_in_batch(service: ServiceModule, residents: list[Resident]) -> dict[str, dict[int, Any]]:
    """The service's declared items that can be read for many residents at once, read once for the chunk (each is
    logged only for the residents whose rules then use it, by ``Context.item``)."""
    return {
        key: read_many(residents)
        for key in sorted(service.data_keys())
        if key in ITEMS and (read_many := ITEMS[key].read_many) is not None
    }


def _cases_of(service: ServiceModule, residents: list[Resident]) -> CaseSnapshot:
    """The service's open and granted cases of the chunk's residents and households, in one query, so the rules'
    ``has_other_case`` does not ask once per resident."""
    households = {resident.household_id for resident in residents}
    rows = Case.objects.filter(service_code=service.code, status__in=[*OPEN_STATUSES, Status.APPROVED]).filter(
        Q(resident_id__in=[r.pk for r in residents]) | Q(household_id__in=households)
    )
    return CaseSnapshot(
        service.code,
        tuple(CaseRow(*row) for row in rows.values_list("pk", "status", "resident_id", "household_id")),
    )


@dataclass
class _Found:
    offers: list[Offer]
    logs: list[DataAccessLog]
    failed: list[int]  # residents evaluated who no longer qualify (their open offers expire)


def _evaluate(
    service: ServiceModule, residents: list[Resident], today: dt.date, departments: dict[str, Department]
) -> _Found:
    spec = _spec(service)
    found = _Found([], [], [])
    purpose = f"免申即享筛查 {service.name.zh}"
    batched = _read_in_batch(service, residents)
    cases = _cases_of(service, residents)
    for resident in residents:
        ctx = Context(service, resident, today=today, purpose=purpose, actor_type=ActorType.SYSTEM, proactive_scan=True)
        ctx.preload({key: values[resident.pk] for key, values in batched.items()})
        ctx.cases = cases
        passed: dict[str, Any] | None = None
        trace: list[dict[str, Any]] = []
        for form in service.discovery_forms(ctx):
            ctx.form = form
            evaluation = evaluate(service, ctx)
            if evaluation.passed:
                passed, trace = form, evaluation.trace
                break
        if passed is None:
            found.failed.append(resident.pk)
        else:
            proposal = service.propose(ctx) or {}
            used = [{"department": d, "items": sorted(keys)} for d, keys in sorted(ctx.items_read().items())]
            found.offers.append(
                Offer(
                    resident=resident,
                    service_code=service.code,
                    period_key=spec.period_of(ctx),
                    form=passed,
                    rule_trace=trace,
                    data_items=used,
                    proposal=proposal,
                )
            )
        found.logs.extend(ctx.take_access_logs(departments))
    return found


OFFER_BODY = Text(
    "根据部门数据，您符合条件，无需申请。请在「免申即享」中查看依据并确认领取。",
    "The departments' records show you qualify: nothing to apply for. See why and confirm it under "
    "'No application needed'.",
)


def _offer_notice(service: ServiceModule) -> tuple[str, str]:
    """Rendered once per language by ``notify_translated``."""
    return pick(f"【免申即享】您可领取{service.name.zh}", f"No application needed: {service.name.en}"), str(OFFER_BODY)


def _notify(service: ServiceModule, run: ScanRun) -> int:
    """Tell each resident of a new offer of this run, once (an offer a concurrent scan made first is not this
    run's); returns how many offers the run made."""
    made = 0
    for offer in Offer.objects.filter(scan=run).select_related("resident__account"):
        made += 1
        user = offer.resident.account
        if user is None:  # no account yet: the offer waits in the list for when they bind one
            continue
        notify_translated(user, "offer.made", lambda: _offer_notice(service), {"type": "offer", "id": offer.pk})
    return made


def scan_service(service: ServiceModule, *, full: bool = False, today: dt.date | None = None) -> ScanResult:
    """Scan one proactive service; idempotent (a second scan with nothing changed offers nothing)."""
    clock = time.monotonic()
    started = timezone.now()
    today = today or timezone.localdate()
    mark = ScanWatermark.objects.filter(service_code=service.code).first()
    full = full or mark is None
    run = ScanRun.objects.create(service_code=service.code, full=full, started_at=started)
    departments = departments_by_code()
    in_scope = scope(service, full=full, today=today, mark=mark)
    pks = list(in_scope.order_by("pk").values_list("pk", flat=True).distinct())
    for start in range(0, len(pks), CHUNK):
        residents = list(Resident.objects.filter(pk__in=pks[start : start + CHUNK]).order_by("pk"))
        with transaction.atomic():
            found = _evaluate(service, residents, today, departments)
            record_accesses(found.logs)
            for offer in found.offers:
                offer.scan = run
            Offer.objects.bulk_create(found.offers, batch_size=CHUNK, ignore_conflicts=True)
            run.expired += Offer.objects.filter(
                service_code=service.code, status=OfferStatus.OFFERED, resident_id__in=found.failed
            ).update(status=OfferStatus.EXPIRED, expired_at=timezone.now())
        run.evaluated += len(residents)
    with transaction.atomic():
        run.offered = _notify(service, run)
        run.finished_at = timezone.now()
        run.save()
        ScanWatermark.objects.update_or_create(
            service_code=service.code, defaults={"scanned_at": started, "scanned_on": today}
        )
    result = ScanResult(service.code, full, run.evaluated, run.offered, run.expired, time.monotonic() - clock)
    logger.info(result.line())
    return result
