"""E-certificates (电子证照): the resident's certificates and the QR code that lets anyone verify one."""

from __future__ import annotations

import base64

from mobileapp.api import ApiClient, Certificate, NotAvailable

PNG_DATA_URI = "data:image/png;base64,"


def qr_png(cert: Certificate) -> bytes | None:
    """The server's QR code of the certificate's verification URL (a PNG data URI) as bytes; None if unreadable."""
    qr = cert["qr"]
    if not qr.startswith(PNG_DATA_URI):
        return None
    try:
        return base64.b64decode(qr[len(PNG_DATA_URI) :], validate=True)
    except ValueError:
        return None


class CertificatesController:
    """``available`` is False when the server has no certificates API yet (the screen shows "coming soon")."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api
        self.available = True
        self.certificates: list[Certificate] = []

    async def load(self) -> list[Certificate]:
        try:
            self.certificates = (await self.api.certificates())["results"]
            self.available = True
        except NotAvailable:
            self.available = False
        return self.certificates
