"""The case engine: every way a case is created, decided and changed goes through these functions.

The API views, the face check, the Django admin and the staff API all call them, so a transition has one
implementation: it checks the table in :mod:`transitions`, takes the locks, runs the rules, writes the timeline and
tells the resident. Decisions run inside one transaction that first locks the applicant's household rows, so two
decisions for the same household are serialized (PostgreSQL row locks; SQLite takes the write lock up front) and
rules such as ``too_frequent`` or ``already_claimed`` cannot both pass in a race.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts import permissions
from backend.accounts.models import Department, User
from backend.core import acting, crypto
from backend.core.errors import Conflict, DomainError, Forbidden, NotFound
from backend.core.i18n import Text, localize
from backend.core.ids import parse_id
from backend.registries.identity import resident_of
from backend.registries.models import ActorType, Resident
from backend.workflow import clock, ratings
from backend.workflow.steps import Notice, Step, Workflow, lock

from . import actors, certificates, identifiers, lifecycle, outcomes, transitions
from .context import Context
from .discovery import get_service
from .evaluation import Evaluation, evaluate
from .forms import form_errors
from .models import Case, CaseEvent, FollowUp, Rating, Status
from .plugins import FormError, Mode, Rejected, ServiceModule
from .sequences import next_reference
from .signals import case_changed

_Cases = TypeVar("_Cases", bound=QuerySet[Case])


# -- lookups ---------------------------------------------------------------------------------------------------------
def service_or_404(code: str) -> ServiceModule:
    service = get_service(code)
    if service is None:
        raise NotFound(_("没有这项服务。"), code="unknown_service")
    return service


def own_case(user: User, case_id: int, *, lock: bool = False) -> Case:
    qs = Case.objects.select_for_update() if lock else Case.objects
    case = within_mandate(qs.filter(pk=case_id, applicant=user)).first()
    if case is None:
        raise NotFound(_("未找到该办件。"))
    return case


def within_mandate(cases: _Cases) -> _Cases:
    """A delegate acting for the applicant (backend/core/acting.py) sees only the services of the mandate."""
    current = acting.current()
    if current is None or current.services is None:
        return cases
    return cases.filter(service_code__in=current.services)


def department_case(clerk: User, case_id: int, *, lock: bool = False) -> Case:
    qs = Case.objects.select_for_update() if lock else Case.objects.all()
    case = permissions.actionable_by(qs, clerk).filter(pk=case_id).first()
    if case is None:
        raise NotFound(_("未找到该办件。"))
    return case


def require_resident(user: User) -> Resident:
    resident = resident_of(user)
    if resident is None:
        raise Forbidden("real_name_required", _("请先完成实名认证。"))
    return resident


# -- recording -------------------------------------------------------------------------------------------------------

STATUS_NOTICE = {
    Status.PENDING_FACE: Text("请完成刷脸核验", "Please complete the face check"),
    Status.IN_REVIEW: Text("已受理，审核中", "Accepted and under review"),
    Status.RETURNED: Text("被退回补正", "Returned for correction"),
    Status.APPROVED: Text("已办结：通过", "Approved"),
    Status.REJECTED: Text("未通过", "Not approved"),
    Status.WITHDRAWN: Text("已撤回", "Withdrawn"),
    Status.REVOKED: Text("已被撤销", "Revoked"),
}


def _write_timeline(case: Case, step: Step) -> None:
    """A timeline line; its note in Chinese (the record's language) and, for a ``Text`` note, in English."""
    note = step.note
    CaseEvent.objects.create(
        case=case,
        status=case.status,
        action=step.action,
        actor=step.actor,
        # the record; screens render it in the reader's language
        actor_label=actors.describe(step.actor, case.applicant_id).zh,
        note=note.zh if isinstance(note, Text) else note,
        note_en=note.en if isinstance(note, Text) else "",
    )


def _status_notice(case: Case, step: Step) -> Notice:
    """The applicant is told the case's new status in both languages (a ``Text`` note is translated; a clerk's free
    text is shown as written)."""
    service = get_service(case.service_code)
    notice = STATUS_NOTICE[Status(case.status)]
    return Notice(
        case.applicant,
        f"case.{case.status}",
        lambda: (f"【{service.name if service else case.service_code}】{case.reference_no} {notice}", str(step.note)),
        {"type": "case", "id": case.pk, "reference_no": case.reference_no},
    )


#: The case workflow as the shared core (backend.workflow.steps) runs it: table, timeline, notice.
#: ``Workflow[Case]``, inferred from the callables: spelled as an annotation, mypy would check the type argument
#: against ``Stateful`` before the Django plugin has typed the model's fields, and refuse it.
WORKFLOW = Workflow(allows=transitions.allows, write=_write_timeline, notice=_status_notice)


def _record(
    case: Case, action: str, actor: User | None, note: str | Text = "", *, notify_resident: bool = True
) -> None:
    """A timeline line and, unless told otherwise, a notice to the applicant; then whoever follows the case (a
    bundle it belongs to) is told, in the same transaction."""
    WORKFLOW.record(case, Step(action, actor, note), notify=notify_resident)
    case_changed.send(sender=Case, case=case, action=action)


# -- submission ------------------------------------------------------------------------------------------------------
def validate_form(service: ServiceModule, form: Any) -> dict[str, Any]:
    if not isinstance(form, dict):
        raise DomainError("validation_error", _("申请表格式有误。"), fields={"form": ["must be an object"]})
    if fields := form_errors(service.form, form):
        raise DomainError("validation_error", _("申请表填写有误，请检查后重试。"), fields=fields)
    try:
        return service.clean(form)
    except FormError as exc:
        raise DomainError(
            "validation_error", _("申请表填写有误，请检查后重试。"), fields={exc.field: [exc.message]}
        ) from exc


def _fingerprint(service_code: str, form: dict[str, Any]) -> str:
    """Keyed, not a plain hash: the form may hold an ID number, and a plain SHA-256 of ~10⁹ candidates is
    reversible."""
    return crypto.blind_index(json.dumps([service_code, form], sort_keys=True), purpose=b"case-request-fingerprint")


#: 帮办代办: the prefix of the timeline note and of the access log's purpose when a clerk filed for the applicant.
ASSISTED = Text("工作人员帮办", "Assisted by a clerk")


def submit(
    user: User,
    service_code: str,
    form: Any,
    consent: bool,
    idempotency_key: str | None = None,
    *,
    assisted_by: User | None = None,
) -> tuple[Case, bool]:
    """Create a case; returns (case, created). The same Idempotency-Key returns the first case.

    ``assisted_by`` (帮办代办, backend/assisted/): a counter clerk filed for ``user``, who was present and confirmed
    the application; the clerk is ``submitted_by`` and the actor of the submission, and the registry reads of the
    decision name the clerk as reader. Everything else (consent, the form, the rules) is the same as for the
    resident's own submission."""
    service = service_or_404(service_code)
    if (on_behalf := acting.current()) is not None:  # 亲情代办: in scope, and not a service for the person alone
        on_behalf.require(service.code)
        if service.requires_principal_presence:
            _require_principal_face(user)
    if consent is not True:
        raise DomainError("consent_required", _("请先阅读并同意授权调取您的部门数据。"))
    resident = require_resident(user)
    # who filed and consented: the counter clerk (帮办), the delegate when acting (亲情代办), else the applicant
    filer = assisted_by or acting.delegate_of(user)
    form = validate_form(service, form if form is not None else {})
    fingerprint = _fingerprint(service.code, form)
    if idempotency_key:
        existing = Case.objects.filter(applicant=user, idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.request_fingerprint != fingerprint:
                raise DomainError("idempotency_key_reused", _("该幂等键已用于另一份申请。"), status_code=422)
            return existing, False
    try:
        with transaction.atomic():
            case = Case(
                reference_no=next_reference(),
                service_code=service.code,
                department=Department.objects.get(code=service.department),
                mode=service.mode,
                applicant=user,
                resident=resident,
                household_id=resident.household_id,
                status=Status.PENDING_FACE if _face_needed(service, on_behalf is not None) else Status.IN_REVIEW,
                consent_at=timezone.now(),
                submitted_by=filer if filer != user else None,
                idempotency_key=idempotency_key or None,
                request_fingerprint=fingerprint,
            )
            identifiers.store_form(case, service, form)
            case.save(force_insert=True)
            transaction.on_commit(lambda: forget_discovery(user))
            if assisted_by is not None:
                note = Text(f"{ASSISTED.zh}：提交申请", f"{ASSISTED.en}: submitted")
                _record(case, "submitted", filer, note, notify_resident=False)
            elif case.status == Status.PENDING_FACE:
                _record(
                    case, "submitted", filer, Text("提交申请，待刷脸核验", "Submitted: please complete the face check")
                )
            else:
                _record(case, "submitted", filer, Text("提交申请", "Submitted"), notify_resident=False)
            if case.status != Status.PENDING_FACE:
                _decide(case, service)
    except IntegrityError:
        if idempotency_key:  # a concurrent request with the same key won
            existing = Case.objects.filter(applicant=user, idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing, False
        raise
    return case, True


# -- the principal in person (亲情代办) --------------------------------------------------------------------------------
#: The timeline action of the delegate's face check on a case that waits for the principal's own face as well.
DELEGATE_FACE_VERIFIED = "delegate_face_verified"


def _face_needed(service: ServiceModule, delegated: bool) -> bool:
    """A service's face check, and always one when a delegate files a service that wants the applicant in person."""
    return service.requires_face or (delegated and service.requires_principal_presence)


def _require_principal_face(principal: User) -> None:
    """A delegate files a service that wants the principal in person: the principal's own face is checked on the
    delegate's phone after the delegate's, so the principal needs a usable enrolled face. Without one (never
    enrolled, a managed account of a child, a template of an older model) the way is the counter, said at once
    rather than after a case was filed that no face check can finish."""
    from backend.faceauth.services import status_of

    face = status_of(principal)
    if not face["enrolled"] or face["reenrol_required"]:
        raise Forbidden(
            "principal_presence_required",
            _(
                "该事项须被代办人本人刷脸，但被代办人尚未录入可用的人脸。请被代办人本人先录入人脸后再代办，"
                "或由被代办人本人携带身份证到窗口办理。"
            ),
        )


def needs_principal_face(case: Case, service: ServiceModule | None = None) -> bool:
    """Two face checks, the delegate's then the principal's: a case a delegate filed for a service that declares
    ``requires_principal_presence``."""
    service = service or get_service(case.service_code)
    return bool(case.submitted_by_id and service is not None and service.requires_principal_presence)


def principal_face_awaited(case: Case) -> bool:
    """The delegate's face passed; the principal's own face is the check still to come."""
    return (
        case.status == Status.PENDING_FACE
        and needs_principal_face(case)
        and case.events.filter(action=DELEGATE_FACE_VERIFIED).exists()
    )


def _check_face_order(case: Case, *, principal_face: bool) -> None:
    """The delegate's face first, then the principal's: 409 ``delegate_face_first`` for the principal's face before
    the delegate's, 409 ``principal_face_required`` for a second delegate check. Nothing for other cases."""
    if not needs_principal_face(case):
        return
    delegate_done = case.events.filter(action=DELEGATE_FACE_VERIFIED).exists()
    if principal_face and not delegate_done:
        raise Conflict("delegate_face_first", _("请代办人先完成本人刷脸核验，再请被代办人本人刷脸。"))
    if not principal_face and delegate_done:
        raise Conflict("principal_face_required", _("代办人已完成刷脸。请被代办人本人面对镜头完成刷脸核验。"))


def face_verified(user: User, case_id: int, *, own_face: bool) -> Case:
    """A face check of the case passed: ``own_face`` when it was the applicant's face (in their own app, or on a
    delegate's phone), else the delegate's. A case that wants the principal in person records the delegate's check
    on the timeline and waits; the principal's check after it runs the decision. Any other case is decided now."""
    note: str | Text = ""
    with transaction.atomic():
        case = lock(Case.objects, pk=case_id, applicant=user)
        if case is None:
            raise NotFound(_("未找到该办件。"))
        WORKFLOW.require(case, "face_verified", _("该办件当前不需要身份核验。"))
        if needs_principal_face(case):
            _check_face_order(case, principal_face=own_face)
            if not own_face:
                _record(
                    case,
                    DELEGATE_FACE_VERIFIED,
                    acting.delegate_of(user),
                    Text(
                        "代办人刷脸核验通过，请被代办人本人刷脸",
                        "The delegate's face check passed: the applicant's own face check is next",
                    ),
                    notify_resident=False,
                )
                return case
            note = Text("被代办人本人刷脸核验通过", "The applicant's own face check passed")
        return identity_verified(user, case.pk, method="face", note=note)


# -- deciding --------------------------------------------------------------------------------------------------------
def _lock_household(resident: Resident) -> None:
    list(Resident.objects.select_for_update().filter(household_id=resident.household_id).order_by("pk"))


def _approve(case: Case, service: ServiceModule, ctx: Context, actor: User | None) -> None:
    # execute() returns typed outcomes (cases/outcomes.py) or, from an older module, a plain dict: the stored
    # decision is the same dict either way; the outcomes are kept beside it so rows render in any language.
    results = outcomes.as_outcomes(service.execute(ctx, case))
    decision = outcomes.decision_of(results)
    if service.certificate_title is not None:
        cert = certificates.issue(case, service.certificate_title.zh, service.certificate_title.en, decision)
        results.append(outcomes.Certificate(cert.pk, cert.code, service.certificate_title))
        decision = {**decision, "certificate_id": cert.pk, "certificate_code": cert.code}
    case.decision = decision
    case.outcomes = [outcome.stored() for outcome in results]
    case.status = Status.APPROVED
    case.decided_at = timezone.now()
    case.decided_by = actor
    if service.mode == Mode.COMMITMENT and service.post_check_days:
        case.post_check_due = ctx.today + dt.timedelta(days=service.post_check_days)
    lifecycle.approved(service, ctx, case, results)


def _reject(case: Case, code: str, message: Text | dict[str, str], actor: User | None) -> None:
    reason = message.as_dict() if isinstance(message, Text) else message
    case.decision = {"reason_code": code, "reason": reason}
    case.status = Status.REJECTED
    case.decided_at = timezone.now()
    case.decided_by = actor


def _case_context(case: Case, service: ServiceModule, **actor: Any) -> Context:
    """What the rules see of a submitted case: the applicant's registry person and the form with its identifiers
    unsealed (identifiers.py); ``actor``/``actor_type`` when a clerk, not the system, is acting. A case a delegate
    filed names the delegate as the reader of the applicant's data (亲情代办)."""
    purpose = f"办理 {service.name.zh}"
    if not actor and case.submitted_by_id:
        filer = case.submitted_by
        if filer is not None and permissions.is_staff_member(filer):  # 帮办代办: the counter clerk reads
            actor = {"actor": filer, "actor_type": ActorType.CLERK}
            purpose = f"{ASSISTED.zh} {purpose}"
        else:
            actor = {"actor": filer, "actor_type": ActorType.DELEGATE}
    return Context(
        service,
        case.resident,
        form=identifiers.full_form(case),
        user=case.applicant,
        case=case,
        purpose=purpose,
        **actor,
    )


def _decide(case: Case, service: ServiceModule) -> Evaluation:
    """Run the rules for a case that has passed identity checks (inside the caller's transaction)."""
    _lock_household(case.resident)
    ctx = _case_context(case, service)
    service.lock(ctx)
    evaluation = evaluate(service, ctx)
    case.rule_trace = evaluation.trace
    if not evaluation.passed:
        rejection = evaluation.rejection()
        _reject(case, rejection["reason_code"], rejection["reason"], None)
    else:
        case.proposal = service.propose(ctx) or {}
        if service.mode == Mode.REVIEW:
            case.status = Status.IN_REVIEW
            case.due_at = clock.due_at(timezone.now(), service.time_limit_days)
        else:
            try:
                with transaction.atomic():
                    _approve(case, service, ctx, None)
            except Rejected as lost:
                _reject(case, lost.code, lost.message, None)
    ctx.log_access()
    case.save()
    _record(case, "decided" if case.is_final else "accepted", None, _decision_note(case))
    return evaluation


def _decision_note(case: Case) -> str | Text:
    if case.status == Status.REJECTED and case.decision:
        reason = case.decision.get("reason")
        if isinstance(reason, dict):
            return Text(reason.get("zh", ""), reason.get("en", "") or reason.get("zh", ""))
        return str(reason or "")
    return ""


def identity_verified(
    user: User, case_id: int, method: str = "face", actor: User | None = None, note: str | Text = ""
) -> Case:
    """A face check (or a clerk at the counter) confirmed the applicant: run the decision now."""
    with transaction.atomic():
        case = lock(Case.objects, pk=case_id, applicant=user)
        if case is None:
            raise NotFound(_("未找到该办件。"))
        WORKFLOW.require(case, f"{method}_verified", _("该办件当前不需要身份核验。"))
        case.identity_verified_by = method
        case.save(update_fields=["identity_verified_by", "updated_at"])
        note = note or ("刷脸核验通过" if method == "face" else "窗口人工核验身份证件")
        _record(case, f"{method}_verified", actor or acting.delegate_of(user), note, notify_resident=False)
        _decide(case, service_or_404(case.service_code))
    return case


def check_face_target(user: User, case_id: Any, *, principal_face: bool | None = None) -> int:
    """Validate the target of a face challenge: the caller's own case, waiting for a face check, and (a case that
    wants the principal in person) the face asked for is the one due. ``principal_face``: the applicant's own face
    is to be checked; by default, when no delegate is acting."""
    if case_id is None:
        raise DomainError("validation_error", _("缺少办件编号。"), fields={"case": ["required"]})
    case = own_case(user, parse_id(case_id, "case"))
    if case.status != Status.PENDING_FACE:
        raise Conflict("invalid_transition", _("该办件当前不需要刷脸核验。"))
    _check_face_order(case, principal_face=acting.current() is None if principal_face is None else principal_face)
    return case.pk


def dry_run(user: User, service: ServiceModule, form: dict[str, Any] | None = None) -> Evaluation:
    """Eligibility without a case: the same rules on the same data, logged as a pre-check, nothing written."""
    resident = require_resident(user)
    if (on_behalf := acting.current()) is not None:
        on_behalf.require(service.code)
    reader = acting.delegate_of(user)
    ctx = Context(
        service,
        resident,
        form=form or {},
        user=user,
        purpose=f"资格预检 {service.name.zh}",
        actor=reader,
        actor_type=ActorType.RESIDENT if reader == user else ActorType.DELEGATE,
    )
    evaluation = evaluate(service, ctx)
    ctx.log_access()
    return evaluation


# -- clerks ----------------------------------------------------------------------------------------------------------
def _require_clerk(user: User) -> None:
    if not permissions.is_department_clerk(user):
        raise Forbidden("permission_denied", _("仅窗口工作人员可以办理。"))


def clerk_decide(clerk: User, case_id: Any, action: Any, reason: str = "") -> Case:
    """The department's case is looked up before the action and reason are checked: another department's case is
    404 whatever the body (a 400 for it would answer before saying that the case is not the clerk's)."""
    _require_clerk(clerk)
    stale: dict[str, Any] | None = None
    with transaction.atomic():
        case = department_case(clerk, case_id, lock=True)
        if not isinstance(action, str) or action not in transitions.CLERK_ACTIONS:
            raise DomainError("validation_error", _("不支持的操作。"), fields={"action": [f"unknown action {action}"]})
        reason = (reason or "").strip()
        if action in {"reject", "return", "revoke"} and not reason:
            raise DomainError("reason_required", _("请填写理由，申请人将看到它。"), fields={"reason": ["required"]})
        action = transitions.clerk_action(case, action)  # "approve" awaiting a post-check means "post_check"
        service = service_or_404(case.service_code)
        WORKFLOW.require(
            case,
            action,
            lambda case: _("当前状态（%(status)s）不能执行该操作。") % {"status": case.get_status_display()},
        )
        if action == "post_check":
            case.post_checked_at = timezone.now()
            case.save(update_fields=["post_checked_at", "updated_at"])
            _record(
                case,
                "post_checked",
                clerk,
                reason or Text("承诺事项核查属实", "Post-check: the commitments were confirmed"),
                notify_resident=False,
            )
            return case
        if action == "approve":
            _lock_household(case.resident)
            ctx = _case_context(case, service, actor=clerk, actor_type=ActorType.CLERK)
            service.lock(ctx)
            # The registries may have changed since submission (a home bought, income reassessed): the rules run
            # again on today's data before anything is executed.
            recheck = evaluate(service, ctx)
            ctx.log_access()
            if not recheck.passed:
                case.rule_trace = recheck.trace
                case.save(update_fields=["rule_trace", "updated_at"])
                failed = recheck.rejection()["reason"]
                _record(case, "recheck_failed", clerk, Text(failed["zh"], failed["en"]), notify_resident=False)
                stale = recheck.rejection()
            else:
                case.rule_trace = recheck.trace
                case.proposal = service.propose(ctx) or {}
                try:
                    with transaction.atomic():
                        _approve(case, service, ctx, clerk)
                except Rejected as lost:
                    _reject(case, lost.code, lost.message, clerk)
        elif action == "reject":
            _reject(case, "clerk_rejected", {"zh": reason, "en": reason}, clerk)
        elif action == "return":
            case.status = Status.RETURNED
            case.paused_at = timezone.now()
        elif action == "revoke":
            case.status = Status.REVOKED
            case.post_checked_at = timezone.now()
            case.decision = {**(case.decision or {}), "revoked_reason": reason}
            certificates.revoke(case)
            lifecycle.revoked(service, case, reason)
        if stale is None:
            case.save()
            _record(case, action, clerk, reason)
    if stale is not None:
        raise Conflict(
            "rules_no_longer_met",
            _("部门数据已变化，申请不再符合条件：%(reason)s 请核实后驳回或退回。")
            % {"reason": localize(stale["reason"])},
            fields={"reason_code": [stale["reason_code"]]},
        )
    return case


def verify_identity_at_counter(clerk: User, case_id: int, note: str = "", *, id_card_checked: bool = True) -> Case:
    """The alternative to the face check (PIPL: face may not be the only way): a clerk of the department checked
    the applicant's original ID card in person; the decision then runs exactly as after a face check.

    Order of refusals: not a clerk 403, another department's case 404, the ID card not checked or no note 400, a
    case not waiting for an identity check 409. In one transaction: the audit entry (a ``counter_verified``
    FaceEvent, as for every way a resident's identity is confirmed), the timeline line with the clerk as actor,
    the decision, and the ``counter_verified`` signal (the appointments app marks the identity-check booking
    attended)."""
    from backend.faceauth.services import record_in_person_check

    from .signals import counter_verified

    _require_clerk(clerk)
    case = department_case(clerk, case_id)
    if not id_card_checked:
        raise DomainError(
            "id_card_required",
            _("请先查验申请人的身份证原件。"),
            fields={"id_card_checked": ["required"]},
        )
    with transaction.atomic():
        record_in_person_check(clerk, case.applicant, "case", case.pk, note)
        case = identity_verified(case.applicant, case.pk, method="counter", actor=clerk, note=(note or "").strip())
        counter_verified.send(sender=Case, case=case, clerk=clerk)
    return case


def submit_assisted(
    clerk: User, user: User, service_code: str, form: Any, idempotency_key: str, identity_note: str
) -> Case:
    """帮办代办: the application a counter clerk filled for ``user`` and ``user`` confirmed, submitted through
    :func:`submit`. The clerk checked the resident's identity in person before filling it (backend/assisted/), so a
    service that needs a face check is verified at the counter at once (the ``counter_verified`` audit entry and
    timeline line, as in :func:`verify_identity_at_counter`) and decided like any other; all in one transaction, so
    a refusal leaves no case. The idempotency key (one per session) returns the first case on a retry."""
    from backend.faceauth.services import record_in_person_check

    _require_clerk(clerk)
    with transaction.atomic():
        case, created = submit(user, service_code, form, True, idempotency_key, assisted_by=clerk)
        if created and case.status == Status.PENDING_FACE:
            record_in_person_check(clerk, user, "case", case.pk, identity_note)
            case = identity_verified(user, case.pk, method="counter", actor=clerk, note=identity_note)
    return case


def note_counter_appointment(user: User, case_id: int, note: Text) -> Case:
    """The resident booked an in-person identity check for their case: a timeline line (the resident as actor; the
    booking's own notice tells them the time and what to bring). Only a case waiting for its identity check."""
    with transaction.atomic():
        case = own_case(user, case_id, lock=True)
        WORKFLOW.require(case, "counter_verified", str(_("该办件当前不需要身份核验。")))
        _record(case, "counter_booked", user, note, notify_resident=False)
    return case


def awaiting_identity_check(user: User, case_id: Any) -> Case:
    """The caller's own case (404 first) that waits for an identity check (409 otherwise)."""
    case = own_case(user, parse_id(case_id, "case"))
    if not transitions.allows(case, "counter_verified"):
        raise Conflict("invalid_transition", _("该办件当前不需要身份核验。"))
    return case


def close_follow_up(clerk: User, follow_up_id: int, resolution: str) -> FollowUp:
    """Close a 差评 follow-up with what the department did about it; it lands on the case timeline."""
    _require_clerk(clerk)
    with transaction.atomic():
        follow_up = (
            permissions.actionable_by(FollowUp.objects.select_for_update().select_related("case"), clerk)
            .filter(pk=follow_up_id)
            .first()
        )
        if follow_up is None:
            raise NotFound(_("未找到该整改任务。"))
        resolution = (resolution or "").strip()
        if not resolution:
            raise DomainError("reason_required", _("请填写整改情况。"), fields={"resolution": ["required"]})
        if follow_up.closed_at is not None:
            raise Conflict("invalid_transition", _("该整改任务已关闭。"))
        follow_up.closed_at = timezone.now()
        follow_up.resolution = resolution
        follow_up.save(update_fields=["closed_at", "resolution"])
        _record(follow_up.case, "follow_up_closed", clerk, resolution, notify_resident=False)
    return follow_up


# -- residents -------------------------------------------------------------------------------------------------------
def withdraw(user: User, case_id: int) -> Case:
    with transaction.atomic():
        case = own_case(user, case_id, lock=True)
        WORKFLOW.require(case, "withdraw", _("该办件已办结，不能撤回。"))
        case.status = Status.WITHDRAWN
        case.save(update_fields=["status", "updated_at"])
        service = get_service(case.service_code)
        if service is not None:
            lifecycle.withdrawn(service, case)
        _record(case, "withdraw", acting.delegate_of(user), Text("申请人撤回", "Withdrawn by the applicant"))
    return case


def resubmit(user: User, case_id: int, form: Any) -> Case:
    """A returned case, corrected: the clock resumes and the rules run again on today's registry data."""
    with transaction.atomic():
        case = own_case(user, case_id, lock=True)
        WORKFLOW.require(case, "resubmit", _("只有被退回的办件可以修改后重新提交。"))
        service = service_or_404(case.service_code)
        identifiers.store_form(case, service, validate_form(service, identifiers.unmask_unchanged(case, service, form)))
        now = timezone.now()
        if case.due_at and case.paused_at:
            case.due_at = clock.extend(case.due_at, case.paused_at, now)
        case.paused_at = None
        case.save()
        _record(
            case,
            "resubmit",
            acting.delegate_of(user),
            Text("补正后重新提交", "Corrected and resubmitted"),
            notify_resident=False,
        )
        due = case.due_at
        _decide(case, service)
        if case.status == Status.IN_REVIEW and due:
            case.due_at = due  # the statutory clock continues; it does not restart
            case.save(update_fields=["due_at"])
    return case


def rate(user: User, case_id: int, score: Any, comment: str = "") -> Rating:
    with transaction.atomic():
        case = own_case(user, case_id, lock=True)  # first: another's case is 404 whatever the score
        score = ratings.score(
            score, DomainError("validation_error", _("评分须为1到5的整数。"), fields={"score": ["1..5"]})
        )
        if not case.is_final:
            raise Conflict("invalid_transition", _("办结后才能评价。"))
        ratings.require_unrated(Rating.objects.filter(case=case).exists(), _("您已评价过该办件。"))
        rating = Rating.objects.create(case=case, score=score, comment=(comment or "")[: ratings.COMMENT_MAX])
        if ratings.is_bad(score):
            FollowUp.objects.create(case=case, department=case.department)
        _record(case, "rated", user, Text(f"评价 {score} 星", f"Rated {score} of 5"), notify_resident=False)
    return rating


DISCOVERY_TTL = 600


def discovery_cache_key(user: User) -> str:
    return f"eligible-services:{user.pk}"


def eligible_services(user: User, candidates: list[ServiceModule]) -> set[str]:
    """Codes of the services the resident qualifies for now, remembered for ten minutes.

    The home screen asks on every visit; without the cache each visit would read (and log) every department's data
    again. A new case or a changed profile forgets the answer (see ``forget_discovery``).
    """
    key = discovery_cache_key(user)
    known: dict[str, bool] = cache.get(key) or {}
    missing = [s for s in candidates if s.code not in known]
    if missing:
        known.update({s.code: discover(user, s) for s in missing})
        cache.set(key, known, DISCOVERY_TTL)
    return {code for code, ok in known.items() if ok}


def forget_discovery(user: User) -> None:
    cache.delete(discovery_cache_key(user))


def discover(user: User, service: ServiceModule) -> bool:
    """Does the resident qualify now for any of the service's discovery forms? (logged as a pre-check)"""
    resident = require_resident(user)
    reader = acting.delegate_of(user)
    ctx = Context(
        service,
        resident,
        user=user,
        purpose=f"资格预检 {service.name.zh}",
        actor=reader,
        actor_type=ActorType.RESIDENT if reader == user else ActorType.DELEGATE,
    )
    eligible = False
    for form in service.discovery_forms(ctx):
        ctx.form = form
        if evaluate(service, ctx).passed:
            eligible = True
            break
    ctx.log_access()
    return eligible
