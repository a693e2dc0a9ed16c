"""Fixtures for the city-events tests: the demo categories, photos, and the departments' staff.

The people are the personas of ``tests/conftest.py`` (``city_clerk``, ``supervisor``, ``wang_fang``...); here the
two departments events are routed to besides city management (police, planning), and the city-events name of the
second resident.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import ExifTags, Image
from rest_framework.test import APIClient

from backend.accounts.models import Role, User
from tests.personas import PLANNING_CLERK, POLICE_CLERK, Staff

# Coordinates inside 郑州 (WGS-84), near the district centres the routing falls back on.
JINSHUI = (34.786200, 113.668500)  # 金水区, 花园路
ZHENGDONG = (34.771200, 113.733500)  # 郑东新区
ERQI = (34.723900, 113.641800)  # 二七区
BEIJING = (39.904200, 116.407400)  # outside the city


@pytest.fixture
def categories(db):
    from backend.cityevents.demo import load_categories

    load_categories()


def make_staff(phone: str, role: str = Role.CLERK, department: str | None = "city_management") -> User:
    """A member of staff who is none of the personas (a second clerk of a department)."""
    name = f"{department or role} 工作人员"
    return Staff(name, "a test's own member of staff", phone, role=role, department=department, demo=False).account()


@pytest.fixture
def police_clerk(db) -> APIClient:
    """:data:`tests.personas.POLICE_CLERK`, logged in."""
    POLICE_CLERK.account()
    return POLICE_CLERK.login()


@pytest.fixture
def planning_clerk(db) -> APIClient:
    """:data:`tests.personas.PLANNING_CLERK`, logged in."""
    PLANNING_CLERK.account()
    return PLANNING_CLERK.login()


@pytest.fixture
def other_resident(wang_fang: APIClient) -> APIClient:
    """The second reporter of the city-events tests: 王芳."""
    return wang_fang


def report(client: APIClient, category: str = "street-light", where=JINSHUI, **extra):
    payload = {"category": category, "lat": where[0], "long": where[1], "description": "路灯不亮", **extra}
    return client.post("/api/v1/events", payload, format="json")


def created(client: APIClient, *args, **kwargs) -> dict:
    response = report(client, *args, **kwargs)
    assert response.status_code == 201, response.content
    return response.json()


def act(client: APIClient, event_id: int, action: str, **extra):
    return client.post(f"/api/v1/staff/events/{event_id}/action", {"action": action, **extra}, format="json")


def to_status(client: APIClient, event_id: int, *actions: str) -> dict:
    body = {}
    for action in actions:
        response = act(client, event_id, action)
        assert response.status_code == 200, response.content
        body = response.json()
    return body


# --- photos -------------------------------------------------------------------------------------------------------


def image_bytes(fmt: str = "JPEG", size=(64, 48), color=(200, 60, 40), mode: str = "RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format=fmt, **save)
    return out.getvalue()


def jpeg_with_gps(lat: float, long: float) -> bytes:
    """A JPEG whose EXIF carries GPS coordinates, a camera make/model and a software tag."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "YiwangTestCam"
    exif[ExifTags.Base.Model] = "SecretModel-42"
    exif[ExifTags.Base.Software] = "TestFirmware"

    def dms(value: float) -> tuple[float, float, float]:
        degrees = int(value)
        minutes_full = (value - degrees) * 60
        minutes = int(minutes_full)
        return (float(degrees), float(minutes), round((minutes_full - minutes) * 60, 4))

    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = dms(lat)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = dms(long)
    return image_bytes("JPEG", size=(120, 90), exif=exif.tobytes())


def png_bomb_header(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header claims billions of pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
    )


def media_files(root) -> list[Path]:
    """Stored event photos (the registry import puts resident photos elsewhere under MEDIA_ROOT)."""
    return [p for p in (Path(root) / "events").rglob("*") if p.is_file()]
