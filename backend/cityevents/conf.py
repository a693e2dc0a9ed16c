"""Settings of the city-events app, each overridable in ``backend/settings.py`` under the same name.

Defaults describe Zhengzhou (郑州). They live here rather than in settings.py so the app carries its own
configuration; a deployment for another city overrides them in settings (or its own settings module).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

# The city's bounding area (WGS-84). A report outside it is rejected: it cannot be routed to any department.
# Roughly the municipality of 郑州 including 巩义, 登封, 新郑, 中牟 and the 航空港区.
CITY_BOUNDS_DEFAULT = {"min_lat": 34.2, "max_lat": 35.0, "min_long": 112.7, "max_long": 114.3}

# Known districts with an approximate centre (lat, long). A report without a ``district`` is assigned the
# district whose centre is nearest; district routing rules refer to these names.
CITY_DISTRICTS_DEFAULT: dict[str, tuple[float, float]] = {
    "中原区": (34.7480, 113.6130),
    "二七区": (34.7240, 113.6400),
    "管城回族区": (34.7540, 113.6770),
    "金水区": (34.8000, 113.6600),
    "惠济区": (34.8670, 113.6170),
    "上街区": (34.8020, 113.3090),
    "郑东新区": (34.7700, 113.7300),
    "高新区": (34.8100, 113.5600),
    "经开区": (34.7200, 113.7400),
    "航空港区": (34.5300, 113.8500),
    "中牟县": (34.7190, 113.9760),
    "荥阳市": (34.7870, 113.3830),
    "新密市": (34.5400, 113.3900),
    "新郑市": (34.3950, 113.7400),
    "登封市": (34.4530, 113.0500),
    "巩义市": (34.7480, 113.0220),
}


def _get(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def city_bounds() -> dict[str, float]:
    return _get("CITY_BOUNDS", CITY_BOUNDS_DEFAULT)


def city_districts() -> dict[str, tuple[float, float]]:
    return _get("CITY_DISTRICTS", CITY_DISTRICTS_DEFAULT)


def duplicate_radius_m() -> float:
    """Two reports of one category closer than this (metres) and within the window below are one problem."""
    return float(_get("EVENTS_DUPLICATE_RADIUS_M", 50.0))


def duplicate_window_hours() -> int:
    return int(_get("EVENTS_DUPLICATE_WINDOW_HOURS", 7 * 24))


def photo_max_bytes() -> int:
    """Largest photo upload accepted. A 12 MP phone JPEG is 2-6 MB."""
    return int(_get("EVENTS_PHOTO_MAX_BYTES", 10 * 1024 * 1024))


def upload_max_bytes() -> int:
    """Largest multipart body of a report with a photo: the photo plus the JSON body limit for the other fields (a
    larger body is refused with 413 before it is read, ``backend/core/bodies.py``; a photo above
    ``photo_max_bytes`` inside it is 400 ``photo_too_large``)."""
    from backend.core.bodies import body_max_bytes

    return photo_max_bytes() + body_max_bytes()


def photo_max_pixels() -> int:
    """Largest pixel count accepted before decoding (decompression bombs)."""
    return int(_get("EVENTS_PHOTO_MAX_PIXELS", 50_000_000))


def photo_max_side() -> int:
    """Long side of the stored, re-encoded copy."""
    return int(_get("EVENTS_PHOTO_MAX_SIDE", 2048))


def open311_jurisdiction_id() -> str:
    """The jurisdiction this server answers for; a request naming another one is a 404 (GeoReport v2)."""
    return str(_get("OPEN311_JURISDICTION_ID", "zhengzhou.gov.cn"))


def open311_max_requests() -> int:
    """GeoReport v2: at most the first 1000 requests per query."""
    return int(_get("OPEN311_MAX_REQUESTS", 1000))


def open311_window_days() -> int:
    """GeoReport v2: a query spans at most 90 days, and the last 90 days by default."""
    return int(_get("OPEN311_WINDOW_DAYS", 90))
