"""Where the session token and settings are kept on the device.

- ``flet-secure-storage`` when it is installed: the Keychain on iOS, the Keystore on Android, encrypted
  ``localStorage`` in the browser. Its Flutter side is already part of the ``flet-web`` client of Flet 1.0.5;
  only the small Python package is optional.
- otherwise ``ft.SharedPreferences`` (part of Flet 1.0.5 itself): plain preferences/``localStorage``.
- a memory store when neither answers (for example, a client without the service): the session then lasts as
  long as the page.

All three satisfy :class:`mobileapp.session.Storage`.
"""

from __future__ import annotations

import logging
from typing import Any

import flet as ft

from mobileapp.session import MemoryStorage

logger = logging.getLogger(__name__)

try:  # optional: pip install flet-secure-storage==1.0.5
    import flet_secure_storage as _secure
except ImportError:  # pragma: no cover - depends on the environment
    _secure = None


class ServiceStorage:
    """Adapter over a Flet storage service (``SecureStorage`` or ``SharedPreferences``)."""

    def __init__(self, service: Any, kind: str) -> None:
        self.service = service
        self.kind = kind
        self._fallback = MemoryStorage()
        self._broken = False

    async def get(self, key: str) -> str | None:
        if self._broken:
            return await self._fallback.get(key)
        try:
            value = await self.service.get(key)
        except Exception:  # the client does not answer: keep working in memory
            logger.warning("storage %s unavailable; using memory", self.kind, exc_info=True)
            self._broken = True
            return await self._fallback.get(key)
        return None if value is None else str(value)

    async def set(self, key: str, value: str) -> None:
        await self._fallback.set(key, value)
        if not self._broken:
            try:
                await self.service.set(key, value)
            except Exception:
                logger.warning("storage %s unavailable; using memory", self.kind, exc_info=True)
                self._broken = True

    async def remove(self, key: str) -> None:
        await self._fallback.remove(key)
        if not self._broken:
            try:
                await self.service.remove(key)
            except Exception:
                self._broken = True


def storage_for(page: ft.Page) -> ServiceStorage:
    """Create the storage service. Flet 1.0 services register themselves with the current page when
    constructed (there is no ``page.services`` list); the adapter keeps the strong reference they need."""
    del page  # registration goes through the page context
    if _secure is not None:
        service: Any = _secure.SecureStorage()
        kind = "secure-storage"
    else:
        service = ft.SharedPreferences()
        kind = "shared-preferences"
    return ServiceStorage(service, kind)
