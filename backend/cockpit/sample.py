"""Sample activity for showing the cockpit: eight weeks of cases, ratings, registry reads and extra city events.

The demo city (``load_demo``) has residents, staff and a dozen event reports but no case history, so a fresh cockpit
is mostly empty. ``python manage.py cockpit_sample`` adds a reproducible history (seeded random numbers), written
straight to the tables the cockpit reads; it bypasses the case engine on purpose (no notifications, no payouts, no
certificates) and is **for demonstrations and screenshots only**, never for a real deployment. Rows are marked:
cases ``SMP-…`` (reference number), access-log rows by that case reference, events by the idempotency key
``cockpit-sample-N``; ``--reset`` removes exactly those. Running it twice creates nothing twice. Sample bundles
(一件事一次办) are ``SMP-B…``, each with a ``SMP-…`` case per member.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import Department, User
from backend.cases.discovery import all_bundles, all_services
from backend.cases.models import Bundle, BundleMember, BundleStatus, Case, FollowUp, MemberState, Rating
from backend.cases.plugins import Mode, ServiceModule
from backend.registries.items import ITEMS
from backend.registries.models import ActorType, DataAccessLog, Resident
from backend.workflow import clock, ratings

PREFIX = "SMP-"
EVENT_KEY = "cockpit-sample-"
DAYS = 56


def _weighted(rng: random.Random, table: list[tuple[str, float]]) -> str:
    return rng.choices([k for k, _ in table], weights=[w for _, w in table])[0]


def reset() -> int:
    """Delete the sample rows (and only them); returns how many cases went."""
    cases = Case.objects.filter(reference_no__startswith=PREFIX)
    Bundle.objects.filter(reference_no__startswith=PREFIX).delete()  # first: a member's case is protected
    DataAccessLog.objects.filter(case_reference__startswith=PREFIX).delete()
    FollowUp.objects.filter(case__in=cases).delete()
    Rating.objects.filter(case__in=cases).delete()
    try:
        from backend.cityevents.models import EventAction, EventReport

        reports = EventReport.objects.filter(idempotency_key__startswith=EVENT_KEY)
        EventAction.objects.filter(report__in=reports).delete()
        reports.delete()
    except ImportError:  # pragma: no cover - the city-events app is optional
        pass
    n = cases.count()
    cases.delete()
    return n


@transaction.atomic
def load(count: int = 180, events: int = 45, seed: int = 2026, log: Callable[[str], None] = print) -> None:
    if Case.objects.filter(reference_no__startswith=PREFIX).exists():
        log("sample cases already there (use --reset to start again)")
        return
    rng = random.Random(seed)
    now = timezone.now()
    # demo residents are not yet real-name bound to their accounts; pair them by registry phone (nothing is bound)
    users = {u.phone: u for u in User.objects.filter(role="resident", phone__isnull=False)}
    residents = [(r, users[r.phone]) for r in Resident.objects.exclude(phone="").order_by("pk") if r.phone in users]
    if not residents:
        log("no demo residents with accounts: run load_demo first")
        return
    departments = {d.code: d for d in Department.objects.all()}
    catalogue = [s for s in all_services().values() if s.department in departments]
    clerks = {u.department_id: u for u in User.objects.filter(role="clerk").order_by("pk")}
    made_cases = 0
    for i in range(count):
        service = rng.choice(catalogue)
        # more cases lately, and some on every day; a handful today
        age_days = 0 if i < 6 else min(DAYS - 1, int(rng.expovariate(1 / 18)))
        if age_days == 0:  # some time earlier today
            midnight = timezone.make_aware(dt.datetime.combine(timezone.localdate(now), dt.time.min))
            submitted = midnight + (now - midnight) * rng.uniform(0.05, 0.9)
        else:
            submitted = now - dt.timedelta(days=age_days, hours=rng.uniform(0, 20))
        resident, applicant = rng.choice(residents)
        dept = departments[service.department]
        case = Case(
            reference_no=f"{PREFIX}{timezone.localdate(now):%Y}-{i + 1:05d}",
            service_code=service.code,
            department=dept,
            mode=service.mode,
            applicant=applicant,
            resident=resident,
            household_id=resident.household_id,
            consent_at=submitted,
            identity_verified_by="face" if service.requires_face else "",
        )
        decided = None
        if service.mode == Mode.REVIEW:
            status = _weighted(
                rng,
                [("approved", 50), ("rejected", 9), ("in_review", 28), ("returned", 6), ("withdrawn", 5)],
            )
            if age_days == 0 and status in {"approved", "rejected"}:
                status = "in_review"
            case.due_at = clock.due_at(submitted, service.time_limit_days)
            if status in {"approved", "rejected"}:
                hours = rng.lognormvariate(math.log(60), 0.8)
                decided = min(submitted + dt.timedelta(hours=hours), now - dt.timedelta(minutes=1))
            elif status == "returned":
                case.paused_at = submitted + (now - submitted) / 2
            elif status == "in_review" and age_days > 30 and rng.random() < 0.5:
                status = "approved"  # most old cases got decided; the rest stay overdue
                decided = submitted + dt.timedelta(hours=rng.uniform(100, 400))
        else:
            status = _weighted(rng, [("approved", 80), ("rejected", 13), ("pending_face", 4), ("withdrawn", 3)])
            if status in {"approved", "rejected"}:
                decided = submitted + dt.timedelta(seconds=rng.uniform(4, 90))
            if service.mode == Mode.COMMITMENT and status == "approved" and rng.random() < 0.08:
                status = "revoked"
        case.status = status
        case.decided_at = decided
        if decided is not None and service.mode == Mode.REVIEW:
            case.decided_by = clerks.get(dept.pk)
        case.decision = {"sample": True} if decided else None
        case.save()
        Case.objects.filter(pk=case.pk).update(submitted_at=submitted)
        made_cases += 1
        # registry reads: one row per department whose items the service uses
        if status != "pending_face":
            read_at = decided or submitted + dt.timedelta(seconds=3)
            for code in sorted({ITEMS[use.key].department for use in service.data if use.key in ITEMS}):
                if code not in departments:
                    continue
                row = DataAccessLog.objects.create(
                    subject=resident,
                    department=departments[code],
                    items=[use.key for use in service.data if use.key in ITEMS and ITEMS[use.key].department == code],
                    purpose=f"办理 {service.name.zh}",
                    actor_type=ActorType.CLERK if service.mode == Mode.REVIEW and decided else ActorType.SYSTEM,
                    actor=case.decided_by if service.mode == Mode.REVIEW and decided else None,
                    case_id=case.pk,
                    case_reference=case.reference_no,
                )
                DataAccessLog.objects.filter(pk=row.pk).update(at=read_at)
        # 好差评: most residents rate a final case
        if status in {"approved", "rejected", "revoked"} and rng.random() < 0.7:
            base = 4.6 if status == "approved" else 2.6
            score = max(1, min(5, round(rng.gauss(base, 0.9))))
            rated_at = min((decided or submitted) + dt.timedelta(hours=rng.uniform(1, 48)), now)
            rating = Rating.objects.create(case=case, score=score, comment="")
            Rating.objects.filter(pk=rating.pk).update(created_at=rated_at)
            if ratings.is_bad(score):
                follow = FollowUp.objects.create(case=case, department=dept)
                closed = rated_at + dt.timedelta(days=2) if rated_at < now - dt.timedelta(days=7) else None
                FollowUp.objects.filter(pk=follow.pk).update(
                    opened_at=rated_at, closed_at=closed, resolution="已回访整改" if closed else ""
                )
    log(f"sample cases: {made_cases} created")
    log(f"sample bundles: {_bundles(rng, now, residents, departments, count // 8)} created")
    log(f"sample events: {_events(rng, now, events)} created")


def _bundles(
    rng: random.Random,
    now: dt.datetime,
    residents: list[tuple[Resident, User]],
    departments: dict[str, Department],
    count: int,
) -> int:
    """一件事一次办 applications: mostly completed within a few days, some still running, a few where a member
    failed (the resident continued without it, or has still to choose) or the resident withdrew."""
    bundles = [
        b for b in all_bundles().values() if all(_service(m.service).department in departments for m in b.members)
    ]
    if not bundles:
        return 0
    made = 0
    for i in range(count):
        declared = rng.choice(bundles)
        resident, applicant = rng.choice(residents)
        submitted = now - dt.timedelta(days=min(DAYS - 1, int(rng.expovariate(1 / 16))), hours=rng.uniform(0, 20))
        status = _weighted(
            rng,
            [
                (BundleStatus.COMPLETED, 62),
                (BundleStatus.IN_PROGRESS, 22),
                (BundleStatus.PARTIALLY_COMPLETED, 8),
                (BundleStatus.ACTION_REQUIRED, 4),
                (BundleStatus.WITHDRAWN, 4),
            ],
        )
        done = status in {BundleStatus.COMPLETED, BundleStatus.PARTIALLY_COMPLETED}
        completed = min(submitted + dt.timedelta(hours=rng.lognormvariate(math.log(30), 0.9)), now) if done else None
        bundle = Bundle.objects.create(
            reference_no=f"{PREFIX}B{timezone.localdate(now):%Y}-{i + 1:05d}",
            bundle_code=declared.code,
            applicant=applicant,
            resident=resident,
            status=status,
            consent_at=submitted,
            face_verified_at=submitted + dt.timedelta(seconds=40),
            completed_at=completed,
        )
        Bundle.objects.filter(pk=bundle.pk).update(submitted_at=submitted)
        failed = rng.randrange(len(declared.members)) if status in {"partially_completed", "action_required"} else -1
        for position, member in enumerate(declared.members):
            service = _service(member.service)
            by_bundle: dict[str, str] = {
                BundleStatus.COMPLETED: "approved",
                BundleStatus.WITHDRAWN: "withdrawn",
                BundleStatus.IN_PROGRESS: "approved" if position == 0 else "in_review",
            }
            case_status = by_bundle.get(status, "rejected" if position == failed else "approved")
            decided = (
                (completed or submitted + dt.timedelta(hours=2)) if case_status in {"approved", "rejected"} else None
            )
            case = Case.objects.create(
                reference_no=f"{PREFIX}{timezone.localdate(now):%Y}-B{i + 1:04d}{position}",
                service_code=service.code,
                department=departments[service.department],
                mode=service.mode,
                applicant=applicant,
                resident=resident,
                household_id=resident.household_id,
                consent_at=submitted,
                identity_verified_by="face" if service.requires_face else "",
                status=case_status,
                decided_at=decided,
                decision={"sample": True} if decided else None,
                due_at=clock.due_at(submitted, service.time_limit_days) if service.mode == Mode.REVIEW else None,
            )
            Case.objects.filter(pk=case.pk).update(submitted_at=submitted)
            BundleMember.objects.create(
                bundle=bundle, service_code=service.code, position=position, state=MemberState.STARTED, case=case
            )
        made += 1
    return made


def _service(code: str) -> ServiceModule:
    return all_services()[code]


def _events(rng: random.Random, now: dt.datetime, count: int) -> int:
    try:
        from backend.cityevents import conf
        from backend.cityevents.models import EventCategory, EventReport, EventSource, RoutingRule
    except ImportError:  # pragma: no cover - the city-events app is optional
        return 0
    categories = list(EventCategory.objects.select_related("department"))
    reporters = list(User.objects.filter(role="resident").order_by("pk"))
    if not categories or not reporters:
        return 0
    rules = {(r.category_id, r.district): r.department for r in RoutingRule.objects.select_related("department")}
    urban = ["金水区", "中原区", "二七区", "管城回族区", "郑东新区", "惠济区", "高新区", "经开区"]
    weights = [16, 12, 10, 8, 14, 4, 5, 5]
    centres = conf.city_districts()
    made = 0
    for i in range(count):
        district = rng.choices(urban, weights=weights)[0]
        lat, long = centres[district]
        lat += rng.gauss(0, 0.012)
        long += rng.gauss(0, 0.014)
        category = rng.choice(categories)
        created = now - dt.timedelta(hours=rng.uniform(1, 24 * 30))
        status = _weighted(
            rng, [("received", 14), ("dispatched", 12), ("in_progress", 14), ("resolved", 12), ("closed", 48)]
        )
        if created > now - dt.timedelta(hours=6):
            status = "received"
        EventReport.objects.create(
            reporter=rng.choice(reporters),
            category=category,
            department=rules.get((category.pk, district), category.department),
            district=district,
            lat=Decimal(f"{lat:.6f}"),
            long=Decimal(f"{long:.6f}"),
            address=f"郑州市{district}（示例数据）",
            description="驾驶舱示例数据 cockpit sample",
            status=status,
            source=EventSource.DEMO,
            idempotency_key=f"{EVENT_KEY}{i + 1}",
            created_at=created,
            response_due_at=created + dt.timedelta(hours=category.response_hours),
            resolution_due_at=created + dt.timedelta(hours=category.resolution_hours),
            closed_at=created + dt.timedelta(hours=category.resolution_hours / 2) if status == "closed" else None,
        )
        made += 1
    return made
