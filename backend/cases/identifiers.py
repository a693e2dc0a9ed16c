"""Identity numbers in application forms, at rest.

A service marks the form fields that identify a person with ``x-identifier`` in its JSON Schema (a child's ID
number for school enrolment). The case keeps the form *masked* in ``Case.form`` — what every screen and API shows
anyway — and the full values sealed in ``Case.sealed_identifiers`` (encrypted, bound to the case's reference
number), so a database dump or a read replica does not hand out the numbers. The rules, which do need them, read
:func:`full_form`.

A service can also name one identifier as the application's *subject* (``ServiceModule.subject_field``: the person
the application is for, when that is not the applicant). Its blind index is stored in ``Case.subject_index`` —
indexed together with the service code — so "one application per child" is a single index lookup instead of a
scan of every enrolment's JSON.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from backend.core import crypto
from backend.core.masking import mask_account, mask_id_number, mask_phone
from backend.registries import idnumbers

if TYPE_CHECKING:
    from .models import Case
    from .plugins import ServiceModule

PURPOSE = b"case-form-identifiers"
MASKERS = {"id_number": mask_id_number, "phone": mask_phone, "account": mask_account}


def identifier_fields(service: ServiceModule | None) -> dict[str, str]:
    """Form field → identifier kind (``id_number``, ``phone``, ``account``) as the service's schema declares."""
    properties = service.form.get("properties", {}) if service else {}
    return {key: schema["x-identifier"] for key, schema in properties.items() if schema.get("x-identifier")}


def mask(service: ServiceModule | None, form: dict[str, Any]) -> dict[str, Any]:
    """The form with every identifier masked (masking a masked value leaves it as it is)."""
    masked = dict(form or {})
    for key, kind in identifier_fields(service).items():
        if isinstance(masked.get(key), str):
            masked[key] = MASKERS.get(kind, mask_id_number)(masked[key])
    return masked


def _context(case: Case) -> bytes:
    return b"case:" + case.reference_no.encode("utf-8")


def store_form(case: Case, service: ServiceModule, form: dict[str, Any]) -> None:
    """Set the case's form from a validated submission: masked in ``form``, identifiers sealed, subject indexed."""
    secret = {key: form[key] for key in identifier_fields(service) if isinstance(form.get(key), str)}
    case.form = mask(service, form)
    case.sealed_identifiers = (
        crypto.encrypt(json.dumps(secret, sort_keys=True).encode("utf-8"), context=_context(case), purpose=PURPOSE)
        if secret
        else ""
    )
    subject = form.get(service.subject_field) if service.subject_field else None
    case.subject_index = idnumbers.id_index(subject) if isinstance(subject, str) and subject else ""


def full_form(case: Case) -> dict[str, Any]:
    """The form as submitted, identifiers included (raises ``crypto.Unreadable`` if no configured key opens it)."""
    return _unseal(case, with_secret_derived=False)


def unmask_unchanged(case: Case, service: ServiceModule, form: Any) -> Any:
    """A resubmitted form may carry identifiers back exactly as we showed them (masked): that means "unchanged",
    so the stored full value is kept. Anything else the resident typed is taken as the new value."""
    if not isinstance(form, dict):
        return form
    full = full_form(case)
    shown = mask(service, full)
    return {
        key: full[key] if key in full and value == shown.get(key) != full[key] else value for key, value in form.items()
    }


def rotate_cases(*, from_secret_key: bool = False, batch: int = 500) -> int:
    """Re-seal form identifiers and re-index subjects under the current keys; returns how many cases changed."""
    from backend.core.batches import locked_batches

    from .models import Case

    todo = Case.objects.exclude(sealed_identifiers="", subject_index="")
    return sum(_rotate(case, from_secret_key) for rows in locked_batches(todo, batch) for case in rows)


def _rotate(case: Case, from_secret_key: bool) -> bool:
    from .discovery import get_service

    service = get_service(case.service_code)
    old = (case.form, case.sealed_identifiers, case.subject_index)
    if service is None:  # an uninstalled service: its fields are unknown, keep the token readable
        if case.sealed_identifiers:
            case.sealed_identifiers = crypto.rotate(
                case.sealed_identifiers, purpose=PURPOSE, with_secret_derived=from_secret_key
            )
    else:
        store_form(case, service, _unseal(case, with_secret_derived=from_secret_key))
        if case.subject_index == old[2] and (not old[1] or crypto.is_current(old[1], purpose=PURPOSE)):
            case.sealed_identifiers = old[1]  # already under the current keys: leave the row alone
    if (case.form, case.sealed_identifiers, case.subject_index) == old:
        return False
    case.save(update_fields=["form", "sealed_identifiers", "subject_index"])
    return True


def _unseal(case: Case, *, with_secret_derived: bool) -> dict[str, Any]:
    form = dict(case.form or {})
    if case.sealed_identifiers:
        plain = crypto.decrypt(
            case.sealed_identifiers, context=_context(case), purpose=PURPOSE, with_secret_derived=with_secret_derived
        )
        form.update(json.loads(plain))
    return form
