"""The case engine's side of the face check (purpose ``"case"``, registered in :mod:`backend.cases.apps`).

Domain only: which case a challenge is for, and what a verified face does to it. How the verify answer shows the
case is the API layer's business (:mod:`backend.cases.face_api`), so this module imports no serializer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend.accounts.models import User
from backend.faceauth.purposes import FaceCheck

from . import services
from .models import Case


def resolve_face_target(user: User, payload: Mapping[str, Any]) -> int:
    """The caller's own case waiting for a face check (404 for another's, 409 for one in another state, or for the
    face that is not due: ``"face": "principal"`` asks for the principal's own face on a delegate's phone)."""
    principal = True if payload.get("face") == "principal" else None
    return services.check_face_target(user, payload.get("case"), principal_face=principal)


def face_verified(user: User, case_id: Any, check: FaceCheck | None = None) -> Case:
    """A verified face for the case (inside the caller's transaction): whose face it was decides whether the
    decision runs now or, on a case that wants the principal in person, after the principal's own face."""
    if check is None:  # a clerk saw the applicant in person (``mark_identity_verified_in_person``): no face order
        return services.identity_verified(user, int(case_id), method="face")
    own_face = getattr(check.face_of, "pk", None) == user.pk
    return services.face_verified(user, int(case_id), own_face=own_face)
