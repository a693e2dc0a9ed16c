"""What a bundle declaration implies, derived from its members (pure functions, no database).

The resident fills one form for the whole bundle: the union of the members' forms, minus the answers the bundle
fixes, with each member's field under its shared name (``Member.answers``). Two members asking under one name ask
the same question once, so their schemas must agree; a member's required field stays required. Each member then
gets its own form back from the shared one (:func:`member_form`), and the members' own checks (JSON Schema,
``clean``) judge it as they judge a single application.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from .plugins import Member, ServiceBundle, ServiceModule


def shared_form(bundle: ServiceBundle, services: Mapping[str, ServiceModule]) -> dict[str, Any]:
    """The bundle's form (JSON Schema): only what no member's registry knows and the bundle does not fix.

    Raises ``ImproperlyConfigured`` when two members put different questions under one shared name (discovery
    reports it as system check ``yiwang.E102``). Members missing from ``services`` are left out."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    owners: dict[str, str] = {}
    for member in bundle.members:
        service = services.get(member.service)
        if service is None:
            continue
        schema = service.form.get("properties", {})
        for name in member.fixed:
            if name not in schema:
                raise ImproperlyConfigured(f"bundle {bundle.code}: {member.service} has no form field {name!r} to fix")
        for name in member.answers:
            if name not in schema:
                raise ImproperlyConfigured(f"bundle {bundle.code}: {member.service} has no form field {name!r}")
        for name, field_schema in schema.items():
            if name in member.fixed:
                continue
            shared = member.shared_name(name)
            if shared in properties and properties[shared] != field_schema:
                raise ImproperlyConfigured(
                    f"bundle {bundle.code}: the shared field {shared!r} means different things to "
                    f"{owners[shared]} and {member.service}; map one of them elsewhere (Member.answers)"
                )
            properties[shared] = field_schema
            owners.setdefault(shared, member.service)
            if name in service.form.get("required", []) and shared not in required:
                required.append(shared)
    form: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        form["required"] = required
    return form


def member_form(member: Member, service: ServiceModule, shared: Mapping[str, Any]) -> dict[str, Any]:
    """The member's own form from the shared answers: its fields under their own names, the fixed ones set."""
    form = {
        name: shared[member.shared_name(name)]
        for name in service.form.get("properties", {})
        if name not in member.fixed and member.shared_name(name) in shared
    }
    return {**form, **member.fixed}


def shared_field_errors(member: Member, fields: Mapping[str, Any]) -> dict[str, Any]:
    """A member's form errors, keyed by the shared form's names (what the resident filled in)."""
    return {member.shared_name(name): errors for name, errors in fields.items()}


def check_declaration(bundle: ServiceBundle, origin: str) -> None:
    """The shape of a declaration, before any member is looked up: names, at least two distinct members, ``after``
    naming members of the same bundle, and no member waiting (directly or not) for itself."""
    for attr in ("code", "name", "category"):
        if not getattr(bundle, attr, None):
            raise ImproperlyConfigured(f"{origin} lacks `{attr}`")
    codes = [m.service for m in bundle.members]
    if len(codes) < 2 or len(set(codes)) != len(codes):
        raise ImproperlyConfigured(f"{origin}: a bundle needs at least two distinct members, got {codes}")
    for member in bundle.members:
        for upstream in member.after:
            if upstream not in codes:
                raise ImproperlyConfigured(f"{origin}: {member.service} waits for {upstream!r}, not a member")
        if member.service in bundle.upstream_of(member.service):
            raise ImproperlyConfigured(f"{origin}: {member.service} waits for itself (a cycle in `after`)")
