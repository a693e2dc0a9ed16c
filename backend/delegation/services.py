"""Every rule of family delegation (亲情代办): who may act for whom, for what, until when, and the record of it.

Views, the admin and the authentication class only call these functions. Codes (docs/API.md, error table):
403 ``no_relation`` (no household or clerk-confirmed relation, or an unknown phone: the same answer, so the
invitation cannot be used to find out who has an account), 409 ``too_many_mandates`` (five a side), 409
``mandate_exists`` (an invitation between the two is already waiting), 403 ``mandate_inactive`` (acting under an
ended, expired, declined or not yet accepted mandate), 403 ``outside_mandate`` (a service outside the scope, in
``backend.core.acting``), 403 ``not_while_acting`` (an endpoint that takes no ``X-Acting-For``), 409
``invalid_transition`` (accepting an ended invitation), another person's mandate 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import User
from backend.accounts.phones import to_e164
from backend.cases.discovery import get_service
from backend.core import acting
from backend.core.errors import Conflict, DomainError, Forbidden, NotFound
from backend.core.i18n import Text
from backend.core.ids import parse_id
from backend.faceauth import services as faces
from backend.notifications.services import notify_translated
from backend.registries.identity import managed_account, resident_of
from backend.registries.idnumbers import InvalidIdNumber, validate_id_number
from backend.registries.models import Resident

from .models import OPEN, ConfirmedRelation, Mandate, MandateStatus, MandateUse, Relation

MAX_PER_SIDE = 5
DEFAULT_DAYS = 365
MAX_DAYS = 366
CHILD_AGE = 16
#: A face check accepts a mandate only if it passed this recently.
FACE_MAX_AGE_SECONDS = 600
FACE_PURPOSE = "delegation"
HEADER = "X-Acting-For"

#: Endpoints (URL names) a delegate may call for the principal: catalogue, cases, the face check of a case, the
#: 免申即享 offers.
ACTING_ENDPOINTS = frozenset(
    {
        "services",
        "service-detail",
        "service-prefill",
        "service-eligibility",
        "cases",
        "case-detail",
        "case-withdraw",
        "face-challenges",
        "face-verify",
        # 免申即享: a family member confirms (or declines) what the city offered the principal
        "offers",
        "offer-detail",
        "offer-confirm",
        "offer-decline",
    }
)
#: What the principal's notice says the delegate did (writes only; reads are in the data-access log).
USE_NOTICES = {
    "cases": Text("提交了办件申请", "submitted an application"),
    "case-detail": Text("补正并重新提交了办件", "corrected and resubmitted an application"),
    "case-withdraw": Text("撤回了办件", "withdrew an application"),
    "face-verify": Text("完成了办件的刷脸核验", "completed the face check of an application"),
    "offer-confirm": Text("确认领取了免申即享服务", "confirmed a service offered to you"),
    "offer-decline": Text("放弃了免申即享服务", "declined a service offered to you"),
}


# -- reading ---------------------------------------------------------------------------------------------------------
def expire_due(now: dt.datetime | None = None) -> int:
    """Mandates and invitations past their end date become ``expired`` (run before any read, and by the sweep)."""
    now = now or timezone.now()
    return Mandate.objects.filter(status__in=OPEN, ends_at__lte=now).update(status=MandateStatus.EXPIRED)


def mandates_of(user: User) -> tuple[QuerySet[Mandate], QuerySet[Mandate]]:
    """(as principal, as delegate): everything the user gave and holds, newest first."""
    expire_due()
    qs = Mandate.objects.select_related("principal", "delegate")
    return qs.filter(principal=user), qs.filter(delegate=user)


def _mine(user: User, mandate_id: Any, *, lock: bool = False) -> Mandate:
    qs = Mandate.objects.select_for_update() if lock else Mandate.objects.all()
    mandate = qs.filter(Q(principal=user) | Q(delegate=user), pk=parse_id(mandate_id, "id")).first()
    if mandate is None:
        raise NotFound(_("未找到该代办授权。"))
    return mandate


# -- relations and limits --------------------------------------------------------------------------------------------
def relation_between(principal: User, delegate: User) -> str | None:
    """Residents of one household (the registry's 户号), or a relation a clerk confirmed; else ``None``."""
    mine, theirs = resident_of(principal), resident_of(delegate)
    if mine is not None and theirs is not None and mine.household_id == theirs.household_id:
        return Relation.HOUSEHOLD
    if ConfirmedRelation.objects.filter(principal=principal, delegate=delegate).exists():
        return Relation.CLERK_CONFIRMED
    return None


def _no_relation() -> Forbidden:
    return Forbidden(
        "no_relation",
        _("户籍登记中你们不在同一户。其他亲属请两人携带身份证和关系证明到窗口确认关系后再邀请。"),
    )


def _check_limits(principal: User, delegate: User) -> None:
    """Five a side, counting people (a renewal of a mandate the two already have does not count twice)."""
    open_ = Mandate.objects.filter(status__in=OPEN)
    delegates = set(open_.filter(principal=principal).values_list("delegate_id", flat=True))
    principals = set(open_.filter(delegate=delegate).values_list("principal_id", flat=True))
    if delegate.pk not in delegates and len(delegates) >= MAX_PER_SIDE:
        raise Conflict("too_many_mandates", _("每人最多委托5位代办人。请先终止一项授权。"))
    if principal.pk not in principals and len(principals) >= MAX_PER_SIDE:
        raise Conflict("too_many_mandates", _("对方已为5位家人代办，不能再接受新的委托。"))


def clean_scope(scope: Any) -> list[str]:
    """``"all"`` / ``["all"]`` for every service, else a non-empty list of known service codes (sorted, unique)."""
    if scope is None or scope == "all" or scope == ["all"]:
        return ["all"]
    if not isinstance(scope, list) or not scope or not all(isinstance(code, str) for code in scope):
        raise DomainError(
            "validation_error", _("授权范围有误。"), fields={"scope": ['"all" or a list of service codes']}
        )
    unknown = sorted({code for code in scope if get_service(code) is None})
    if unknown:
        raise DomainError("validation_error", _("授权范围中有不存在的服务。"), fields={"scope": unknown})
    return sorted(set(scope))


def _clean_end(ends_at: Any, now: dt.datetime) -> dt.datetime:
    if ends_at is None:
        return now + dt.timedelta(days=DEFAULT_DAYS)
    if not isinstance(ends_at, dt.datetime) or ends_at <= now or ends_at > now + dt.timedelta(days=MAX_DAYS):
        raise DomainError(
            "validation_error", _("到期时间须在今后一年之内。"), fields={"ends_at": ["a future time within a year"]}
        )
    return ends_at


# -- invitation, acceptance, end -------------------------------------------------------------------------------------
def invite(principal: User, phone: Any, scope: Any, ends_at: Any = None) -> Mandate:
    """The principal invites a family member by phone; it waits for the member's acceptance with a face check."""
    if resident_of(principal) is None:
        raise Forbidden("real_name_required", _("请先完成实名认证。"))
    if not isinstance(phone, str) or not phone.strip():
        raise DomainError("validation_error", _("请填写对方手机号。"), fields={"phone": ["required"]})
    now = timezone.now()
    services = clean_scope(scope)
    end = _clean_end(ends_at, now)
    delegate = User.objects.get_by_phone(to_e164(phone))
    if delegate is not None and delegate.pk == principal.pk:
        raise DomainError("validation_error", _("不能委托自己。"), fields={"phone": ["your own number"]})
    relation = relation_between(principal, delegate) if delegate is not None and delegate.is_active else None
    if delegate is None or relation is None:
        raise _no_relation()
    with transaction.atomic():
        list(User.objects.select_for_update().filter(pk__in=[principal.pk, delegate.pk]).order_by("pk"))
        expire_due(now)
        pair = Mandate.objects.filter(principal=principal, delegate=delegate)
        if pair.filter(status=MandateStatus.INVITED).exists():
            raise Conflict("mandate_exists", _("已邀请过对方，请等待对方接受。"))
        _check_limits(principal, delegate)
        mandate = Mandate.objects.create(
            principal=principal,
            delegate=delegate,
            relation=relation,
            scope=services,
            status=MandateStatus.INVITED,
            starts_at=now,
            ends_at=end,
        )
    name = _name(principal)
    _notify(
        delegate,
        "delegation.invited",
        Text("亲情代办邀请", "Family delegation invitation"),
        Text(
            f"{name}请您代为办理政务事项，请在“亲情代办”中查看并刷脸确认。",
            f"{name} asks you to act for them; open Family delegation to accept with a face check.",
        ),
        {"type": "delegation", "id": mandate.pk},
    )
    return mandate


def check_face_target(user: User, payload: Any) -> int:
    """Face purpose ``delegation``: the target is an invitation waiting for this user (the delegate)."""
    value = payload.get("mandate") if hasattr(payload, "get") else None
    if value is None:
        raise DomainError("validation_error", _("缺少授权编号。"), fields={"mandate": ["required"]})
    mandate = Mandate.objects.filter(pk=parse_id(value, "mandate"), delegate=user).first()
    if mandate is None:
        raise NotFound(_("未找到该代办授权。"))
    if mandate.status != MandateStatus.INVITED:
        raise Conflict("invalid_transition", _("该邀请已失效。"))
    return mandate.pk


def face_verified(user: User, target: Any) -> dict[str, Any]:
    """The face check itself changes nothing: ``POST delegations/{id}/accept`` with its token does."""
    return {}


def accept(delegate: User, mandate_id: Any, face_token: Any) -> Mandate:
    """The delegate accepts with a face check of their own that passed in the last ten minutes (one per mandate).
    An older mandate between the two (a renewal) ends when the new one starts."""
    expire_due()
    with transaction.atomic():
        mandate = _mine(delegate, mandate_id, lock=True)
        if mandate.delegate_id != delegate.pk:
            raise NotFound(_("未找到该代办授权。"))
        if mandate.status != MandateStatus.INVITED:
            raise Conflict("invalid_transition", _("该邀请已失效。"))
        event = faces.passed_check(delegate, face_token, FACE_PURPOSE, mandate.pk, max_age_seconds=FACE_MAX_AGE_SECONDS)
        if Mandate.objects.filter(accepted_face_event=event).exists():
            raise Conflict("challenge_used", _("该核验已使用，请重新刷脸。"))
        now = timezone.now()
        previous = Mandate.objects.filter(
            principal_id=mandate.principal_id, delegate=delegate, status=MandateStatus.ACTIVE
        ).exclude(pk=mandate.pk)
        previous.update(status=MandateStatus.ENDED, ended_at=now, ended_by=delegate)
        mandate.status = MandateStatus.ACTIVE
        mandate.accepted_at = now
        mandate.starts_at = now
        mandate.accepted_face_event = event
        mandate.save()
    name = _name(delegate)
    _notify(
        mandate.principal,
        "delegation.accepted",
        Text("亲情代办已生效", "Family delegation active"),
        Text(f"{name}已接受您的代办委托。", f"{name} accepted to act for you."),
        {"type": "delegation", "id": mandate.pk},
    )
    return mandate


def decline(delegate: User, mandate_id: Any) -> Mandate:
    with transaction.atomic():
        mandate = _mine(delegate, mandate_id, lock=True)
        if mandate.delegate_id != delegate.pk:
            raise NotFound(_("未找到该代办授权。"))
        if mandate.status != MandateStatus.INVITED:
            raise Conflict("invalid_transition", _("该邀请已失效。"))
        mandate.status = MandateStatus.DECLINED
        mandate.ended_at = timezone.now()
        mandate.ended_by = delegate
        mandate.save(update_fields=["status", "ended_at", "ended_by"])
    return mandate


def end(user: User, mandate_id: Any) -> Mandate:
    """Either side ends an invitation or an active mandate at any time; the other side is told."""
    expire_due()
    with transaction.atomic():
        mandate = _mine(user, mandate_id, lock=True)
        if mandate.status not in OPEN:
            raise Conflict("invalid_transition", _("该授权已终止或到期。"))
        mandate.status = MandateStatus.ENDED
        mandate.ended_at = timezone.now()
        mandate.ended_by = user
        mandate.save(update_fields=["status", "ended_at", "ended_by"])
    other = mandate.delegate if user.pk == mandate.principal_id else mandate.principal
    name = _name(user)
    if other.is_active and other.has_usable_password():
        _notify(
            other,
            "delegation.ended",
            Text("亲情代办已终止", "Family delegation ended"),
            Text(f"{name}终止了代办授权。", f"{name} ended the delegation."),
            {"type": "delegation", "id": mandate.pk},
        )
    return mandate


# -- the expiry sweep ------------------------------------------------------------------------------------------------
#: Both sides are reminded this long before a mandate ends (once), if it lasts longer than that at all.
REMIND_BEFORE = dt.timedelta(days=30)
#: Mandates that expired longer ago than this (before the sweep existed, or while it was down) get no late notice.
EXPIRY_NOTICE_WINDOW = dt.timedelta(days=7)


def sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """End mandates past their end date and tell both sides; remind both sides 30 days before the end. Each mandate
    is handled in its own transaction (status, notices and the mark that they were sent), so a re-run, or a run
    after a worker died, sends nothing twice. A mandate the lazy expiry (:func:`expire_due`) already marked
    ``expired`` is still announced, once. Returns the counts."""
    now = now or timezone.now()
    counts = {"expired": 0, "reminded": 0}
    due = Mandate.objects.filter(
        Q(status=MandateStatus.ACTIVE) | Q(status=MandateStatus.EXPIRED, accepted_at__isnull=False),
        ends_at__lte=now,
        ends_at__gt=now - EXPIRY_NOTICE_WINDOW,
        expiry_notified_at=None,
    )
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            mandate = _lock_for_sweep(pk, now, expired=True)
            if mandate is None:
                continue
            mandate.status = MandateStatus.EXPIRED
            mandate.expiry_notified_at = now
            mandate.save(update_fields=["status", "expiry_notified_at"])
            _tell_both(mandate, "delegation.expired", _expired_notice)
            counts["expired"] += 1
    expire_due(now)  # invitations nobody answered lapse too, without a notice
    soon = Mandate.objects.filter(
        status=MandateStatus.ACTIVE, ends_at__gt=now, ends_at__lte=now + REMIND_BEFORE, reminded_at=None
    )
    for pk in list(soon.values_list("pk", flat=True)):
        with transaction.atomic():
            mandate = _lock_for_sweep(pk, now, expired=False)
            if mandate is None:
                continue
            mandate.reminded_at = now
            mandate.save(update_fields=["reminded_at"])
            if mandate.ends_at - mandate.starts_at > REMIND_BEFORE:  # a short mandate was chosen short: no reminder
                _tell_both(mandate, "delegation.expiring", _expiring_notice)
                counts["reminded"] += 1
    return counts


def _lock_for_sweep(pk: int, now: dt.datetime, *, expired: bool) -> Mandate | None:
    """The mandate, locked, if it still needs the sweep's step (another run or an ending may have come first)."""
    mandate = Mandate.objects.select_for_update().select_related("principal", "delegate").filter(pk=pk).first()
    if mandate is None:
        return None
    if expired:
        ready = mandate.expiry_notified_at is None and mandate.ends_at <= now
        return mandate if ready and mandate.status in (MandateStatus.ACTIVE, MandateStatus.EXPIRED) else None
    ready = mandate.reminded_at is None and mandate.status == MandateStatus.ACTIVE and mandate.ends_at > now
    return mandate if ready else None


def _expired_notice(mandate: Mandate, reader: User) -> tuple[Text, Text]:
    if reader.pk == mandate.principal_id:
        other = _name(mandate.delegate)
        return Text("亲情代办已到期", "Family delegation expired"), Text(
            f"{other}代您办理的授权已到期。如需继续，请在“亲情代办”中重新邀请。",
            f"{other} can no longer act for you: the delegation expired. Invite them again to continue.",
        )
    other = _name(mandate.principal)
    return Text("亲情代办已到期", "Family delegation expired"), Text(
        f"您为{other}代办的授权已到期，不能再代其办理。",
        f"Your delegation to act for {other} expired; you can no longer act for them.",
    )


def _expiring_notice(mandate: Mandate, reader: User) -> tuple[Text, Text]:
    day = timezone.localdate(mandate.ends_at).isoformat()
    if reader.pk == mandate.principal_id:
        other = _name(mandate.delegate)
        return Text("亲情代办即将到期", "Family delegation ends soon"), Text(
            f"{other}代您办理的授权将于{day}到期。如需继续，请在“亲情代办”中重新邀请（续期）。",
            f"{other} can act for you until {day}. To continue, invite them again (renewal).",
        )
    other = _name(mandate.principal)
    return Text("亲情代办即将到期", "Family delegation ends soon"), Text(
        f"您为{other}代办的授权将于{day}到期，到期后需对方重新邀请。",
        f"Your delegation to act for {other} ends on {day}; after that they need to invite you again.",
    )


def _tell_both(mandate: Mandate, kind: str, notice: Any) -> None:
    """Both sides, each in their own words; a managed account (a child without a login) reads no inbox."""
    for reader in (mandate.principal, mandate.delegate):
        if not (reader.is_active and reader.has_usable_password()):
            continue
        title, body = notice(mandate, reader)
        _notify(reader, kind, title, body, {"type": "delegation", "id": mandate.pk})


# -- guardianship ----------------------------------------------------------------------------------------------------
def _age(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _sixteenth_birthday(born: dt.date) -> dt.date:
    try:
        return born.replace(year=born.year + CHILD_AGE)
    except ValueError:  # 29 February
        return born.replace(year=born.year + CHILD_AGE, day=28)


def guardianship(guardian: User, id_number: Any) -> tuple[Mandate, bool]:
    """A guardian's mandate, active at once: a child under 16 in the guardian's household, or an adult whose
    registry entry names the guardian. The ward gets an account without a password (代管账户) if they have none.
    Returns (mandate, created); asking again returns the active one."""
    mine = resident_of(guardian)
    if mine is None:
        raise Forbidden("real_name_required", _("请先完成实名认证。"))
    try:
        number = validate_id_number(id_number if isinstance(id_number, str) else "")
    except InvalidIdNumber as exc:
        raise DomainError("invalid_id_number", exc.message, fields={"id_number": [str(exc.message)]}) from exc
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        ward = Resident.objects.select_for_update().with_id_number(number).first()
        if ward is None or ward.pk == mine.pk:
            raise _no_guardian()
        child = ward.household_id == mine.household_id and _age(ward.birth_date, today) < CHILD_AGE
        if not child and ward.guardian_id != mine.pk:
            raise _no_guardian()
        principal = managed_account(ward)
        existing = Mandate.objects.filter(
            principal=principal, delegate=guardian, relation=Relation.GUARDIAN, status=MandateStatus.ACTIVE
        ).first()
        if existing is not None and existing.ends_at > now:
            return existing, False
        _check_limits(principal, guardian)
        end = now + dt.timedelta(days=DEFAULT_DAYS)
        if child:
            sixteen = _sixteenth_birthday(ward.birth_date)
            end = min(end, timezone.make_aware(dt.datetime.combine(sixteen, dt.time.min)))
        mandate = Mandate.objects.create(
            principal=principal,
            delegate=guardian,
            relation=Relation.GUARDIAN,
            scope=["all"],
            status=MandateStatus.ACTIVE,
            starts_at=now,
            ends_at=end,
            accepted_at=now,
        )
    return mandate, True


def _no_guardian() -> Forbidden:
    return Forbidden(
        "no_relation",
        _("户籍登记中没有您与此人的监护关系（同户未满16周岁的子女，或登记的被监护人）。"),
    )


# -- acting for ------------------------------------------------------------------------------------------------------
def resolve(real_user: User, value: str, endpoint: str | None) -> acting.Acting:
    """``X-Acting-For: <mandate id>`` of a request by ``real_user`` to ``endpoint`` (a URL name)."""
    if endpoint not in ACTING_ENDPOINTS:
        raise Forbidden("not_while_acting", _("代办状态下不能使用此功能，请先退出代办。"))
    mandate = Mandate.objects.select_related("principal").filter(pk=parse_id(value, HEADER), delegate=real_user).first()
    if mandate is None:
        raise NotFound(_("未找到该代办授权。"))
    if mandate.status == MandateStatus.ACTIVE and mandate.ends_at <= timezone.now():
        expire_due()
        mandate.status = MandateStatus.EXPIRED
    if mandate.status != MandateStatus.ACTIVE or not mandate.principal.is_active:
        raise Forbidden("mandate_inactive", _("该代办授权未生效、已终止或已到期。"))
    services = None if mandate.all_services else frozenset(mandate.scope)
    return acting.Acting(mandate.pk, mandate.principal, real_user, services)


def record_use(
    current: acting.Acting,
    method: str,
    path: str,
    endpoint: str,
    status_code: int,
    reference_no: str = "",
    *,
    changed: bool = True,
) -> MandateUse:
    """Every request under a mandate is a use; the principal is told of every change made for them (``changed``:
    false for an answer that changed nothing although it is a 2xx, a face check that did not pass)."""
    use = MandateUse.objects.create(
        mandate_id=current.mandate_id, method=method, path=path[:200], action=endpoint[:60], status_code=status_code
    )
    notice = USE_NOTICES.get(endpoint)
    if changed and method not in {"GET", "HEAD", "OPTIONS"} and notice is not None and 200 <= status_code < 300:
        name = _name(current.delegate)
        suffix = f" {reference_no}" if reference_no else ""
        _notify(
            current.principal,
            "delegation.used",
            Text("亲情代办提醒", "Family delegation notice"),
            Text(f"{name}代您{notice.zh}{suffix}。", f"{name} {notice.en} for you{suffix}."),
            {"type": "delegation", "id": current.mandate_id},
        )
    return use


def _notify(user: User, kind: str, title: Text, body: Text, target: dict[str, Any]) -> None:
    """An inbox notice in both languages (``Text`` renders in the active language)."""
    notify_translated(user, kind, lambda: (str(title), str(body)), target)


def _name(user: User) -> str:
    resident = resident_of(user)
    return resident.name if resident is not None else (user.display_name or "")


# -- clerks ----------------------------------------------------------------------------------------------------------
CONFIRM_PERMISSION = "delegation.confirm_relation"


def confirm_relation(
    clerk: User, principal_phone: str, delegate_phone: str, kinship: str, evidence: str
) -> ConfirmedRelation:
    """A clerk saw both people's ID cards and a proof of kinship (户口簿, 出生证明, 结婚证…) at the counter: the
    principal may now invite this relative from outside the household. Needs ``delegation.confirm_relation``."""
    if not clerk.has_perm(CONFIRM_PERMISSION):
        raise Forbidden("permission_denied", _("您没有确认亲属关系的权限。"))
    principal = User.objects.get_by_phone(to_e164(principal_phone or ""))
    delegate = User.objects.get_by_phone(to_e164(delegate_phone or ""))
    fields: dict[str, list[str]] = {}
    if principal is None or resident_of(principal) is None:
        fields["principal_phone"] = [str(_("没有该手机号的实名用户。"))]
    if delegate is None or resident_of(delegate) is None:
        fields["delegate_phone"] = [str(_("没有该手机号的实名用户。"))]
    if not (kinship or "").strip():
        fields["kinship"] = ["required"]
    if not (evidence or "").strip():
        fields["evidence"] = ["required"]
    if fields or principal is None or delegate is None:
        raise DomainError("validation_error", _("提交的数据有误，请检查后重试。"), fields=fields)
    if principal.pk == delegate.pk:
        raise DomainError("validation_error", _("不能委托自己。"), fields={"delegate_phone": ["same person"]})
    relation, _created = ConfirmedRelation.objects.update_or_create(
        principal=principal,
        delegate=delegate,
        defaults={"kinship": kinship.strip()[:40], "evidence": evidence.strip()[:200], "confirmed_by": clerk},
    )
    return relation
