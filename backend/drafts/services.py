"""Save and resume (草稿): the rules for drafts. Views call these functions and nothing else.

A draft holds form answers only — never consent (consent is given on submission, for that submission) — and is
checked for *shape*, not completeness: a half-filled form may leave required fields out and hold a half-typed value
(the pattern of an ID number, the format of an amount are checked on submission), but it may not hold fields the
service does not have, values of the wrong type or strings longer than the schema (or :data:`MAX_STRING`) allows.

Drafts read no registry, so they write nothing to the data-access log. They expire :data:`LIFETIME` after the last
change; :func:`sweep` (Celery beat, daily) deletes expired drafts and tells the resident, and warns
:data:`REMINDER_BEFORE` ahead, once per version of the draft.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from functools import partial
from typing import Any

import jsonschema
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import User
from backend.cases import identifiers
from backend.cases import services as cases
from backend.cases.discovery import get_service
from backend.cases.models import Case
from backend.cases.plugins import ServiceModule
from backend.core import crypto
from backend.core.errors import Conflict, DomainError, NotFound
from backend.core.ids import parse_id
from backend.notifications.services import notify_translated

from .models import Draft

logger = logging.getLogger(__name__)

LIFETIME = dt.timedelta(days=30)
REMINDER_BEFORE = dt.timedelta(days=3)
MAX_DRAFTS = 10  # per resident: two children's enrolments are two drafts, a hundred are a bug or an abuse
MAX_FORM_BYTES = 64 * 1024  # the form as compact UTF-8 JSON; the request body limit (core/bodies.py) comes first
MAX_STRING = 1000  # any string in a draft, where the schema names no smaller maxLength
PURPOSE = b"draft-form-identifiers"

#: Keywords that say "complete" rather than "well-shaped": a draft is checked without them.
COMPLETENESS_KEYWORDS = frozenset(
    {
        "required",
        "dependentRequired",
        "minLength",
        "minItems",
        "minProperties",
        "pattern",
        "format",
        "minimum",
        "exclusiveMinimum",
        "const",
    }
)
#: Keywords whose value maps *names* (of fields, of definitions) to schemas: the names are kept whatever they are.
SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})


# -- lookups ---------------------------------------------------------------------------------------------------------
def drafts_of(user: User) -> QuerySet[Draft]:
    """The resident's drafts, the one changed last first."""
    return Draft.objects.filter(user=user).order_by("-updated_at", "-pk")


def own_draft(user: User, draft_id: int, *, lock: bool = False) -> Draft:
    """The caller's draft or 404 ``not_found`` (another resident's draft is indistinguishable from none)."""
    qs = Draft.objects.select_for_update() if lock else Draft.objects
    draft = qs.filter(pk=draft_id, user=user).first()
    if draft is None:
        raise NotFound(_("未找到该草稿。"))
    return draft


def expires_at(draft: Draft) -> dt.datetime:
    return draft.updated_at + LIFETIME


