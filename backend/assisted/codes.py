"""SMS confirmation codes of an assisted session: six digits, only a keyed hash kept.

Keyed (HMAC with the server's index key), not a plain hash: a plain SHA-256 of a six-digit code is reversed by
trying a million values. The session id is part of the hashed value, so a code never confirms another session.
"""

from __future__ import annotations

import hmac
import secrets

from backend.core import crypto

PURPOSE = b"assisted-confirmation-code"
DIGITS = 6


def new_code() -> str:
    return f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"


def digest(session_id: int, code: str) -> str:
    return crypto.blind_index(f"{session_id}:{code}", purpose=PURPOSE)


def matches(session_id: int, code: object, stored: str) -> bool:
    """Does ``code`` (as typed: spaces are ignored) match the stored digest? Constant-time comparison."""
    if not stored or not isinstance(code, str):
        return False
    typed = "".join(code.split())
    if len(typed) != DIGITS or not typed.isdigit():
        return False
    return hmac.compare_digest(digest(session_id, typed), stored)
