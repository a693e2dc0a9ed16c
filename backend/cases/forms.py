"""The one JSON-Schema check of a service form, for a real application and for an eligibility question alike.

Service forms are JSON Schema because the app renders them from the schema; the server validates with the same
schema (docs/ARCHITECTURE.md, "form validation"). Submission and resubmission (``cases.services.validate_form``)
and the catalogue's eligibility dry run (``catalogue.services.partial_form``) both call :func:`form_errors`, so a
value refused on one path is refused, with the same message, on the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jsonschema


def form_errors(schema: Mapping[str, Any], form: Any) -> dict[str, list[str]]:
    """Every violation of ``schema`` by ``form``, keyed by the dotted path of the field (``form`` for the whole),
    in path order, with every message of a field. Empty when the form is valid."""
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    fields: dict[str, list[str]] = {}
    for error in sorted(validator.iter_errors(form), key=lambda e: list(e.path)):
        fields.setdefault(".".join(str(p) for p in error.path) or "form", []).append(error.message)
    return fields


def without_required(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The schema with nothing required: for judging the values given so far (missing ones are not judged yet)."""
    return {**schema, "required": []}
