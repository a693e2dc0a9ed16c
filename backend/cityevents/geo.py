"""Plain geometry on WGS-84 coordinates: enough for a city, no GIS stack needed."""

from __future__ import annotations

import math

from . import conf

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE_LAT = 111_320.0


def haversine_m(lat1: float, long1: float, lat2: float, long2: float) -> float:
    """Great-circle distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(long2 - long1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, long: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_long, max_long) of a square around a point: a cheap SQL pre-filter."""
    dlat = radius_m / METRES_PER_DEGREE_LAT
    dlong = radius_m / (METRES_PER_DEGREE_LAT * max(0.01, math.cos(math.radians(lat))))
    return lat - dlat, lat + dlat, long - dlong, long + dlong


def in_city(lat: float, long: float) -> bool:
    bounds = conf.city_bounds()
    return bounds["min_lat"] <= lat <= bounds["max_lat"] and bounds["min_long"] <= long <= bounds["max_long"]


def nearest_district(lat: float, long: float) -> str:
    districts = conf.city_districts()
    return min(districts, key=lambda name: haversine_m(lat, long, *districts[name]))
