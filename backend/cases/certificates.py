"""E-certificates (电子证照): issued with an approval, verifiable by code or QR, revoked with the case."""

from __future__ import annotations

import base64
import io
import secrets
from typing import Any

import qrcode
from django.utils import timezone

from .models import Case, Certificate

VERIFY_PATH = "/api/v1/certificates/verify/"


def new_code() -> str:
    """16 base32 characters in groups of four: unguessable (80 bits) and readable aloud at a counter."""
    raw = base64.b32encode(secrets.token_bytes(10)).decode()
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def issue(case: Case, title_zh: str, title_en: str, data: dict[str, Any]) -> Certificate:
    return Certificate.objects.create(
        code=new_code(), case=case, holder=case.resident, title_zh=title_zh, title_en=title_en, data=data
    )


def revoke(case: Case) -> None:
    Certificate.objects.filter(case=case, revoked_at__isnull=True).update(revoked_at=timezone.now())


def qr_png_data_uri(url: str) -> str:
    image = qrcode.make(url, box_size=6, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
