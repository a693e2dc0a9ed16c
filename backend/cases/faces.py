"""The case engine's side of the face check (purpose ``"case"``, registered in :mod:`backend.cases.apps`).

Domain only: which case a challenge is for, and what a verified face does to it. How the verify answer shows the
case is the API layer's business (:mod:`backend.cases.face_api`), so this module imports no serializer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend.accounts.models import User

from . import services
from .models import Case


def resolve_face_target(user: User, payload: Mapping[str, Any]) -> int:
    """The caller's own case waiting for a face check (404 for another's, 409 for one in another state)."""
    return services.check_face_target(user, payload.get("case"))


def face_verified(user: User, case_id: Any) -> Case:
    """A verified face for the case: its decision runs now (inside the caller's transaction)."""
    return services.identity_verified(user, int(case_id), method="face")
