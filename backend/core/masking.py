"""Masking of personal identifiers (DESIGN §3.2): full values never leave the server in API responses.

The formats follow what residents know from Chinese apps: ``410105********1234``, ``138****0001``.
"""

from __future__ import annotations


def mask_id_number(value: str | None) -> str:
    """18-digit resident ID → first 6 (region) + 8 stars + last 4."""
    if not value:
        return ""
    if len(value) <= 10:
        return value[:1] + "*" * (len(value) - 1)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def national_phone(value: str | None) -> str:
    """E.164 mainland numbers (+8613800000001) are shown in their national form."""
    if not value:
        return ""
    return value[3:] if value.startswith("+86") else value


def mask_phone(value: str | None) -> str:
    """138****0001: keep the carrier prefix and the last four digits."""
    phone = national_phone(value)
    if len(phone) < 8:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_account(value: str | None) -> str:
    """Bank cards and account numbers: the last four digits identify it to its owner; nothing else is shown."""
    if not value:
        return ""
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


def mask_name(value: str | None) -> str:
    """高远 → 高*, 马小超 → 马*超: the familiar Chinese pattern; first + last letter for Latin names."""
    if not value:
        return ""
    if len(value) == 1:
        return "*"
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


def mask_address(value: str | None) -> str:
    """Keep the city and district part of an address, hide the house number."""
    if not value:
        return ""
    keep = max(6, len(value) // 2)
    return value[:keep] + "*" * (len(value) - keep)