# -- shape -----------------------------------------------------------------------------------------------------------
def draft_schema(schema: Any) -> Any:
    """The service's form schema without the completeness keywords, at every depth."""
    if isinstance(schema, list):
        return [draft_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    shaped: dict[str, Any] = {}
    for key, value in schema.items():
        if key in COMPLETENESS_KEYWORDS:
            continue
        if key in SCHEMA_MAPS and isinstance(value, dict):
            shaped[key] = {name: draft_schema(sub) for name, sub in value.items()}
        else:
            shaped[key] = draft_schema(value)
    return shaped


def _long_strings(form: dict[str, Any]) -> dict[str, list[str]]:
    """Every string over :data:`MAX_STRING` by its path (iterative: a 64 KiB form can nest thousands deep)."""
    fields: dict[str, list[str]] = {}
    stack: list[tuple[tuple[str, ...], Any]] = [((str(key),), value) for key, value in form.items()]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str) and len(value) > MAX_STRING:
            fields[".".join(path)] = [gettext("不能超过 %(max)d 个字符。") % {"max": MAX_STRING}]
        elif isinstance(value, dict):
            stack.extend(((*path, str(key)), item) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend(((*path, str(index)), item) for index, item in enumerate(value))
    return fields


def check_shape(service: ServiceModule, form: Any) -> dict[str, Any]:
    """``form`` if it is a well-shaped partial form of ``service``; else 413 (too big) or 400 naming each field."""
    if not isinstance(form, dict):
        raise DomainError("validation_error", _("草稿格式有误。"), fields={"form": ["must be an object"]})
    size = len(json.dumps(form, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    if size > MAX_FORM_BYTES:
        raise DomainError(
            "payload_too_large",
            _("草稿内容过大，不能超过 %(limit)d KB。") % {"limit": MAX_FORM_BYTES // 1024},
            status_code=413,
        )
    fields = _long_strings(form)
    validator = jsonschema.Draft202012Validator(draft_schema(service.form))
    for error in sorted(validator.iter_errors(form), key=lambda e: [str(p) for p in e.path]):
        path = ".".join(str(p) for p in error.path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = set(error.schema.get("properties", {}))
            for key in sorted(set(error.instance) - known):
                fields.setdefault(".".join(filter(None, (path, str(key)))), []).append(gettext("没有这一项。"))
            continue
        fields.setdefault(path or "form", []).append(error.message)
    if fields:
        raise DomainError("validation_error", _("草稿填写有误，请检查后重试。"), fields=fields)
    return form


# -- identifiers -----------------------------------------------------------------------------------------------------
def _context(draft: Draft) -> bytes:
    return b"draft:" + str(draft.seal_key).encode("ascii")


def _store(draft: Draft, service: ServiceModule, form: dict[str, Any]) -> None:
    """The form masked in ``draft.form``, the identifiers' full values sealed (``cases/identifiers.py``)."""
    secret = {key: form[key] for key in identifiers.identifier_fields(service) if isinstance(form.get(key), str)}
    draft.form = identifiers.mask(service, form)
    draft.sealed_identifiers = (
        crypto.encrypt(json.dumps(secret, sort_keys=True).encode("utf-8"), context=_context(draft), purpose=PURPOSE)
        if secret
        else ""
    )


def full_form(draft: Draft) -> dict[str, Any]:
    """The draft as the resident typed it. A seal no configured key opens (keys retired within the draft's 30 days)
    leaves the masked values: the resident types the number again instead of losing the draft."""
    form = dict(draft.form or {})
    if draft.sealed_identifiers:
        try:
            form.update(json.loads(crypto.decrypt(draft.sealed_identifiers, context=_context(draft), purpose=PURPOSE)))
        except crypto.Unreadable:
            logger.warning("draft %s: sealed identifiers unreadable with the configured keys", draft.pk)
    return form


def unmask_unchanged(draft: Draft, service: ServiceModule, form: Any) -> Any:
    """As :func:`backend.cases.identifiers.unmask_unchanged`: an identifier sent back exactly as the draft shows it
    (masked) means "unchanged" and is replaced by the full value kept sealed; anything else is the new value."""
    if not isinstance(form, dict):
        return form
    full = full_form(draft)
    shown = identifiers.mask(service, full)
    return {
        key: full[key] if key in full and value == shown.get(key) != full[key] else value for key, value in form.items()
    }


# -- changes ---------------------------------------------------------------------------------------------------------
def create(user: User, service_code: str, form: Any) -> Draft:
    """A new draft: 404 ``unknown_service``, 400/413 for a bad shape, 409 ``too_many_drafts`` past the limit."""
    service = cases.service_or_404(service_code)
    form = check_shape(service, form if form is not None else {})
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # two devices saving at once: one count at a time
        if Draft.objects.filter(user=user).count() >= MAX_DRAFTS:
            raise Conflict(
                "too_many_drafts",
                _("草稿最多保存 %(max)d 份，请先提交或删除不需要的草稿。") % {"max": MAX_DRAFTS},
            )
        draft = Draft(user=user, service_code=service.code)
        _store(draft, service, form)
        draft.save(force_insert=True)
    return draft


def update(user: User, draft_id: int, form: Any, base_updated_at: dt.datetime | None = None) -> Draft:
    """Replace the draft's form (last write wins). A client that sends the ``updated_at`` it last saw gets 409
    ``draft_changed`` when another device saved in between, instead of silently overwriting that device's answers."""
    with transaction.atomic():
        draft = own_draft(user, draft_id, lock=True)
        if base_updated_at is not None and base_updated_at != draft.updated_at:
            raise Conflict(
                "draft_changed",
                _("草稿已在其他设备上修改，请重新打开后再保存。"),
                fields={"updated_at": [draft.updated_at.isoformat()]},
            )
        service = cases.service_or_404(draft.service_code)
        form = check_shape(service, unmask_unchanged(draft, service, form))
        _store(draft, service, form)
        draft.updated_at = timezone.now()
        draft.reminded_at = None  # a new 30 days, and a new reminder before they end
        draft.save(update_fields=["form", "sealed_identifiers", "updated_at", "reminded_at"])
    return draft


def delete(user: User, draft_id: int) -> None:
    own_draft(user, draft_id).delete()


# -- submission ------------------------------------------------------------------------------------------------------
def claimed_draft(user: User, value: Any, idempotency_key: str | None = None) -> int | None:
    """The draft a submission names, checked before anything else: None when it names none, 400 for a malformed
    id, 404 when it is not the caller's — unless the submission is the retry (same ``Idempotency-Key``) of one that
    already created its case and so consumed the draft: the retry gets the first answer, not a 404."""
    if value is None:
        return None
    draft_id = parse_id(value, "draft")
    if Draft.objects.filter(pk=draft_id, user=user).exists():
        return draft_id
    key = (idempotency_key or "").strip()
    if key and Case.objects.filter(applicant=user, idempotency_key=key).exists():
        return draft_id
    raise NotFound(_("未找到该草稿。"))


def submit_with_draft(
    draft_id: int, user: User, service_code: str, form: Any, consent: Any, idempotency_key: str | None = None
) -> tuple[Case, bool]:
    """:func:`backend.cases.services.submit` for an application resumed from a draft; the draft is deleted in the
    same transaction as the case is created, so a refused submission keeps it and a successful one leaves none.

    The form in the request is what is submitted (the draft only supplies the full value of an identifier the app
    sent back masked, as it showed it)."""
    with transaction.atomic():
        draft = Draft.objects.select_for_update().filter(pk=draft_id, user=user).first()
        service = get_service(service_code)
        if draft is not None and service is not None:
            if draft.service_code != service.code:
                raise DomainError(
                    "validation_error", _("草稿与申请的服务不一致。"), fields={"draft": [_("草稿属于另一项服务。")]}
                )
            form = unmask_unchanged(draft, service, form)
        elif draft is None:  # consumed by the first try of this idempotent retry (claimed_draft checked the key)
            first = Case.objects.filter(applicant=user, idempotency_key=(idempotency_key or "").strip()).first()
            if first is None:
                raise NotFound(_("未找到该草稿。"))
            if service is not None and first.service_code == service.code:
                form = identifiers.unmask_unchanged(first, service, form)
        case, created = cases.submit(user, service_code, form, consent, idempotency_key)
        if draft is not None:
            draft.delete()
    return case, created


# -- expiry ----------------------------------------------------------------------------------------------------------
def _service_name(code: str) -> str:
    service = get_service(code)
    return str(service.name) if service else code


def _expired_notice(code: str) -> tuple[str, str]:
    """The resident's notice that a stale draft was deleted (rendered once per language)."""
    return (
        gettext("草稿已自动删除"),
        gettext("您的「%(service)s」草稿已超过%(days)d天未修改，已自动删除")
        % {"service": _service_name(code), "days": LIFETIME.days},
    )


def _expiring_notice(code: str, day: str) -> tuple[str, str]:
    """The resident's reminder that a draft will be deleted on ``day`` (rendered once per language)."""
    return (
        gettext("草稿即将删除"),
        gettext("您的「%(service)s」草稿将于%(date)s自动删除，继续填写即可保留")
        % {"service": _service_name(code), "date": day},
    )


def sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """Delete drafts unchanged for :data:`LIFETIME` (with a notice) and warn of those that will be within
    :data:`REMINDER_BEFORE`. Each draft is handled in its own transaction, notice and change together, so a re-run
    (or a run after a worker died) sends no notice twice; a draft saved meanwhile is left alone."""
    now = now or timezone.now()
    cutoff = now - LIFETIME
    counts = {"deleted": 0, "reminded": 0}
    for pk in list(Draft.objects.filter(updated_at__lte=cutoff).values_list("pk", flat=True)):
        with transaction.atomic():
            draft = Draft.objects.select_for_update().filter(pk=pk, updated_at__lte=cutoff).first()
            if draft is None:
                continue
            code = draft.service_code
            notify_translated(
                draft.user,
                "draft.expired",
                partial(_expired_notice, code),
                {"type": "draft", "id": pk, "service": code},
            )
            draft.delete()
            counts["deleted"] += 1
    soon = Draft.objects.filter(updated_at__lte=cutoff + REMINDER_BEFORE, updated_at__gt=cutoff, reminded_at=None)
    for pk in list(soon.values_list("pk", flat=True)):
        with transaction.atomic():
            draft = Draft.objects.select_for_update().filter(pk=pk, reminded_at=None).first()
            if draft is None or draft.updated_at > cutoff + REMINDER_BEFORE:
                continue
            code, day = draft.service_code, timezone.localdate(expires_at(draft)).isoformat()
            notify_translated(
                draft.user,
                "draft.expiring",
                partial(_expiring_notice, code, day),
                {"type": "draft", "id": pk, "service": code},
            )
            draft.reminded_at = now
            draft.save(update_fields=["reminded_at"])
            counts["reminded"] += 1
    return counts
