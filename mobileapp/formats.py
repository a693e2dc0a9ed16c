"""How the app writes the server's values: dates in the city's time, money, registry values, labels of codes.

Plain Python (no Flet), one place for each: screens and controllers call these instead of formatting inline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from mobileapp import i18n

Translate = Callable[..., str]  # a screen's ``t`` / :class:`mobileapp.i18n.Translator`

CITY_TZ = dt.timezone(dt.timedelta(hours=8))  # Asia/Shanghai (no daylight saving)


def parse_time(value: str | None) -> dt.datetime | None:
    """An API timestamp (ISO 8601 with offset) or date (``YYYY-MM-DD``); None when absent or unreadable."""
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        try:
            return dt.datetime.combine(dt.date.fromisoformat(value[:10]), dt.time())
        except ValueError:
            return None


def _in_city(value: str | None, pattern: str) -> str:
    parsed = parse_time(value)
    if parsed is None:
        return value or ""
    if parsed.tzinfo:
        parsed = parsed.astimezone(CITY_TZ)
    return parsed.strftime(pattern)


def short_date(value: str | None) -> str:
    """``2026-03-01`` in the city's time zone (a timestamp near midnight UTC is already the next day there)."""
    return _in_city(value, "%Y-%m-%d")


def short_datetime(value: str | None) -> str:
    return _in_city(value, "%Y-%m-%d %H:%M")


def money(amount: Any) -> str:
    """An amount as the server sends it (a decimal string in yuan, e.g. ``"4500.00"``): never re-rounded here."""
    return f"¥{amount}"


def registry_value(value: Any, language: str = i18n.DEFAULT_LANGUAGE) -> str:
    """A registry value (masked by the server) as lines of text: records one per line, fields labelled."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return i18n.translate("common.yes" if value else "common.no", language)
    if isinstance(value, dict):
        parts = []
        for k, v in value.items():
            label = i18n.field_label(k, language)
            parts.append(f"{label}：{registry_value(v, language)}" if label else registry_value(v, language))
        return "；".join(parts)
    if isinstance(value, list):
        if not value:
            return i18n.translate("consent.none", language)
        return "\n".join(registry_value(v, language) for v in value)
    return str(value)


def label_or(translate: Translate, key: str, fallback: str) -> str:
    """The app's word for ``key``, or ``fallback`` (the server's label or the raw code) when the app has none."""
    text = translate(key)
    return fallback if text == key else text


def case_status(translate: Translate, case: Any) -> str:
    """The app's short status word; the server's ``status_label`` for a status the app does not know."""
    return label_or(translate, f"status.{case['status']}", case["status_label"])


def event_status(translate: Translate, status: str) -> str:
    return label_or(translate, f"events.status.{status}", status)


def certificate_field(translate: Translate, key: str) -> str:
    """The label of a member of a certificate's ``data`` (the key itself for one the app has no word for)."""
    return label_or(translate, f"certs.field.{key}", key)
