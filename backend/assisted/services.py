"""帮办代办 Clerk-assisted filing at the counter (国发〔2024〕3号): every rule of a session lives here.

A counter clerk holding ``assisted.start_assisted_session`` opens a session for a resident who stands at the
counter: the clerk confirms having checked the original ID card and types its number and the name, which must
match the household registry (optionally the counter camera's photo is compared with the resident's enrolled or
registry face). Within the session the clerk fills one application, validated by the case engine exactly as
``POST /cases`` validates it. The resident then confirms it, either by the SMS code sent to the phone of their
registry entry (they read the summary, then tell or type the code) or by their face on the counter camera after
the summary was shown. Only then does :func:`backend.cases.services.submit_assisted` create the case (and decide it
where the rules allow); an unconfirmed session submits nothing.

Order of refusals of every session action: not an assisting clerk 403, not the caller's session 404, expired 410,
closed (confirmed or cancelled) 409, then the action's own checks. Every step is an append-only
:class:`~.models.AssistedEvent`; every registry read names the clerk as reader with the purpose ``帮办代办 …``
(the resident's ``GET /me/data-access``); the resident is told in the inbox when a session starts and what was
filed.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from rest_framework import status

from backend.accounts import permissions
from backend.accounts.models import Department, User
from backend.accounts.phones import is_mainland_mobile, to_e164
from backend.accounts.sms import send_sms
from backend.cases import identifiers
from backend.cases import services as cases
from backend.cases.discovery import get_service
from backend.cases.models import Case
from backend.cases.plugins import ServiceModule
from backend.core import crypto
from backend.core.errors import Conflict, DomainError, Forbidden, NotFound, Unprocessable
from backend.core.i18n import Text
from backend.core.masking import mask_phone
from backend.faceauth.services import compare_in_person
from backend.notifications.services import notify_translated
from backend.registries.access import record_access
from backend.registries.identity import bind_in_person, managed_account, unbound_account_by_phone
from backend.registries.idnumbers import InvalidIdNumber, validate_id_number
from backend.registries.items import ITEMS
from backend.registries.models import ActorType, Resident

from . import codes, conf
from .models import AssistedEvent, AssistedSession, ConfirmationMethod, EventKind, SessionStatus

PERMISSION = "assisted.start_assisted_session"
#: The access log's purpose prefix for reads made in a session (the case engine uses the same words).
PURPOSE = cases.ASSISTED.zh
FORM_PURPOSE = b"assisted-session-form"


# -- errors ----------------------------------------------------------------------------------------------------------
class Gone(DomainError):
    status_code = status.HTTP_410_GONE


class TooMany(DomainError):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS


def _expired() -> Gone:
    return Gone("session_expired", _("帮办已超时结束，请重新核验身份后再办理。"))


def _closed(session: AssistedSession) -> Conflict:
    return Conflict(
        "session_closed",
        _("本次帮办已结束（%(status)s），不能再操作。") % {"status": session.get_status_display()},
    )


# -- who -------------------------------------------------------------------------------------------------------------
def may_assist(user: Any) -> bool:
    """A department clerk whose staff group grants assisted filing (supervisors watch, they do not file)."""
    return permissions.is_department_clerk(user) and bool(user.has_perm(PERMISSION))


def _require_assistant(clerk: User) -> None:
    if not may_assist(clerk):
        raise Forbidden("permission_denied", _("您没有帮办代办的权限。"))


# -- recording -------------------------------------------------------------------------------------------------------
def _event(session: AssistedSession, kind: str, actor: User | None, note: str = "") -> AssistedEvent:
    return AssistedEvent.objects.create(session=session, kind=kind, actor=actor, note=note[:200])


def _read(session: AssistedSession, what: str) -> None:
    """A registry read of the session, in the resident's access log with the clerk as reader."""
    record_access(
        subject=session.resident,
        department="public_security",
        items=["household.identity"],
        purpose=f"{PURPOSE} {what}",
        actor=session.clerk,
        actor_type=ActorType.CLERK,
    )


def _notify(session: AssistedSession, kind: str, body: Text) -> None:
    """An inbox notice to the resident (a resident without an account yet has no inbox: the SMS tells them)."""
    account = session.resident.account
    if account is None:
        return
    title = Text("窗口帮办代办提醒", "Assisted filing at the counter")
    notify_translated(account, kind, lambda: (str(title), str(body)), {"type": "assisted", "id": session.pk})


def _department_name(session: AssistedSession) -> Text:
    department = session.department
    return Text(department.name_zh, department.name_en or department.name_zh)


