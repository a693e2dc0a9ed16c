"""The API side of the ``"case"`` face purpose: faceauth puts what :func:`on_face_verified` returns into its verify
answer (``{"verified": true, ..., "case": {...}}``), so the case is shown exactly as the resident API shows it."""

from __future__ import annotations

from typing import Any

from backend.accounts.models import User
from backend.faceauth.purposes import FaceCheck

from .faces import face_verified
from .serializers import CaseSerializer


def on_face_verified(user: User, case_id: Any, check: FaceCheck | None = None) -> dict[str, Any]:
    return {"case": CaseSerializer(face_verified(user, case_id, check)).data}
