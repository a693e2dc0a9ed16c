"""Getting selfies: the phone camera (``flet-camera``) where it exists, else picking/uploading an image.

The Flutter side of ``flet-camera`` ships in Flet 1.0.5's clients; its Python package is optional here
(``pip install flet-camera==1.0.5``). The camera is offered on Android and iOS only: in a desktop browser the
file picker is the reliable path (and the one browser tests drive).
"""

from __future__ import annotations

import logging
from typing import Any

import flet as ft

logger = logging.getLogger(__name__)

try:  # optional
    import flet_camera as _camera
except ImportError:  # pragma: no cover - depends on the environment
    _camera = None

try:  # optional: pip install flet-geolocator==1.0.5 (its Flutter side is in Flet 1.0.5's clients)
    import flet_geolocator as _geo
except ImportError:  # pragma: no cover - depends on the environment
    _geo = None


class PhotoSource:
    """One per app session: the FilePicker service (and the camera control when available)."""

    def __init__(self, page: ft.Page) -> None:
        self.page = page
        self.picker = ft.FilePicker()  # a service: registers itself with the page
        self.camera: Any = None
        self._camera_ready = False
        self.geolocator: Any = _geo.Geolocator() if _geo is not None else None  # a service, like the picker

    @property
    def camera_available(self) -> bool:
        return _camera is not None and self.page.platform in (ft.PagePlatform.ANDROID, ft.PagePlatform.IOS)

    async def pick(self, multiple: bool = False) -> list[tuple[str, bytes]]:
        files = await self.picker.pick_files(
            file_type=ft.FilePickerFileType.IMAGE, allow_multiple=multiple, with_data=True
        )
        out = []
        for f in files or []:
            data = f.bytes
            if data is None and f.path:  # desktop: a path, no bytes
                with open(f.path, "rb") as fh:
                    data = fh.read()
            if data:
                out.append((f.name or "photo.jpg", data))
        return out

    def camera_view(self, height: float) -> ft.Control | None:
        """The live preview (front camera) on phones, or None."""
        if not self.camera_available:
            return None
        if self.camera is None:
            self.camera = _camera.Camera(preview_enabled=True, height=height, expand=False)
            self._camera_ready = False
        view: ft.Control = self.camera  # flet_camera ships no type hints; its Camera is an ft.Control
        return view

    async def take(self) -> tuple[str, bytes] | None:
        if self.camera is None:
            return None
        if not self._camera_ready:
            cameras = await self.camera.get_available_cameras()
            front = next(
                (c for c in cameras if getattr(c, "lens_direction", None) == _camera.CameraLensDirection.FRONT),
                cameras[0] if cameras else None,
            )
            if front is None:
                return None
            await self.camera.initialize(front, _camera.ResolutionPreset.MEDIUM, enable_audio=False)
            self._camera_ready = True
        data = await self.camera.take_picture()
        return ("camera.jpg", data) if data else None


async def locate(source: PhotoSource) -> tuple[float, float] | None:
    """The device's position (asks for permission), or None where there is no geolocator or no permission."""
    geo = source.geolocator
    if geo is None:
        return None
    try:
        await geo.request_permission()
        position = await geo.get_current_position()
    except Exception:  # denied, unavailable, timed out: the resident can still attach a photo with GPS
        logger.info("no position", exc_info=True)
        return None
    if position is None or position.latitude is None or position.longitude is None:
        return None
    return float(position.latitude), float(position.longitude)
