"""E-certificates (电子证照) with a QR code anyone can scan to check them."""

from __future__ import annotations

import base64
import io
from typing import Any

import flet as ft

from mobileapp import ui
from mobileapp.api import NotAvailable
from mobileapp.app import Screen
from mobileapp.screens.common import coming_soon
from mobileapp.state import short_date


def verify_code(cert: dict[str, Any]) -> str:
    for key in ("code", "verification_code", "verify_code", "number", "certificate_no"):
        if cert.get(key):
            return str(cert[key])
    return str(cert.get("id", ""))


def verify_url(api_base: str, cert: dict[str, Any]) -> str:
    if cert.get("verify_url"):
        return str(cert["verify_url"])
    return f"{api_base}/api/v1/certificates/verify/{verify_code(cert)}"


def qr_image(api_base: str, cert: dict[str, Any]) -> bytes | None:
    """The server's QR (a PNG data URI) when it sends one, else drawn here from the verification URL."""
    qr = cert.get("qr")
    if isinstance(qr, str) and qr.startswith("data:image/png;base64,"):
        try:
            return base64.b64decode(qr.split(",", 1)[1])
        except ValueError:
            pass
    return qr_png(verify_url(api_base, cert))


def qr_png(data: str) -> bytes | None:
    """The QR code as PNG bytes (``qrcode`` + Pillow); None if they are not installed."""
    try:
        import qrcode
    except ImportError:  # pragma: no cover
        return None
    qr = qrcode.QRCode(border=2, box_size=8, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(data)
    qr.make(fit=True)
    image = qr.make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


DETAIL_LABELS = {
    "school": ("学校", "School"),
    "category": ("类别", "Category"),
    "enrolment_year": ("入学年份", "Enrolment year"),
    "monthly_amount": ("每月补贴", "Monthly amount"),
    "months": ("月数", "Months"),
    "total": ("总额", "Total"),
    "amount": ("金额", "Amount"),
    "waitlist_number": ("轮候号", "Waitlist number"),
}


class CertificatesScreen(Screen):
    tab = "me"

    def __init__(self, app) -> None:
        super().__init__(app)
        self.certs: list[dict[str, Any]] = []
        self.unavailable = False
        self.open_id: Any = None

    def title(self) -> str:
        return self.t("certs.title")

    async def load(self) -> None:
        try:
            self.certs = await self.api.certificates()
            self.unavailable = False
        except NotAvailable:
            self.unavailable = True
        if self.certs and self.open_id is None:
            self.open_id = self.certs[0].get("id")

    def build(self) -> list[ft.Control]:
        look = self.look
        if self.unavailable:
            return [coming_soon(self, ft.Icons.BADGE_OUTLINED)]
        if not self.certs:
            return [ui.empty(look, self.t("certs.empty"), ft.Icons.BADGE_OUTLINED)]
        out: list[ft.Control] = []
        for cert in self.certs:
            out.append(self._cert(cert, expanded=cert.get("id") == self.open_id))
        return out

    def _cert(self, cert: dict[str, Any], expanded: bool) -> ft.Control:
        look = self.look
        valid = bool(cert.get("valid", cert.get("status", "valid") in ("valid", "active", "issued")))
        title = str(cert.get("title") or cert.get("name") or cert.get("kind") or "")
        head = ft.Row(
            [
                ft.Icon(ft.Icons.BADGE, color=look.primary if valid else look.text3, size=look.icon(28)),
                ft.Column(
                    [
                        ui.text(look, title, 16, weight=ft.FontWeight.BOLD),
                        ui.text(
                            look, self.t("certs.issued", date=short_date(cert.get("issued_at"))), 13, color=look.text3
                        ),
                    ],
                    spacing=2,
                    expand=True,
                ),
                ui.tag(
                    look,
                    self.t("certs.valid") if valid else self.t("certs.invalid"),
                    look.success if valid else look.danger,
                    look.success_soft if valid else look.danger_soft,
                ),
            ],
            spacing=10,
        )
        parts: list[ft.Control] = [head]
        if expanded:
            for key in ("holder", "holder_name", "subject"):
                if cert.get(key):
                    parts.append(ui.kv(look, self.t("me.name"), str(cert[key])))
                    break
            if cert.get("reference_no"):
                parts.append(ui.kv(look, self.t("decision.reference"), str(cert["reference_no"])))
            details = cert.get("data") or cert.get("details") or {}
            if isinstance(details, dict):
                for k, v in details.items():
                    if k in ("type", "certificate_id", "certificate_code"):
                        continue
                    label = DETAIL_LABELS.get(k)
                    name = (label[1] if self.state.language == "en" else label[0]) if label else k
                    parts.append(ui.kv(look, name, str(v)))
            if cert.get("valid_until"):
                parts.append(ui.kv(look, self.t("certs.valid_until"), short_date(cert.get("valid_until"))))
            code = verify_code(cert)
            png = qr_image(self.api.base_url, cert)
            if png:
                parts.append(
                    ft.Container(
                        content=ft.Image(src=png, width=look.fs(180), height=look.fs(180)),
                        alignment=ft.Alignment.CENTER,
                        padding=8,
                    )
                )
            parts.append(ui.text(look, self.t("certs.qr_hint"), 13, color=look.text3, align=ft.TextAlign.CENTER))
            parts.append(ui.kv(look, self.t("certs.verify_code"), code, bold=True))
        return ui.card(
            look,
            ft.Column(parts, spacing=10, horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
            on_click=self.handler(self.toggle, cert.get("id")),
            identifier=f"certificate_{cert.get('id')}",
        )

    async def toggle(self, cert_id: Any) -> None:
        self.open_id = None if self.open_id == cert_id else cert_id
        self.render()
