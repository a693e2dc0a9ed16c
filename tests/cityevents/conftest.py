"""Fixtures for the city-events tests: the demo categories, staff of three departments, residents, photos."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import ExifTags, Image
from rest_framework.test import APIClient

from backend.accounts.models import Department, Role, User
from tests.factories import PASSWORD, login, resident_record

# Coordinates inside 郑州 (WGS-84), near the district centres the routing falls back on.
JINSHUI = (34.786200, 113.668500)  # 金水区, 花园路
ZHENGDONG = (34.771200, 113.733500)  # 郑东新区
ERQI = (34.723900, 113.641800)  # 二七区
BEIJING = (39.904200, 116.407400)  # outside the city


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Logins are not what these tests are about; PBKDF2 would spend most of their time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def categories(db):
    from backend.cityevents.demo import load_categories

    load_categories()


def make_staff(phone: str, role: str = Role.CLERK, department: str | None = "city_management") -> User:
    user = User.objects.create_user(
        username=f"staff_{phone}",
        password=PASSWORD,
        phone="+86" + phone,
        phone_verified=True,
        role=role,
        department=Department.objects.get(code=department) if department else None,
        is_staff=True,
        display_name=f"{department or role} 工作人员",
    )
    return user


@pytest.fixture
def city_clerk(db) -> APIClient:
    make_staff("13700000104", department="city_management")
    return login("13700000104")


@pytest.fixture
def police_clerk(db) -> APIClient:
    make_staff("13700000105", department="public_security")
    return login("13700000105")


@pytest.fixture
def planning_clerk(db) -> APIClient:
    make_staff("13700000106", department="natural_resources")
    return login("13700000106")


@pytest.fixture
def supervisor(db) -> APIClient:
    make_staff("13700000109", role=Role.SUPERVISOR, department=None)
    return login("13700000109")


@pytest.fixture
def other_resident(import_data) -> APIClient:
    import_data({"residents": [resident_record("王芳", dt.date(1993, 3, 3), 602, phone="16600000902", photo=None)]})
    return login("16600000902")


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
