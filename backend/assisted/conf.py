"""Settings of assisted filing, each read at call time with a default (so ``override_settings`` works in tests)."""

from __future__ import annotations

from django.conf import settings


def session_minutes() -> int:
    """How long a session stays open after the identity check (default 30 minutes)."""
    return int(getattr(settings, "ASSISTED_SESSION_MINUTES", 30))


def code_ttl_seconds() -> int:
    """How long an SMS confirmation code is valid (default 5 minutes)."""
    return int(getattr(settings, "ASSISTED_CODE_TTL_SECONDS", 300))


def code_max_attempts() -> int:
    """Wrong entries of one code before it is void (default 5); a new code may then be sent."""
    return int(getattr(settings, "ASSISTED_CODE_MAX_ATTEMPTS", 5))


def code_resend_seconds() -> int:
    """The shortest wait between two codes of one session (default 60 seconds)."""
    return int(getattr(settings, "ASSISTED_CODE_RESEND_SECONDS", 60))


def max_codes() -> int:
    """Codes one session may send (default 3): an SMS costs money and bothers the resident."""
    return int(getattr(settings, "ASSISTED_MAX_CODES", 3))


def face_max_attempts() -> int:
    """Failed face comparisons per session (default 3); then the ID card and an SMS code remain."""
    return int(getattr(settings, "ASSISTED_FACE_MAX_ATTEMPTS", 3))
