"""The bundle engine (一件事一次办): one application, one consent, one face check, one reference, one result.

A bundle application (:class:`~backend.cases.models.Bundle`) holds a member per service of the declaration
(:class:`~backend.cases.plugins.ServiceBundle`). Each member becomes an ordinary case through the same submission
as ``POST /cases`` (:func:`backend.cases.services.submit`), so it lands on its own department's queue with its own
statutory clock and rules; the bundle only decides *when* a member is submitted and what the resident is told:

* members that wait for nobody are submitted at once; a member with ``after`` is submitted once every member it
  waits for is approved (it needs their outcome);
* one face check (purpose ``"bundle"``) verifies every member case that waits for one, and a member submitted
  later is verified by it too;
* a member that ends without approval puts the bundle in ``action_required``: the bundle says which member failed
  and why, the members that wait for it are ``held`` (never run on a failed premise), and nothing new starts until
  the resident either continues with the rest (the held members are skipped) or withdraws the whole bundle (its
  open cases withdrawn through the normal withdrawal; approvals already granted stay granted).

Every step runs in one transaction with the bundle row locked: the case change that caused it (a clerk's approval,
a face check) and the bundle's reaction stand or fall together. The engine follows its member cases through the
``case_changed`` signal, which the case engine sends for every timeline step (cases/signals.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from backend.accounts.models import User
from backend.core import acting, crypto
from backend.core.errors import Conflict, DomainError, NotFound
from backend.core.i18n import Text
from backend.core.ids import parse_id
from backend.notifications.services import notify_translated

from . import services
from .bundling import member_form, shared_field_errors, shared_form
from .discovery import get_bundle, get_service
from .forms import form_errors
from .models import Bundle, BundleEvent, BundleMember, BundleStatus, Case, MemberState, Status
from .plugins import ServiceBundle, ServiceModule
from .sequences import next_value

FORM_PURPOSE = b"bundle-form-identifiers"
#: How a member ended without approval, for the bundle's timeline line (the record is in both languages).
ENDED: dict[str, Text] = {
    Status.REJECTED: Text("未通过", "was not approved"),
    Status.WITHDRAWN: Text("已撤回", "was withdrawn"),
    Status.REVOKED: Text("已被撤销", "was revoked"),
}
FACE_NOTE = Text("一件事统一刷脸核验通过", "Face check of the bundle passed")

#: Bundles whose engine step is running in this thread: a member case changing *because of* that step (a member
#: submitted, a face check applied) must not start a nested step; the running one looks again when it is done.
_ADVANCING: ContextVar[frozenset[int]] = ContextVar("yiwang_bundles_advancing", default=frozenset())


# -- lookups ---------------------------------------------------------------------------------------------------------
def bundle_or_404(code: str) -> ServiceBundle:
    bundle = get_bundle(code)
    if bundle is None:
        raise NotFound(Text("没有这件事。", "No such bundle of services."), code="unknown_bundle")
    return bundle


def member_services(bundle: ServiceBundle) -> dict[str, ServiceModule]:
    """The member services, by code (an offered bundle has every member switched on)."""
    found = {m.service: get_service(m.service) for m in bundle.members}
    return {code: service for code, service in found.items() if service is not None}


def requires_face(bundle: ServiceBundle) -> bool:
    return any(service.requires_face for service in member_services(bundle).values())


def own_bundles(user: User) -> QuerySet[Bundle]:
    return Bundle.objects.filter(applicant=user)


def own_bundle(user: User, reference_no: str, *, lock: bool = False) -> Bundle:
    qs = Bundle.objects.select_for_update() if lock else Bundle.objects
    bundle = qs.filter(reference_no=reference_no, applicant=user).first()
    if bundle is None:
        raise NotFound(Text("未找到该一件事申请。", "Bundle application not found."), code="not_found")
    return bundle


def next_bundle_reference() -> str:
    year = timezone.localdate().year
    return f"{settings.CITY_CODE}-{year}-B{next_value(f'bundle:{year}'):06d}"


# -- the shared form -------------------------------------------------------------------------------------------------
def validate_form(bundle: ServiceBundle, form: Any) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The shared form checked against its schema and then, member by member, by each member's own checks (their
    JSON Schema and ``clean``): every error of every member at once, keyed by the shared field the resident filled.
    Returns the normalised shared form and each member's own form."""
    if not isinstance(form, dict):
        raise DomainError(
            "validation_error",
            Text("申请表格式有误。", "The form is malformed."),
            fields={"form": ["must be an object"]},
        )
    services_by_code = member_services(bundle)
    if fields := form_errors(shared_form(bundle, services_by_code), form):
        raise DomainError(
            "validation_error", Text("申请表填写有误，请检查后重试。", "Please check the form."), fields=fields
        )
    errors: dict[str, Any] = {}
    forms: dict[str, dict[str, Any]] = {}
    shared = dict(form)
    for member in bundle.members:
        service = services_by_code[member.service]
        try:
            forms[member.service] = services.validate_form(service, member_form(member, service, form))
        except DomainError as exc:
            errors.update(shared_field_errors(member, exc.fields or {"form": [str(exc.message)]}))
            continue
        for name, value in forms[member.service].items():
            if name not in member.fixed:
                shared[member.shared_name(name)] = value  # normalised by the member ("100" -> "100.00")
    if errors:
        raise DomainError(
            "validation_error", Text("申请表填写有误，请检查后重试。", "Please check the form."), fields=errors
        )
    return shared, forms