# -- sessions --------------------------------------------------------------------------------------------------------
def start(clerk: User, id_number: Any, name: Any, *, id_card_checked: Any) -> AssistedSession:
    """Open a session for the resident at the counter. Refusals in order: 403 ``permission_denied``, 400
    ``id_card_required`` (the clerk must confirm having checked the original card, before any registry read), 400
    ``invalid_id_number``, 422 ``registry_mismatch`` (no such person, or another name: the same answer), 403
    ``permission_denied`` for the clerk's own identity."""
    _require_assistant(clerk)
    if id_card_checked is not True:
        raise DomainError(
            "id_card_required", _("请先查验居民的身份证原件并勾选确认。"), fields={"id_card_checked": ["required"]}
        )
    try:
        number = validate_id_number(id_number if isinstance(id_number, str) else "")
    except InvalidIdNumber as exc:
        raise DomainError("invalid_id_number", exc.message, fields={"id_number": [str(exc.message)]}) from exc
    typed_name = name.strip() if isinstance(name, str) else ""
    with transaction.atomic():
        resident = Resident.objects.select_related("account").with_id_number(number).first()
        if resident is None or not typed_name or resident.name != typed_name:
            raise Unprocessable("registry_mismatch", _("姓名与身份证号不匹配，或户籍登记中无此人。"))
        if resident.account_id is not None and resident.account_id == clerk.pk:
            raise Forbidden("permission_denied", _("工作人员不能为本人帮办。"))
        department = clerk.department
        assert department is not None  # may_assist: a clerk of a department
        session = AssistedSession.objects.create(
            clerk=clerk,
            department=department,
            resident=resident,
            expires_at=timezone.now() + dt.timedelta(minutes=conf.session_minutes()),
        )
        _event(session, EventKind.STARTED, clerk)
        _event(session, EventKind.IDENTITY_CHECKED, clerk, "已查验身份证原件；姓名、身份证号与户籍登记一致")
        _read(session, "核验身份")
        _notify(
            session,
            "assisted.started",
            Text(
                f"{_department_name(session).zh}窗口工作人员正在为您帮办代办。如果不是您本人在窗口办理，请立即拨打12345。",
                f"A clerk of {_department_name(session).en} is filing for you at the counter. If you are not at the "
                "counter yourself, call 12345 at once.",
            ),
        )
    return session


