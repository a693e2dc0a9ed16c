"""E-certificates (电子证照) with a QR code anyone can scan to check them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from mobileapp import formats, ui
from mobileapp.api import Certificate
from mobileapp.controllers.certificates import CertificatesController, qr_png
from mobileapp.formats import short_date
from mobileapp.screens.base import Screen
from mobileapp.screens.common import coming_soon

if TYPE_CHECKING:
    from mobileapp.app import App

# members of a certificate's data that are bookkeeping, not something to show
HIDDEN_DATA = ("type", "certificate_id", "certificate_code")


class CertificatesScreen(Screen):
    tab = "me"

    def __init__(self, app: App) -> None:
        super().__init__(app)
        self.ctrl = CertificatesController(self.api)
        self.open_id: int | None = None

    def title(self) -> str:
        return self.t("certs.title")

    async def load(self) -> None:
        certs = await self.ctrl.load()
        if certs and self.open_id is None:
            self.open_id = certs[0]["id"]

    def build(self) -> list[ft.Control]:
        look = self.look
        if not self.ctrl.available:
            return [coming_soon(self, ft.Icons.BADGE_OUTLINED)]
        if not self.ctrl.certificates:
            return [ui.empty(look, self.t("certs.empty"), ft.Icons.BADGE_OUTLINED)]
        out: list[ft.Control] = []
        for cert in self.ctrl.certificates:
            out.append(self._cert(cert, expanded=cert["id"] == self.open_id))
        return out

    def _cert(self, cert: Certificate, expanded: bool) -> ft.Control:
        look = self.look
        valid = cert["valid"]
        title = cert["title"]
        head = ft.Row(
            [
                ft.Icon(ft.Icons.BADGE, color=look.primary if valid else look.text3, size=look.icon(28)),
                ft.Column(
                    [
                        ui.text(look, title, 16, weight=ft.FontWeight.BOLD),
                        ui.text(look, self.t("certs.issued", date=short_date(cert["issued_at"])), 13, color=look.text3),
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
            if cert["reference_no"]:
                parts.append(ui.kv(look, self.t("decision.reference"), cert["reference_no"]))
            for k, v in cert["data"].items():
                if k not in HIDDEN_DATA:
                    parts.append(ui.kv(look, formats.certificate_field(self.t, k), str(v)))
            if cert["valid_until"]:
                parts.append(ui.kv(look, self.t("certs.valid_until"), short_date(cert["valid_until"])))
            png = qr_png(cert)
            if png:
                parts.append(
                    ft.Container(
                        content=ft.Image(src=png, width=look.fs(180), height=look.fs(180)),
                        alignment=ft.Alignment.CENTER,
                        padding=8,
                    )
                )
            parts.append(ui.text(look, self.t("certs.qr_hint"), 13, color=look.text3, align=ft.TextAlign.CENTER))
            parts.append(ui.kv(look, self.t("certs.verify_code"), cert["code"], bold=True))
        return ui.card(
            look,
            ft.Column(parts, spacing=10, horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
            on_click=self.handler(self.toggle, cert["id"]),
            identifier=f"certificate_{cert['id']}",
        )

    async def toggle(self, cert_id: int) -> None:
        self.open_id = None if self.open_id == cert_id else cert_id
        self.render()
