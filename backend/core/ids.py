"""Object ids from a URL path, a query string or a request body: one bound, checked where the id enters.

Every primary key is a ``BigAutoField`` (``DEFAULT_AUTO_FIELD``; no model overrides it), so an id is an integer in
``1..2**63-1`` on SQLite and PostgreSQL alike. A number outside that range names no row, but it is not harmless:
the ORM sends foreign-key (``venue_id=``) and ``__in`` lookups to the database as they are, and the database
refuses them (SQLite ``OverflowError``, PostgreSQL "bigint out of range") — a 500 where the client made a mistake.

The rule (docs/CHANGES.md):

- **path**: ``<id:pk>`` matches only ids in range; anything else (``0``, ``-1``, ``abc``, 10**26) does not resolve,
  so it is a 404 like any id that names nothing;
- **query string or body**: :func:`parse_id` accepts a JSON integer or a string of ASCII digits in range and
  answers anything else with 400 ``validation_error`` naming the parameter (``?venue=abc``, ``{"slot": 1e30}``);
  an id in range that names nothing stays what it was (404 or an empty list).

The schema carries the same bounds (``PATH_CONVERTER_OVERRIDES`` in settings, :func:`id_parameter`,
:class:`IdField`), so schemathesis' coverage phase sends the out-of-range values on every run instead of by luck.
"""

from __future__ import annotations

from typing import Any

from django.urls import register_converter
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from .errors import DomainError

ID_MIN = 1
ID_MAX = 2**63 - 1  # BigAutoField: a signed 64-bit integer on every database Django supports
ID_SCHEMA: dict[str, Any] = {"type": "integer", "format": "int64", "minimum": ID_MIN, "maximum": ID_MAX}


def id_or_none(value: Any) -> int | None:
    """The id ``value`` spells, or None: a JSON integer (not a bool) or ASCII digits only, within the bound.

    ``" 1"``, ``"1e3"``, ``"+1"``, ``"1_000"``, ``"١"`` (Arabic-Indic one), ``1.0`` and ``true`` are not ids even
    though ``int()`` would take them."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 25:
        number = int(value)
    else:
        return None
    return number if ID_MIN <= number <= ID_MAX else None


def parse_id(value: Any, name: str) -> int:
    """``value`` as an id, or 400 ``validation_error`` with ``fields={name: …}``."""
    number = id_or_none(value)
    if number is None:
        raise DomainError(
            "validation_error",
            _("参数无效。"),
            fields={name: [_("须为 1 到 %(max)d 之间的整数编号。") % {"max": ID_MAX}]},
        )
    return number


class IdConverter:
    """``<id:pk>``: an id within the bound; anything else does not resolve (→ 404)."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = id_or_none(value)
        if number is None:
            raise ValueError(f"not an id: {value!r}")  # Django reads ValueError as "this pattern does not match"
        return number

    def to_url(self, value: Any) -> str:
        return str(value)


register_converter(IdConverter, "id")


def id_parameter(name: str, description: str = "") -> OpenApiParameter:
    """A query parameter that is an id, with the bound in the schema."""
    return OpenApiParameter(name, ID_SCHEMA, description=description)


class IdField(serializers.IntegerField):
    """A body field that is an id (schema and validation carry the bound)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", ID_MIN)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)