def _identifier_fields(bundle: ServiceBundle) -> dict[str, str]:
    properties = shared_form(bundle, member_services(bundle))["properties"]
    return {key: schema["x-identifier"] for key, schema in properties.items() if schema.get("x-identifier")}


def _store_form(record: Bundle, bundle: ServiceBundle, form: dict[str, Any]) -> None:
    """As a case keeps its form (cases/identifiers.py): identifiers masked, the full values sealed to the bundle."""
    from .identifiers import MASKERS

    kinds = _identifier_fields(bundle)
    secret = {key: form[key] for key in kinds if isinstance(form.get(key), str)}
    record.form = {
        key: MASKERS[kinds[key]](value) if key in secret and kinds[key] in MASKERS else value
        for key, value in form.items()
    }
    record.sealed_identifiers = (
        crypto.encrypt(json.dumps(secret, sort_keys=True).encode(), context=_context(record), purpose=FORM_PURPOSE)
        if secret
        else ""
    )


def _full_form(record: Bundle) -> dict[str, Any]:
    form = dict(record.form or {})
    if record.sealed_identifiers:
        form.update(
            json.loads(crypto.decrypt(record.sealed_identifiers, context=_context(record), purpose=FORM_PURPOSE))
        )
    return form


def _context(record: Bundle) -> bytes:
    return b"bundle:" + record.reference_no.encode("utf-8")


def _fingerprint(code: str, form: dict[str, Any]) -> str:
    return crypto.blind_index(json.dumps(["bundle", code, form], sort_keys=True), purpose=b"bundle-request-fingerprint")


# -- recording -------------------------------------------------------------------------------------------------------
def _event(
    record: Bundle, action: str, note: Text | str = "", *, service_code: str = "", actor: User | None = None
) -> None:
    BundleEvent.objects.create(
        bundle=record,
        action=action,
        service_code=service_code,
        status=record.status,
        actor=actor,
        note=note.zh if isinstance(note, Text) else note,
        note_en=note.en if isinstance(note, Text) else "",
    )


def _service_name(code: str) -> Text:
    service = get_service(code)
    return service.name if service else Text(code, code)


def _notify(record: Bundle, kind: str, message: Text) -> None:
    bundle = get_bundle(record.bundle_code)
    name = bundle.name if bundle else Text(record.bundle_code, record.bundle_code)
    notify_translated(
        record.applicant,
        f"bundle.{kind}",
        lambda: (f"【{name}】{record.reference_no}", str(message)),
        {"type": "bundle", "reference_no": record.reference_no},
    )


@contextmanager
def _advancing(record_id: int) -> Iterator[bool]:
    """True when this thread is not already moving this bundle on (then it is, until the block ends)."""
    running = _ADVANCING.get()
    if record_id in running:
        yield False
        return
    token = _ADVANCING.set(running | {record_id})
    try:
        yield True
    finally:
        _ADVANCING.reset(token)