def expire_due(now: dt.datetime | None = None) -> int:
    """Mark every open session past its time as expired (also done lazily whenever a session is used)."""
    now = now or timezone.now()
    count = 0
    for pk in AssistedSession.objects.filter(status=SessionStatus.OPEN, expires_at__lte=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            session = AssistedSession.objects.select_for_update().get(pk=pk)
            if session.status == SessionStatus.OPEN and session.expires_at <= now:
                _close(session, SessionStatus.EXPIRED, None, "超过办理时限，未提交任何申请")
                count += 1
    return count


def _close(session: AssistedSession, status_: str, actor: User | None, note: str) -> None:
    """End a session that was not confirmed: the pending form and the code are dropped (nothing was submitted)."""
    had_form = bool(session.form_filled_at)
    session.status = status_
    session.closed_at = timezone.now()
    session.form_sealed = ""
    session.code_hash = ""
    session.save(update_fields=["status", "closed_at", "form_sealed", "code_hash"])
    _event(session, EventKind.EXPIRED if status_ == SessionStatus.EXPIRED else EventKind.CANCELLED, actor, note)
    if had_form:
        _notify(
            session,
            f"assisted.{status_}",
            Text("窗口帮办已结束，未为您提交任何申请。", "The assisted filing ended; nothing was submitted for you."),
        )


def sessions_of(clerk: User) -> Any:
    _require_assistant(clerk)
    expire_due()
    return AssistedSession.objects.filter(clerk=clerk)


def get(clerk: User, session_id: Any) -> AssistedSession:
    """The caller's own session (another clerk's: 404), expired first if its time is over."""
    _require_assistant(clerk)
    session = AssistedSession.objects.filter(pk=session_id, clerk=clerk).first()
    if session is None:
        raise NotFound(_("未找到该帮办记录。"))
    if session.status == SessionStatus.OPEN and session.expires_at <= timezone.now():
        expire_due()
        session.refresh_from_db()
    return session


def _usable(clerk: User, session_id: Any) -> AssistedSession:
    session = get(clerk, session_id)
    _require_open(session)
    return session


def _require_open(session: AssistedSession) -> None:
    if session.status == SessionStatus.EXPIRED:
        raise _expired()
    if session.status != SessionStatus.OPEN:
        raise _closed(session)
    if session.expires_at <= timezone.now():  # ran out since it was read: the next read records the expiry
        raise _expired()


def _locked(session: AssistedSession) -> AssistedSession:
    """The session again, row-locked, still open (call inside a transaction)."""
    current = AssistedSession.objects.select_for_update().get(pk=session.pk)  # the session row only
    _require_open(current)
    return current


# -- the face on the counter camera ----------------------------------------------------------------------------------
def face_attempts_left(session: AssistedSession) -> int:
    return max(0, conf.face_max_attempts() - session.face_failures)


def check_face(clerk: User, session_id: Any, image: bytes) -> tuple[AssistedSession, bool]:
    """Compare the counter camera's photo with the resident's face (faceauth). Returns (session, passed); a failure
    is counted (``ASSISTED_FACE_MAX_ATTEMPTS``, then 429 ``too_many_attempts``: the ID card and the SMS code
    remain). A photo that cannot be judged is 422 and not counted. The engine runs with no transaction open."""
    session = _usable(clerk, session_id)
    if not face_attempts_left(session):
        raise TooMany("too_many_attempts", _("人脸比对次数已用完，请使用短信确认码。"))
    passed = compare_in_person(session.resident, image)
    with transaction.atomic():
        session = _locked(session)
        if passed:
            session.face_verified_at = timezone.now()
            session.save(update_fields=["face_verified_at"])
            _event(session, EventKind.FACE_CHECKED, clerk, "窗口摄像头人脸比对通过")
        else:
            session.face_failures += 1
            session.save(update_fields=["face_failures"])
            _event(session, EventKind.FACE_FAILED, clerk, f"人脸比对未通过，剩余 {face_attempts_left(session)} 次")
        _read(session, "人脸比对")
    return session, passed


# -- the application -------------------------------------------------------------------------------------------------
def _context(session: AssistedSession) -> bytes:
    return f"assisted-session:{session.pk}".encode()


def pending_form(session: AssistedSession) -> dict[str, Any]:
    """The application's form as the clerk entered it (unsealed); empty when none is pending."""
    if not session.form_sealed:
        return {}
    data = crypto.decrypt(session.form_sealed, context=_context(session), purpose=FORM_PURPOSE)
    form: dict[str, Any] = json.loads(data)
    return form


def pending_service(session: AssistedSession) -> ServiceModule | None:
    return get_service(session.service_code) if session.service_code else None


def fill(clerk: User, session_id: Any, service_code: Any, form: Any, consent: Any) -> AssistedSession:
    """The application the clerk filled with the resident, checked as ``POST /cases`` checks it (the service 404
    ``unknown_service``, the consent 400 ``consent_required``, the form 400 ``validation_error`` with its fields),
    kept sealed until the resident confirms it. Filling again replaces it; a code sent for the earlier form and a
    face confirmation made before it no longer confirm it. A refusal changes nothing."""
    session = _usable(clerk, session_id)
    service = cases.service_or_404(service_code if isinstance(service_code, str) else "")
    if consent is not True:
        raise DomainError("consent_required", _("请居民阅读并同意授权调取其部门数据。"))
    cleaned = cases.validate_form(service, form if form is not None else {})
    with transaction.atomic():
        session = _locked(session)
        now = timezone.now()
        session.service_code = service.code
        session.form_sealed = crypto.encrypt(
            json.dumps(cleaned, sort_keys=True).encode(), context=_context(session), purpose=FORM_PURPOSE
        )
        session.form_filled_at = now
        session.consent_at = now
        session.code_hash = ""
        session.code_expires_at = None
        session.code_attempts = 0
        session.save()
        _event(session, EventKind.FORM_FILLED, clerk, f"{service.name.zh}（居民已同意授权调取部门数据）")
    return session


def summary(session: AssistedSession) -> dict[str, Any] | None:
    """What the resident reviews before confirming: the service, the form (identifiers masked), the data read.
    ``None`` when nothing is pending: not filled yet, or the session ended (its case, if any, keeps the form)."""
    service = pending_service(session)
    if service is None or not session.form_filled_at or not session.form_sealed:
        return None
    return {
        "service": service.code,
        "service_name": str(service.name),
        "form": identifiers.mask(service, pending_form(session)),
        "data": consent_items(service),
        "consent_at": session.consent_at,
        "filled_at": session.form_filled_at,
    }


def consent_items(service: ServiceModule) -> list[dict[str, str]]:
    """The registry data the decision reads, as the app's consent screen lists it (the catalogue's ``data_items``):
    what, from which department, what for; the resident agrees to exactly these."""
    names = {d.code: d for d in Department.objects.filter(code__in={ITEMS[use.key].department for use in service.data})}
    items = []
    for use in service.data:
        item = ITEMS[use.key]
        department = names.get(item.department)
        items.append(
            {
                "key": use.key,
                "label": str(item.label),
                "department": str(department.name) if department else item.department,
                "purpose": str(use.purpose),
            }
        )
    return items


def _require_application(session: AssistedSession) -> ServiceModule:
    service = pending_service(session)
    if service is None or not session.form_filled_at:
        raise Conflict("application_required", _("请先为居民填写申请。"))
    return service


# -- the SMS code ----------------------------------------------------------------------------------------------------
def code_attempts_left(session: AssistedSession) -> int:
    return max(0, conf.code_max_attempts() - session.code_attempts) if session.code_hash else 0


def send_code(clerk: User, session_id: Any) -> AssistedSession:
    """Send a confirmation code to the phone of the resident's registry entry (not a number typed at the counter).
    409 ``application_required`` before the form, 409 ``no_registry_phone``, 429 ``code_recently_sent`` within
    ``ASSISTED_CODE_RESEND_SECONDS`` (``Retry-After``), 429 ``too_many_codes`` after ``ASSISTED_MAX_CODES``."""
    session = _usable(clerk, session_id)
    service = _require_application(session)
    phone = to_e164(session.resident.phone or "")
    if not is_mainland_mobile(phone):
        raise Conflict("no_registry_phone", _("户籍登记中没有该居民的手机号，请让居民在窗口摄像头前确认。"))
    with transaction.atomic():
        session = _locked(session)
        now = timezone.now()
        if session.code_sent_at is not None:
            wait = (session.code_sent_at + dt.timedelta(seconds=conf.code_resend_seconds()) - now).total_seconds()
            if wait > 0:
                raise TooMany(
                    "code_recently_sent",
                    _("确认码刚刚发送过，请稍后再发。"),
                    headers={"Retry-After": str(math.ceil(wait))},
                )
        if session.codes_sent >= conf.max_codes():
            raise TooMany("too_many_codes", _("本次帮办发送确认码的次数已用完，请让居民在窗口摄像头前确认。"))
        code = codes.new_code()
        ttl = conf.code_ttl_seconds()
        session.code_hash = codes.digest(session.pk, code)
        session.code_sent_at = now
        session.code_expires_at = now + dt.timedelta(seconds=ttl)
        session.code_attempts = 0
        session.codes_sent += 1
        session.save()
        _event(session, EventKind.CODE_SENT, clerk, f"确认码已发送至户籍登记手机 {mask_phone(phone)}")
        _read(session, "读取登记手机号发送确认码")
        account = session.resident.account
        english = bool(account and (account.language or "").startswith("en"))
        minutes = max(1, ttl // 60)
        department = _department_name(session)
        with translation.override("en" if english else "zh-hans"):
            text = str(
                Text(
                    f"【一网】{department.zh}窗口工作人员正在为您办理“{service.name.zh}”，确认码 {code}，"
                    f"{minutes}分钟内有效。请核对申请内容后将确认码告知工作人员；如非本人在窗口办理，请勿告知他人。",
                    f'[Yiwang] A clerk of {department.en} is filing "{service.name.en}" for you at the counter. '
                    f"Confirmation code {code}, valid for {minutes} min. Check the application, then tell the "
                    "clerk the code; if you are not at the counter, tell nobody.",
                )
            )
        send_sms(phone, text, purpose="assisted_confirmation")
    return session


# -- confirmation ----------------------------------------------------------------------------------------------------
def _identity_note(session: AssistedSession) -> str:
    note = "帮办代办：已当面查验身份证原件，姓名、身份证号与户籍登记一致"
    return note + ("；窗口摄像头人脸比对通过" if session.face_verified_at else "")


def confirm(clerk: User, session_id: Any, method: Any, code: Any = None) -> AssistedSession:
    """The resident confirmed the application: submit it through the case engine, then close the session.

    ``sms_code``: the code sent to the registry phone (400 ``wrong_code`` with ``attempts_left``, counted; 409
    ``code_not_sent``; 410 ``code_expired``; 429 ``too_many_attempts`` once the code's attempts are spent: send a
    new one). ``counter_face``: a face comparison on the counter camera that passed *after* the application was
    filled, i.e. after the resident saw the summary (409 ``face_required``). A second confirmation is 409
    ``session_closed``. The submission, the case's decision and the session's end are one transaction."""
    session = _usable(clerk, session_id)
    _require_application(session)
    if method == ConfirmationMethod.SMS_CODE:
        _check_code(clerk, session, code)
    elif method == ConfirmationMethod.COUNTER_FACE:
        if (
            session.face_verified_at is None
            or session.form_filled_at is None
            or (session.face_verified_at < session.form_filled_at)
        ):
            raise Conflict(
                "face_required",
                _("请居民核对申请内容后，在窗口摄像头前进行人脸比对，再确认提交。"),
            )
    else:
        raise DomainError(
            "validation_error",
            _("不支持的确认方式。"),
            fields={"method": [f"one of {', '.join(ConfirmationMethod.values)}"]},
        )
    with transaction.atomic():
        session = _locked(session)
        resident = Resident.objects.select_for_update().get(pk=session.resident_id)
        applicant = _applicant(resident, method)
        case = cases.submit_assisted(
            clerk,
            applicant,
            session.service_code,
            pending_form(session),
            f"assisted-session-{session.pk}",
            _identity_note(session),
        )
        now = timezone.now()
        session.status = SessionStatus.CONFIRMED
        session.confirmed_at = now
        session.closed_at = now
        session.confirmation = str(method)
        session.case = case
        session.code_hash = ""
        session.form_sealed = ""  # the case keeps the form now (its identifiers sealed by the case engine)
        session.resident = resident
        session.save()
        label = ConfirmationMethod(method).label
        _event(session, EventKind.CONFIRMED, clerk, f"居民确认（{label}），已提交 {case.reference_no}")
        service = cases.service_or_404(case.service_code)
        _notify(
            session,
            "assisted.submitted",
            Text(
                f"{_department_name(session).zh}窗口工作人员已为您帮办提交“{service.name.zh}”{case.reference_no}，"
                "办理进度可在“我的办件”中查看。",
                f'A clerk of {_department_name(session).en} filed "{service.name.en}" {case.reference_no} for you '
                "at the counter; follow it in My cases.",
            ),
        )
    return session


def _applicant(resident: Resident, method: str) -> User:
    """Whose case it is: the resident's bound account; else the app account of the registry phone, bound now, when
    the resident proved holding that phone with the SMS code; else (no app account at all) a managed account. A
    resident who has an app account but no real name bound, confirming by face, is refused 409 ``sms_code_required``:
    the face proves the person, not that the account (whose phone may have been recycled) is theirs, and a managed
    account would keep them from binding their own account later."""
    if resident.account_id is not None:
        assert resident.account is not None
        return resident.account
    phone = to_e164(resident.phone or "")
    account = unbound_account_by_phone(phone) if is_mainland_mobile(phone) else None
    if account is not None:
        if method != ConfirmationMethod.SMS_CODE:
            raise Conflict(
                "sms_code_required",
                _("该居民已注册一网账户但尚未实名认证：请用短信确认码确认，办件将归入其本人账户。"),
            )
        bind_in_person(account, resident)
        return account
    return managed_account(resident)


def _check_code(clerk: User, session: AssistedSession, code: Any) -> None:
    if not session.code_hash:
        if session.code_attempts >= conf.code_max_attempts():
            raise TooMany("too_many_attempts", _("确认码错误次数过多，已失效，请重新发送。"))
        raise Conflict("code_not_sent", _("请先向居民发送确认码。"))
    if session.code_expires_at is None or session.code_expires_at <= timezone.now():
        raise Gone("code_expired", _("确认码已过期，请重新发送。"))
    if codes.matches(session.pk, code, session.code_hash):
        return
    with transaction.atomic():
        current = _locked(session)
        current.code_attempts += 1
        left = max(0, conf.code_max_attempts() - current.code_attempts)
        if not left:
            current.code_hash = ""  # void: a new code must be sent
        current.save(update_fields=["code_attempts", "code_hash"])
        _event(current, EventKind.CODE_FAILED, clerk, f"确认码错误，剩余 {left} 次")
    raise DomainError("wrong_code", _("确认码不正确。"), fields={"code": ["wrong"]}, extra={"attempts_left": left})


def cancel(clerk: User, session_id: Any, reason: Any = "") -> AssistedSession:
    """End the session without submitting anything (the resident changed their mind, left, or the clerk erred)."""
    session = _usable(clerk, session_id)
    with transaction.atomic():
        session = _locked(session)
        note = reason.strip() if isinstance(reason, str) else ""
        _close(session, SessionStatus.CANCELLED, clerk, note or "工作人员取消，未提交任何申请")
    return session


def case_of(session: AssistedSession) -> Case | None:
    return Case.objects.filter(pk=session.case_id).first() if session.case_id else None
