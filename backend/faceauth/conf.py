"""Settings of the face API, each read at call time with a default (so ``override_settings`` works in tests).

Deployments set them in ``backend/settings.py`` or, for the ones settings.py reads from the environment
(``FACE_LIVENESS``, ``FIELD_ENCRYPTION_KEYS``), through the environment. Every name is documented in
docs/FACE_API.md.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .engine import MATCH_THRESHOLD
from .engine.liveness import MAX_FRAMES as ENGINE_MAX_FRAMES

LIVENESS_MODES = ("off", "active")


def _get(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def liveness_mode() -> str:
    """``off`` (stills accepted) or ``active`` (blink/turn actions in frames). Anything else is a deploy error."""
    mode = str(_get("FACE_LIVENESS", "off") or "off").strip().lower()
    if mode not in LIVENESS_MODES:
        raise ImproperlyConfigured(f"FACE_LIVENESS must be one of {LIVENESS_MODES}, got {mode!r}")
    return mode


def liveness_active() -> bool:
    return liveness_mode() == "active"


def match_threshold() -> float:
    """Same person if the encoding distance is at most this (default: the engine's measured threshold)."""
    return float(_get("FACE_MATCH_THRESHOLD", MATCH_THRESHOLD))


def challenge_ttl_seconds() -> int:
    """How long a challenge may be used after it was issued."""
    return int(_get("FACE_CHALLENGE_TTL_SECONDS", 180))


def challenge_max_attempts() -> int:
    """Failed verifications one challenge tolerates before it is spent."""
    return int(_get("FACE_CHALLENGE_MAX_ATTEMPTS", 3))


def lock_max_failures() -> int:
    """Failed face checks (verification or enrolment mismatch) within the window that lock the user."""
    return int(_get("FACE_LOCK_MAX_FAILURES", 5))


def lock_window_seconds() -> int:
    """Failures older than this (counted from the first failure of the window) are forgotten."""
    return int(_get("FACE_LOCK_WINDOW_SECONDS", 15 * 60))


def lock_seconds() -> int:
    """How long face checks stay locked once the limit is reached."""
    return int(_get("FACE_LOCK_SECONDS", 15 * 60))


def min_frames() -> int:
    """Fewest frames accepted for an active-liveness verification."""
    return int(_get("FACE_MIN_FRAMES", 2))


def max_frames() -> int:
    """Most frames accepted per verification (each costs one encoding, ~0.2-0.4 s of CPU); capped by the engine."""
    return min(int(_get("FACE_MAX_FRAMES", 30)), ENGINE_MAX_FRAMES)


def max_upload_bytes() -> int:
    """Largest face request body; uploads are kept in memory only, never spooled to a temporary file."""
    return int(_get("FACE_MAX_UPLOAD_BYTES", 32 * 1024 * 1024))


def frames_mirrored() -> bool:
    """Deployment switch for clients whose camera frames arrive mirrored (selfie preview); never client-chosen."""
    return bool(_get("FACE_FRAMES_MIRRORED", False))


def seen_frame_ttl_seconds() -> int:
    """How long digests of accepted liveness frames are kept to refuse replays."""
    return int(_get("FACE_SEEN_FRAME_TTL_SECONDS", 7 * 24 * 3600))


def registry_cache_size() -> int:
    """Registry-photo encodings kept in process memory (keyed by the photo's SHA-256), 0 to disable."""
    return int(_get("FACE_REGISTRY_CACHE_SIZE", 256))
