"""Reporting a city problem through /api/v1/events: routing, duplicates, photos, and bad input saving nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from backend.cityevents.models import EventAction, EventReport
from backend.notifications.models import Notification
from backend.workflow import clock

from .conftest import (
    BEIJING,
    ERQI,
    JINSHUI,
    ZHENGDONG,
    act,
    created,
    image_bytes,
    jpeg_with_gps,
    media_files,
    png_bomb_header,
    report,
    to_status,
)

pytestmark = pytest.mark.django_db


def test_categories_list_owning_department_and_limits(categories, resident_client) -> None:
    body = resident_client.get("/api/v1/events/categories").json()
    by_code = {c["code"]: c for c in body}
    assert by_code["manhole-cover"]["response_hours"] == 2
    assert by_code["road-damage"]["resolution_hours"] == 7 * 24
    assert by_code["street-light"]["department"]["code"] == "city_management"
    assert by_code["illegal-parking"]["department"]["code"] == "public_security"


def test_report_is_routed_to_the_owning_department(categories, resident_client) -> None:
    body = created(resident_client, "street-light", JINSHUI, address="花园路农业路口")
    assert body["status"] == "received"
    assert body["department"]["code"] == "city_management"
    assert body["district"] == "金水区"  # nearest district centre
    assert body["duplicate_of"] is None and body["notice"] == ""
    assert [e["action"] for e in body["timeline"]] == ["created", "routed"]
    created_at = dt.datetime.fromisoformat(body["created_at"])
    assert dt.datetime.fromisoformat(body["response_due_at"]) - created_at == dt.timedelta(hours=24)
    # Whole days are statutory working days (the case engine's clock), ending at the end of the last day.
    assert dt.datetime.fromisoformat(body["resolution_due_at"]) == clock.due_at(created_at, 3)

    parking = created(resident_client, "illegal-parking", ERQI)
    assert parking["department"]["code"] == "public_security"
    assert parking["district"] == "二七区"

    notice = Notification.objects.get(kind="event.received", target={"type": "event", "id": body["id"]})
    assert "城市管理局" in notice.body

    mine = resident_client.get("/api/v1/events").json()
    assert mine["count"] == 2 and {r["id"] for r in mine["results"]} == {body["id"], parking["id"]}


def test_emergency_category_has_a_two_hour_response_limit(categories, resident_client) -> None:
    body = created(resident_client, "manhole-cover", JINSHUI, attributes={"hazard": "open"})
    created_at = dt.datetime.fromisoformat(body["created_at"])
    assert dt.datetime.fromisoformat(body["response_due_at"]) - created_at == dt.timedelta(hours=2)
    assert body["attributes"] == {"hazard": "open"}


def test_district_rule_routes_to_another_department(categories, resident_client) -> None:
    zhengdong = created(resident_client, "illegal-construction", ZHENGDONG)
    assert zhengdong["district"] == "郑东新区"
    assert zhengdong["department"]["code"] == "natural_resources"

    jinshui = created(resident_client, "illegal-construction", JINSHUI)
    assert jinshui["department"]["code"] == "city_management"

    # A district named by the reporter wins over the nearest centre.
    named = created(resident_client, "illegal-construction", (34.80, 113.70), district="航空港区")
    assert named["district"] == "航空港区" and named["department"]["code"] == "natural_resources"


def test_nearby_report_of_the_same_category_is_linked_as_duplicate(categories, resident_client, other_resident):
    first = created(resident_client, "street-light", JINSHUI)
    # ~22 m north-east of the first report
    near = (JINSHUI[0] + 0.00015, JINSHUI[1] + 0.00015)
    second = created(other_resident, "street-light", near)
    assert second["duplicate_of"] == first["id"]
    assert str(first["id"]) in second["notice"]
    assert "duplicate" in [e["action"] for e in second["timeline"]]
    notice = Notification.objects.get(kind="event.duplicate")
    assert notice.target == {"type": "event", "id": second["id"]}

    # A third one near the second links to the original, not to the duplicate.
    third = created(other_resident, "street-light", (near[0] + 0.0001, near[1]))
    assert third["duplicate_of"] == first["id"]

    # Not duplicates: ~200 m away, another category, or outside the 7-day window.
    far = created(other_resident, "street-light", (JINSHUI[0] + 0.0018, JINSHUI[1]))
    assert far["duplicate_of"] is None
    other_kind = created(other_resident, "road-damage", near)
    assert other_kind["duplicate_of"] is None
    EventReport.objects.filter(pk=far["id"]).update(created_at=timezone.now() - dt.timedelta(days=8))
    late = created(other_resident, "street-light", (JINSHUI[0] + 0.0018, JINSHUI[1] + 0.0001))
    assert late["duplicate_of"] is None


def test_closed_report_does_not_attract_duplicates(categories, resident_client, city_clerk) -> None:
    first = created(resident_client, "street-light", JINSHUI)
    to_status(city_clerk, first["id"], "dispatch", "start", "resolve", "close")
    again = created(resident_client, "street-light", JINSHUI)
    assert again["duplicate_of"] is None


def test_duplicates_follow_the_original_through_staff_actions(categories, resident_client, other_resident, city_clerk):
    first = created(resident_client, "street-light", JINSHUI)
    second = created(other_resident, "street-light", (JINSHUI[0] + 0.0001, JINSHUI[1]))
    assert second["duplicate_of"] == first["id"]
    to_status(city_clerk, first["id"], "dispatch", "start", "resolve")
    follower = other_resident.get(f"/api/v1/events/{second['id']}").json()
    assert follower["status"] == "resolved"
    assert Notification.objects.filter(kind="event.resolve", target={"type": "event", "id": second["id"]}).exists()
    staff_view = city_clerk.get(f"/api/v1/staff/events/{first['id']}").json()
    assert staff_view["duplicates"] == [second["id"]]


def test_idempotency_key_returns_the_first_report(categories, resident_client) -> None:
    payload = {"category": "street-light", "lat": JINSHUI[0], "long": JINSHUI[1]}
    first = resident_client.post("/api/v1/events", payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = resident_client.post("/api/v1/events", payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert EventReport.objects.count() == 1
    assert Notification.objects.count() == 1


def test_other_residents_report_is_404(categories, resident_client, other_resident) -> None:
    body = created(resident_client)
    for response in (
        other_resident.get(f"/api/v1/events/{body['id']}"),
        other_resident.post(f"/api/v1/events/{body['id']}/confirm"),
        other_resident.post(f"/api/v1/events/{body['id']}/dispute", {"reason": "x"}, format="json"),
        other_resident.post(f"/api/v1/events/{body['id']}/rating", {"score": 5}, format="json"),
        other_resident.get(f"/api/v1/events/{body['id']}/photo"),
    ):
        assert response.status_code == 404, response.content
        assert response.json()["error"]["code"] == "not_found"
    assert other_resident.get("/api/v1/events").json()["count"] == 0


def test_anonymous_cannot_report(categories, api) -> None:
    response = report(api)
    assert response.status_code == 401
    assert EventReport.objects.count() == 0


# --- bad input: a clear 4xx and nothing saved -----------------------------------------------------------------


def _multipart(client, data: dict, photo: bytes, name: str = "photo.jpg"):
    return client.post(
        "/api/v1/events", {**data, "media": SimpleUploadedFile(name, photo, "image/jpeg")}, format="multipart"
    )


BAD_JSON = [
    ({"category": "street-light"}, "location_required"),
    ({"category": "street-light", "lat": JINSHUI[0]}, "location_required"),
    ({"category": "street-light", "lat": BEIJING[0], "long": BEIJING[1]}, "location_outside_city"),
    ({"category": "street-light", "lat": 91, "long": 113.6}, "location_outside_city"),
    ({"category": "street-light", "lat": "north", "long": "east"}, "invalid_location"),
    ({"category": "street-light", "lat": "1e30", "long": JINSHUI[1]}, "invalid_location"),  # was a 500 (fuzzer)
    ({"category": "street-light", "lat": 1e300, "long": -1e300}, "invalid_location"),
    ({"category": "no-such-thing", "lat": JINSHUI[0], "long": JINSHUI[1]}, "unknown_category"),
    ({"lat": JINSHUI[0], "long": JINSHUI[1]}, "unknown_category"),
    ({"category": "street-light", "lat": JINSHUI[0], "long": JINSHUI[1], "district": "朝阳区"}, "unknown_district"),
    (
        {"category": "manhole-cover", "lat": JINSHUI[0], "long": JINSHUI[1], "attributes": {"hazard": "lava"}},
        "invalid_attributes",
    ),
    (
        {"category": "street-light", "lat": JINSHUI[0], "long": JINSHUI[1], "attributes": {"nope": "1"}},
        "invalid_attributes",
    ),
    ({"category": "street-light", "lat": JINSHUI[0], "long": JINSHUI[1], "description": "长" * 2001}, None),
    ({"category": "street-light", "lat": JINSHUI[0], "long": JINSHUI[1], "media_url": "javascript:x"}, None),
]


@pytest.mark.parametrize(("payload", "code"), BAD_JSON)
def test_bad_json_input_is_rejected_and_nothing_saved(categories, resident_client, settings, payload, code) -> None:
    response = resident_client.post("/api/v1/events", payload, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == (code or "validation_error")
    assert error["message"]
    assert EventReport.objects.count() == 0
    assert EventAction.objects.count() == 0
    assert Notification.objects.count() == 0


def _truncated_jpeg() -> bytes:
    data = image_bytes("JPEG", size=(400, 300), color=(10, 120, 200), quality=95)
    return data[: len(data) // 2]


BAD_PHOTOS = [
    (lambda: image_bytes("GIF", mode="P", color=3), "unsupported_photo_format"),
    (lambda: image_bytes("BMP"), "unsupported_photo_format"),
    (lambda: b"%PDF-1.4 definitely not a photo", "unsupported_photo_format"),
    (lambda: b"", "invalid_photo"),
    (_truncated_jpeg, "invalid_photo"),
    (png_bomb_header, "photo_too_large"),
]


@pytest.mark.parametrize(("make", "code"), BAD_PHOTOS)
def test_bad_photo_is_rejected_and_nothing_saved(categories, resident_client, settings, make, code) -> None:
    data = {"category": "street-light", "lat": JINSHUI[0], "long": JINSHUI[1]}
    response = _multipart(resident_client, data, make())
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == code
    assert EventReport.objects.count() == 0
    assert Notification.objects.count() == 0
    assert media_files(settings.MEDIA_ROOT) == []


def test_pixel_and_byte_limits(categories, resident_client, settings) -> None:
    data = {"category": "street-light", "lat": JINSHUI[0], "long": JINSHUI[1]}
    settings.EVENTS_PHOTO_MAX_PIXELS = 100 * 100
    response = _multipart(resident_client, data, image_bytes("PNG", size=(101, 100)))
    assert response.status_code == 400 and response.json()["error"]["code"] == "photo_too_large"
    settings.EVENTS_PHOTO_MAX_PIXELS = 50_000_000
    settings.EVENTS_PHOTO_MAX_BYTES = 1000
    response = _multipart(resident_client, data, image_bytes("PNG", size=(300, 300)) + b"\0" * 2000)
    assert response.status_code == 400 and response.json()["error"]["code"] == "photo_too_large"
    assert EventReport.objects.count() == 0 and media_files(settings.MEDIA_ROOT) == []


# --- photos ---------------------------------------------------------------------------------------------------


def test_photo_gps_is_read_and_stripped_from_the_stored_copy(categories, resident_client, settings) -> None:
    original = jpeg_with_gps(34.7712, 113.7335)  # 郑东新区
    assert b"YiwangTestCam" in original and Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)

    # No lat/long given: the location comes from the photo's GPS.
    response = _multipart(resident_client, {"category": "road-damage"}, original)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["lat"] == pytest.approx(34.7712, abs=1e-5) and body["long"] == pytest.approx(113.7335, abs=1e-5)
    assert body["district"] == "郑东新区"
    assert "GPS" in body["timeline"][0]["note"]

    stored_files = media_files(settings.MEDIA_ROOT)
    assert len(stored_files) == 1
    stored = stored_files[0].read_bytes()
    assert stored_files[0].suffix == ".jpg"
    for secret in (b"Exif", b"YiwangTestCam", b"SecretModel-42", b"TestFirmware"):
        assert secret not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert len(image.getexif()) == 0
        assert image.size == (120, 90)

    served = resident_client.get(body["photo_url"])
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content) == stored

    report_row = EventReport.objects.get(pk=body["id"])
    assert float(report_row.photo_lat) == pytest.approx(34.7712, abs=1e-5)


def test_reporter_pin_wins_over_photo_gps(categories, resident_client) -> None:
    data = {"category": "road-damage", "lat": ERQI[0], "long": ERQI[1]}
    response = _multipart(resident_client, data, jpeg_with_gps(34.7712, 113.7335))
    assert response.status_code == 201
    assert response.json()["district"] == "二七区"


@pytest.mark.parametrize(
    "make",
    [
        lambda: image_bytes("PNG", mode="RGBA", color=(0, 0, 0, 0)),
        lambda: image_bytes("WEBP"),
        lambda: image_bytes("JPEG", mode="L", color=128),
    ],
)
def test_png_webp_and_greyscale_are_accepted_and_reencoded_as_jpeg(categories, resident_client, settings, make):
    data = {"category": "garbage", "lat": JINSHUI[0], "long": JINSHUI[1]}
    response = _multipart(resident_client, data, make(), name="upload.bin")
    assert response.status_code == 201, response.content
    (stored,) = media_files(settings.MEDIA_ROOT)
    with Image.open(stored) as image:
        assert image.format == "JPEG" and image.mode == "RGB"


def test_large_photo_is_downscaled(categories, resident_client, settings) -> None:
    settings.EVENTS_PHOTO_MAX_SIDE = 100
    data = {"category": "garbage", "lat": JINSHUI[0], "long": JINSHUI[1]}
    response = _multipart(resident_client, data, image_bytes("PNG", size=(400, 200)))
    assert response.status_code == 201
    (stored,) = media_files(settings.MEDIA_ROOT)
    with Image.open(stored) as image:
        assert image.size == (100, 50)


def test_media_url_is_kept_as_a_link(categories, resident_client) -> None:
    body = created(resident_client, media_url="https://example.org/p/1.jpg")
    assert body["media_url"] == "https://example.org/p/1.jpg" and body["photo_url"] is None


def test_resident_actions_need_the_right_status(categories, resident_client, city_clerk) -> None:
    body = created(resident_client)
    response = resident_client.post(f"/api/v1/events/{body['id']}/confirm")
    assert response.status_code == 409 and response.json()["error"]["code"] == "invalid_transition"
    assert act(city_clerk, body["id"], "dispatch").status_code == 200
    response = resident_client.post(f"/api/v1/events/{body['id']}/dispute", {"reason": "没修"}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "invalid_transition"