# -- submission ------------------------------------------------------------------------------------------------------
def submit(user: User, code: str, form: Any, consent: Any, idempotency_key: str | None = None) -> tuple[Bundle, bool]:
    """Apply for a bundle; returns (bundle, created). Everything is checked before anything is written (the bundle,
    consent, real name, every member's form); then, in one transaction, the bundle, its members and the cases of
    the members that wait for nobody. The same Idempotency-Key returns the first bundle."""
    bundle = bundle_or_404(code)
    if consent is not True:
        raise DomainError(
            "consent_required",
            Text(
                "请先阅读并同意授权各部门调取您的数据。", "Please consent to the departments reading your data first."
            ),
        )
    resident = services.require_resident(user)
    if (on_behalf := acting.current()) is not None:  # 亲情代办: every member in the mandate
        for member in bundle.members:
            on_behalf.require(member.service)
    shared, _forms = validate_form(bundle, form if form is not None else {})
    fingerprint = _fingerprint(bundle.code, shared)
    if idempotency_key:
        existing = Bundle.objects.filter(applicant=user, idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.request_fingerprint != fingerprint:
                raise DomainError(
                    "idempotency_key_reused",
                    Text("该幂等键已用于另一份申请。", "This Idempotency-Key was used for another application."),
                    status_code=422,
                )
            return existing, False
    try:
        with transaction.atomic():
            record = Bundle(
                reference_no=next_bundle_reference(),
                bundle_code=bundle.code,
                applicant=user,
                resident=resident,
                status=BundleStatus.IN_PROGRESS,
                consent_at=timezone.now(),
                idempotency_key=idempotency_key or None,
                request_fingerprint=fingerprint,
            )
            _store_form(record, bundle, shared)
            record.save(force_insert=True)
            BundleMember.objects.bulk_create(
                BundleMember(bundle=record, service_code=m.service, position=i) for i, m in enumerate(bundle.members)
            )
            _event(record, "submitted", Text("提交一件事申请", "Bundle submitted"), actor=acting.delegate_of(user))
            advance(record.pk)
    except IntegrityError:
        if idempotency_key:
            existing = Bundle.objects.filter(applicant=user, idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing, False
        raise
    record.refresh_from_db()
    return record, True


# -- moving on -------------------------------------------------------------------------------------------------------
def on_case_changed(sender: Any, case: Case, action: str, **kwargs: Any) -> None:
    """A member case changed (connected to ``case_changed`` in CasesConfig.ready): move its bundle on."""
    bundle_id = BundleMember.objects.filter(case=case).values_list("bundle_id", flat=True).first()
    if bundle_id is not None:
        advance(bundle_id)


def advance(bundle_id: int) -> None:
    """Bring the bundle up to date with its members: hold what waits for a failure, submit what may run now,
    and settle the combined status. Idempotent; inside the caller's transaction, the bundle row locked."""
    with _advancing(bundle_id) as mine:
        if not mine:
            return
        with transaction.atomic():
            record = Bundle.objects.select_for_update().get(pk=bundle_id)
            while _step(record):
                pass
            _settle(record)


def _members(record: Bundle) -> list[BundleMember]:
    return list(BundleMember.objects.filter(bundle=record).select_related("case").order_by("position"))


def _step(record: Bundle) -> bool:
    """One change (a member held or submitted); False when there is nothing (more) to do."""
    if record.status == BundleStatus.WITHDRAWN:
        return False
    bundle = get_bundle(record.bundle_code)
    if bundle is None:  # a member switched off since: nothing new starts, the running cases go on alone
        return False
    rows = {row.service_code: row for row in _members(record)}
    stopped = any(row.failed and row.acknowledged_at is None for row in rows.values())
    for member in bundle.members:
        row = rows.get(member.service)
        if row is None or row.state != MemberState.WAITING:
            continue
        upstream = [rows[code] for code in member.after if code in rows]
        blocked = [up for up in upstream if up.failed or up.state in {MemberState.HELD, MemberState.SKIPPED}]
        if blocked:
            row.state = MemberState.HELD
            row.save(update_fields=["state"])
            names = "、".join(_service_name(up.service_code).zh for up in blocked)
            names_en = ", ".join(_service_name(up.service_code).en for up in blocked)
            _event(
                record,
                "member_held",
                Text(f"前序事项（{names}）未通过，暂缓办理", f"Held: {names_en} was not approved"),
                service_code=member.service,
            )
            return True
        ready = all(up.case is not None and up.case.status == Status.APPROVED for up in upstream)
        if ready and not stopped:
            _start(record, bundle, row)
            return True
    return False


def _start(record: Bundle, bundle: ServiceBundle, row: BundleMember) -> None:
    """Submit the member's case as ``POST /cases`` would, under the bundle's consent; a member that needs a face
    check is verified by the bundle's, when that has passed."""
    member = next(m for m in bundle.members if m.service == row.service_code)
    service = get_service(member.service)
    assert service is not None  # an offered bundle has every member on
    case, _created = services.submit(
        record.applicant, member.service, member_form(member, service, _full_form(record)), True
    )
    Case.objects.filter(pk=case.pk).update(consent_at=record.consent_at)
    row.case = case
    row.state = MemberState.STARTED
    row.save(update_fields=["case", "state"])
    department = case.department
    _event(
        record,
        "member_submitted",
        Text(
            f"已向{department.name_zh}提交：{service.name.zh}（{case.reference_no}）",
            f"Submitted to {department.name_en or department.name_zh}: {service.name.en} ({case.reference_no})",
        ),
        service_code=member.service,
    )
    if case.status == Status.PENDING_FACE and record.face_verified_at is not None:
        services.identity_verified(record.applicant, case.pk, method="face", note=FACE_NOTE.zh)
    row.case.refresh_from_db()


def _settle(record: Bundle) -> None:
    """The combined status from the members' (and the notices and timeline lines that go with a change)."""
    if record.is_final:
        # a finished bundle stays finished: a later change of a member (a commitment approval revoked on its
        # post-check) is on that member's own timeline, which the bundle's shows
        record.save(update_fields=["updated_at"])
        return
    rows = _members(record)
    for row in rows:
        if row.failed and row.acknowledged_at is None and not _has_event(record, "member_failed", row.service_code):
            decision = (row.case.decision or {}) if row.case else {}
            reason = decision.get("reason") or {}
            ended = ENDED.get(row.case.status if row.case else "", Text("", ""))
            name = _service_name(row.service_code)
            _event(
                record,
                "member_failed",
                Text(
                    f"{name.zh}{ended.zh}：{_reason(reason, 'zh')}".rstrip("："),
                    f"{name.en} {ended.en}: {_reason(reason, 'en')}".rstrip(": "),
                ),
                service_code=row.service_code,
            )
    status = combined_status(rows)
    if status == record.status:
        return
    record.status = status
    if record.is_final:
        record.completed_at = timezone.now()
    record.save(update_fields=["status", "completed_at", "updated_at"])
    if status == BundleStatus.ACTION_REQUIRED:
        message = Text("有事项未办成，请选择继续办理其余事项或撤回", "A service was not approved: continue or withdraw")
        _event(record, "action_required", message)
        _notify(record, status, message)
    elif record.is_final:
        message = (
            Text("全部事项已办结", "Every service is done")
            if status == BundleStatus.COMPLETED
            else Text("其余事项已办结", "The remaining services are done")
        )
        _event(record, "completed", message)
        _notify(record, status, message)


def combined_status(rows: list[BundleMember]) -> BundleStatus:
    if any(row.failed and row.acknowledged_at is None for row in rows):
        return BundleStatus.ACTION_REQUIRED
    if any(row.case is not None and row.case.status == Status.PENDING_FACE for row in rows):
        return BundleStatus.PENDING_FACE
    done = [row for row in rows if (row.case is not None and row.case.is_final) or row.state == MemberState.SKIPPED]
    if len(done) < len(rows):
        return BundleStatus.IN_PROGRESS
    approved = all(row.case is not None and row.case.status == Status.APPROVED for row in rows)
    return BundleStatus.COMPLETED if approved else BundleStatus.PARTIALLY_COMPLETED


def _reason(reason: Any, language: str) -> str:
    if isinstance(reason, dict):
        return str(reason.get(language) or reason.get("zh") or "")
    return str(reason or "")


def _has_event(record: Bundle, action: str, service_code: str) -> bool:
    return BundleEvent.objects.filter(bundle=record, action=action, service_code=service_code).exists()


# -- the resident's choices ------------------------------------------------------------------------------------------
def continue_without_failed(user: User, reference_no: str) -> Bundle:
    """Go on with the rest: the failed members are acknowledged, the members held for them are skipped, and what
    may run now is submitted."""
    with transaction.atomic():
        record = own_bundle(user, reference_no, lock=True)
        if record.status != BundleStatus.ACTION_REQUIRED:
            raise Conflict(
                "invalid_transition",
                Text("该申请当前没有需要您确认的事项。", "Nothing in this bundle waits for your choice."),
            )
        now = timezone.now()
        rows = _members(record)
        for row in rows:
            if row.failed and row.acknowledged_at is None:
                row.acknowledged_at = now
                row.save(update_fields=["acknowledged_at"])
            elif row.state in {MemberState.HELD}:
                row.state = MemberState.SKIPPED
                row.save(update_fields=["state"])
        _event(
            record,
            "continued",
            Text("申请人选择继续办理其余事项", "The applicant continued with the other services"),
            actor=acting.delegate_of(user),
        )
        advance(record.pk)
    record.refresh_from_db()
    return record


def withdraw(user: User, reference_no: str) -> Bundle:
    """Withdraw the whole bundle: every open member case through the normal withdrawal, the members not yet
    submitted skipped. Approvals already granted stay granted (a paid subsidy is not unpaid by a withdrawal)."""
    with transaction.atomic():
        record = own_bundle(user, reference_no, lock=True)
        if record.is_final:
            raise Conflict(
                "invalid_transition",
                Text("该申请已办结，不能撤回。", "This bundle is finished and cannot be withdrawn."),
            )
        record.status = BundleStatus.WITHDRAWN
        record.completed_at = timezone.now()
        record.save(update_fields=["status", "completed_at", "updated_at"])
        with _advancing(record.pk):
            for row in _members(record):
                if row.case is not None and not row.case.is_final:
                    services.withdraw(user, row.case.pk)
                elif row.case is None:
                    row.state = MemberState.SKIPPED
                    row.save(update_fields=["state"])
        _event(
            record,
            "withdrawn",
            Text("申请人撤回一件事申请", "Withdrawn by the applicant"),
            actor=acting.delegate_of(user),
        )
    return record


# -- the face check (purpose "bundle") -------------------------------------------------------------------------------
def check_face_target(user: User, payload: Any) -> int:
    """The caller's own bundle (404 for another's), with a member waiting for a face check (409 otherwise)."""
    reference_no = payload.get("bundle") if hasattr(payload, "get") else None
    if not isinstance(reference_no, str) or not reference_no.strip():
        raise DomainError(
            "validation_error",
            Text("缺少一件事编号。", "The bundle reference is missing."),
            fields={"bundle": ["required"]},
        )
    record = own_bundle(user, reference_no.strip())
    if not _pending_face(record):
        raise Conflict("invalid_transition", Text("该申请当前不需要刷脸核验。", "This bundle needs no face check now."))
    return record.pk


def _pending_face(record: Bundle) -> list[Case]:
    return [row.case for row in _members(record) if row.case is not None and row.case.status == Status.PENDING_FACE]


def face_verified(user: User, bundle_id: Any) -> Bundle:
    """One verified face for the whole bundle: every member case waiting for it is decided now, and members
    submitted later count as verified."""
    with transaction.atomic():
        record = Bundle.objects.select_for_update().filter(pk=parse_id(bundle_id, "bundle"), applicant=user).first()
        if record is None:
            raise NotFound(Text("未找到该一件事申请。", "Bundle application not found."))
        waiting = _pending_face(record)
        if not waiting:
            raise Conflict(
                "invalid_transition", Text("该申请当前不需要刷脸核验。", "This bundle needs no face check now.")
            )
        record.face_verified_at = timezone.now()
        record.save(update_fields=["face_verified_at", "updated_at"])
        _event(record, "face_verified", FACE_NOTE, actor=acting.delegate_of(user))
        with _advancing(record.pk):
            for case in waiting:
                services.identity_verified(user, case.pk, method="face", note=FACE_NOTE.zh)
        advance(record.pk)
    record.refresh_from_db()
    return record
