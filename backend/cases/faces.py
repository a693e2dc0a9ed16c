"""The case engine's side of the face check: a verified challenge for a case runs its decision."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend.accounts.models import User

from . import services
from .serializers import CaseSerializer


def resolve_face_target(user: User, payload: Mapping[str, Any]) -> int:
    return services.check_face_target(user, payload.get("case"))


def on_face_verified(user: User, case_id: Any) -> dict[str, Any]:
    case = services.identity_verified(user, int(case_id), method="face")
    return {"case": CaseSerializer(case).data}
