"""Input serializer fields for values that a domain function judges, with the error code the contract gives them.

Every endpoint reads its body through one input serializer (``is_valid(raise_exception=True)`` in the view), which
also describes the body in the OpenAPI schema. Most checks of a value are business rules with a code of their own
(``invalid_location``, ``reason_required``, a score of 1..5, a form against its service's JSON Schema) and several
run only after the object has been found to be the caller's (another resident's case is 404 whatever the body:
tests/security/test_authorisation_first.py). Such a value is declared with :class:`Judged`: the schema shows the
``documented`` field as the contract states it, and the serializer hands the value on as sent, so the rule stays
in one place, the domain function, with its code and message. What the serializer does check is the envelope:
the body must be an object (``validation_error`` with ``non_field_errors`` otherwise).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers
from rest_framework.fields import empty


def validated(serializer: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """``data`` through the endpoint's input serializer: its validated values, or 400 ``validation_error``."""
    payload = serializer(data=data)
    payload.is_valid(raise_exception=True)
    return dict(payload.validated_data)


def single(data: Any, name: str) -> Any:
    """One value of ``name``: the first when a list is sent (form encodings and Open311 clients repeat keys)."""
    value = data.get(name) if hasattr(data, "get") else None
    return value if not isinstance(value, list) else (value[0] if value else None)


class Judged(serializers.Field):
    """A value passed on as sent, for the domain function to judge; ``documented`` is what the schema shows.

    ``single``: the first of a list (:func:`single`). ``text``: ``str(value or "")``, for free text the domain
    takes as a string. A missing value is ``None`` (or ``""`` with ``text``), never an error here: whether it is
    required is the domain's rule (e.g. a reason only for reject/return/revoke)."""

    def __init__(self, documented: serializers.Field, *, single: bool = False, text: bool = False) -> None:
        super().__init__(required=documented.required, help_text=documented.help_text)
        self.documented = documented
        self.single = single
        self.text = text

    def get_value(self, dictionary: Mapping[str, Any]) -> Any:
        name = self.field_name or ""  # None only before the field is bound to its serializer
        if self.single:
            return single(dictionary, name)
        return dictionary.get(name) if hasattr(dictionary, "get") else None

    def run_validation(self, data: Any = empty) -> Any:
        value = None if data is empty else data
        return str(value or "") if self.text else value

    def to_representation(self, value: Any) -> Any:
        return value


class JudgedExtension(OpenApiSerializerFieldExtension):
    """The schema of a :class:`Judged` field is its ``documented`` field's."""

    target_class = Judged
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> Any:
        documented = self.target.documented
        schema = auto_schema._map_serializer_field(documented, direction)
        auto_schema._insert_field_validators(documented, schema)  # maxLength, minimum...: as the contract states
        return schema
