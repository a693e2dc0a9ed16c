"""Mainland mobile numbers: residents type 13800000001, allauth wants E.164 (+8613800000001)."""

from __future__ import annotations

import re

MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")
E164_MAINLAND = re.compile(r"^\+861[3-9]\d{9}$")


def to_e164(value: str) -> str:
    """Normalise a mainland mobile number to E.164; anything else is returned unchanged for validation."""
    phone = value.strip().replace(" ", "").replace("-", "")
    if phone.startswith("0086"):
        phone = "+" + phone[2:]
    if MAINLAND_MOBILE.match(phone):
        return "+86" + phone
    if phone.startswith("86") and MAINLAND_MOBILE.match(phone[2:]):
        return "+" + phone
    return phone


def is_mainland_mobile(value: str) -> bool:
    return bool(E164_MAINLAND.match(to_e164(value)))
