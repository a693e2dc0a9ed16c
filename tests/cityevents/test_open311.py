"""Open311 GeoReport v2 at /open311/v2/: the round trip, field lists, filters, and the GeoReport error format."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from backend.cityevents.models import EventReport
from backend.notifications.models import Notification
from backend.workflow import clock

from .conftest import BEIJING, ERQI, JINSHUI, created, jpeg_with_gps, media_files, to_status

pytestmark = pytest.mark.django_db

# The GeoReport v2 field lists (http://wiki.open311.org/GeoReport_v2).
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
ATTRIBUTE_FIELDS = {"variable", "code", "datatype", "required", "datatype_description", "order", "description",
                    "values"}  # fmt: skip
REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
}  # fmt: skip
POST_RESPONSE_FIELDS = {"service_request_id", "service_notice", "account_id"}


def assert_open311_error(response, status: int) -> str:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body, list) and len(body) == 1
    assert set(body[0]) == {"code", "description"} and body[0]["code"] == status
    assert body[0]["description"]
    return body[0]["description"]


def assert_iso(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value)
    assert parsed.tzinfo is not None
    return parsed


def test_service_list_and_definition(categories, api) -> None:
    services = api.get("/open311/v2/services.json")
    assert services.status_code == 200
    body = services.json()
    assert len(body) >= 5
    for service in body:
        assert set(service) == SERVICE_FIELDS
        assert service["type"] == "realtime" and isinstance(service["metadata"], bool)
    by_code = {s["service_code"]: s for s in body}
    assert by_code["manhole-cover"]["metadata"] is True and by_code["road-damage"]["metadata"] is False
    assert by_code["street-light"]["service_name"] == "路灯故障" and by_code["street-light"]["group"] == "市政设施"

    english = api.get("/open311/v2/services.json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert {s["service_code"]: s for s in english}["street-light"]["service_name"] == "Street light out"

    definition = api.get("/open311/v2/services/manhole-cover.json").json()
    assert definition["service_code"] == "manhole-cover"
    (attribute,) = definition["attributes"]
    assert set(attribute) == ATTRIBUTE_FIELDS
    assert attribute["code"] == "hazard" and attribute["datatype"] == "singlevaluelist"
    assert {v["key"] for v in attribute["values"]} == {"open", "broken", "sunken"}
    assert all(set(v) == {"key", "name"} for v in attribute["values"])

    assert api.get("/open311/v2/services").status_code == 200  # the suffix may be left out
    assert_open311_error(api.get("/open311/v2/services/no-such.json"), 404)
    assert_open311_error(api.get("/open311/v2/services.xml"), 400)


def test_round_trip_post_then_get_list_and_single(categories, resident_client, api, settings) -> None:
    photo = jpeg_with_gps(34.80, 113.66)
    response = resident_client.post(
        "/open311/v2/requests.json",
        {
            "service_code": "manhole-cover",
            "lat": str(JINSHUI[0]),
            "long": str(JINSHUI[1]),
            "address_string": "郑州市金水区花园路农业路口",
            "description": "井盖缺失，联系电话 13912345678",
            "attribute[hazard]": "open",
            "api_key": "ignored",
            "jurisdiction_id": "zhengzhou.gov.cn",
            "media": SimpleUploadedFile("p.jpg", photo, "image/jpeg"),
        },
        format="multipart",
    )
    assert response.status_code == 200, response.content
    (receipt,) = response.json()
    assert set(receipt) == POST_RESPONSE_FIELDS
    request_id = receipt["service_request_id"]
    assert isinstance(request_id, str) and receipt["service_notice"] and "2 小时" in receipt["service_notice"]
    report = EventReport.objects.get(pk=int(request_id))
    assert report.source == "open311" and report.attributes == {"hazard": "open"}
    assert report.department.code == "city_management"
    assert Notification.objects.filter(kind="event.received").count() == 1

    listed = api.get("/open311/v2/requests.json")
    assert listed.status_code == 200
    (item,) = [r for r in listed.json() if r["service_request_id"] == request_id]
    assert set(item) == REQUEST_FIELDS

    single = api.get(f"/open311/v2/requests/{request_id}.json")
    assert single.status_code == 200
    (detail,) = single.json()
    assert detail == item
    assert detail["status"] == "open"
    assert detail["service_code"] == "manhole-cover" and detail["service_name"] == "井盖缺失破损"
    assert detail["agency_responsible"] == "城市管理局"
    assert detail["address"] == "郑州市金水区花园路农业路口"
    assert detail["lat"] == pytest.approx(JINSHUI[0]) and detail["long"] == pytest.approx(JINSHUI[1])
    assert "13912345678" not in detail["description"] and "139****5678" in detail["description"]
    requested = assert_iso(detail["requested_datetime"])
    assert assert_iso(detail["expected_datetime"]) == clock.due_at(requested, 1)  # 1 working day, end of day
    assert_iso(detail["updated_datetime"])
    assert detail["media_url"].startswith("http://testserver/open311/v2/media/")
    media = api.get(detail["media_url"])
    assert media.status_code == 200 and media["Content-Type"] == "image/jpeg"
    assert b"Exif" not in b"".join(media.streaming_content)
    assert len(media_files(settings.MEDIA_ROOT)) == 1


def test_internal_statuses_map_to_open_and_closed(categories, resident_client, city_clerk, api) -> None:
    open_one = created(resident_client, "street-light", JINSHUI)
    closed_one = created(resident_client, "road-damage", ERQI)
    resolved_one = created(resident_client, "garbage", ERQI)
    to_status(city_clerk, closed_one["id"], "dispatch", "start", "resolve")
    to_status(city_clerk, resolved_one["id"], "dispatch", "start", "resolve")
    resident_client.post(f"/api/v1/events/{closed_one['id']}/confirm")

    def ids(query: str) -> list[str]:
        response = api.get(f"/open311/v2/requests.json{query}")
        assert response.status_code == 200, response.content
        return [r["service_request_id"] for r in response.json()]

    assert set(ids("?status=closed")) == {str(closed_one["id"])}
    assert set(ids("?status=open")) == {str(open_one["id"]), str(resolved_one["id"])}
    assert len(ids("?status=open,closed")) == 3
    (closed,) = api.get(f"/open311/v2/requests/{closed_one['id']}.json").json()
    assert closed["status"] == "closed" and closed["status_notes"].startswith("确认解决")
    assert closed["updated_datetime"] == closed["updated_datetime"]
    (resolved,) = api.get(f"/open311/v2/requests/{resolved_one['id']}.json").json()
    assert resolved["status"] == "open" and resolved["status_notes"].startswith("处置完毕")

    assert ids("?service_code=road-damage") == [str(closed_one["id"])]
    assert set(ids("?service_code=road-damage,garbage")) == {str(closed_one["id"]), str(resolved_one["id"])}
    # service_request_id overrides the other filters.
    assert ids(f"?service_request_id={open_one['id']},{closed_one['id']}&status=closed") == [
        str(closed_one["id"]),
        str(open_one["id"]),
    ]


def test_date_filters_default_window_and_limits(categories, resident_client, api, settings) -> None:
    recent = created(resident_client, "street-light", JINSHUI)
    old = created(resident_client, "road-damage", ERQI)
    EventReport.objects.filter(pk=old["id"]).update(created_at=timezone.now() - dt.timedelta(days=120))

    def ids(query: str = "") -> set[str]:
        response = api.get(f"/open311/v2/requests.json{query}")
        assert response.status_code == 200, response.content
        return {r["service_request_id"] for r in response.json()}

    assert ids() == {str(recent["id"])}  # last 90 days by default
    start = (timezone.now() - dt.timedelta(days=130)).isoformat(timespec="seconds")
    end = (timezone.now() - dt.timedelta(days=100)).isoformat(timespec="seconds")
    assert ids(f"?start_date={quote(start)}&end_date={quote(end)}") == {str(old["id"])}
    assert ids(f"?start_date={quote(start)}") == {str(old["id"])}  # start + 90 days
    day = (timezone.localdate() - dt.timedelta(days=120)).isoformat()
    assert ids(f"?start_date={day}&end_date={day}") == {str(old["id"])}

    too_long = (timezone.now() - dt.timedelta(days=95)).isoformat(timespec="seconds")
    now = quote(timezone.now().isoformat(timespec="seconds"))
    span = api.get(f"/open311/v2/requests.json?start_date={quote(too_long)}&end_date={now}")
    assert "90" in assert_open311_error(span, 400)
    assert_open311_error(api.get("/open311/v2/requests.json?start_date=yesterday"), 400)
    assert_open311_error(api.get("/open311/v2/requests.json?status=pending"), 400)
    assert_open311_error(api.get(f"/open311/v2/requests.json?end_date={quote(start)}&start_date={quote(end)}"), 400)

    settings.OPEN311_MAX_REQUESTS = 1
    created(resident_client, "garbage", ERQI)
    assert len(ids()) == 1


def test_open311_errors_use_the_georeport_format_and_save_nothing(categories, resident_client, api) -> None:
    good = {"service_code": "street-light", "lat": JINSHUI[0], "long": JINSHUI[1], "description": "灯不亮"}
    assert_open311_error(api.post("/open311/v2/requests.json", good), 401)
    assert_open311_error(resident_client.post("/open311/v2/requests.json", {**good, "service_code": ""}), 400)
    assert_open311_error(resident_client.post("/open311/v2/requests.json", {**good, "service_code": "ufo"}), 400)
    no_location = {k: v for k, v in good.items() if k not in ("lat", "long")}
    assert_open311_error(resident_client.post("/open311/v2/requests.json", no_location), 400)
    outside = {**good, "lat": BEIJING[0], "long": BEIJING[1]}
    assert "本市" in assert_open311_error(resident_client.post("/open311/v2/requests.json", outside), 400)
    gif = SimpleUploadedFile("x.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif")
    assert_open311_error(resident_client.post("/open311/v2/requests.json", {**good, "media": gif}), 400)
    wrong_city = {**good, "jurisdiction_id": "beijing.gov.cn"}
    assert_open311_error(resident_client.post("/open311/v2/requests.json", wrong_city), 404)
    bad_attribute = {**good, "service_code": "manhole-cover", "attribute[hazard]": "lava"}
    assert_open311_error(resident_client.post("/open311/v2/requests.json", bad_attribute), 400)
    assert EventReport.objects.count() == 0 and Notification.objects.count() == 0

    assert_open311_error(api.get("/open311/v2/requests/999999.json"), 404)
    assert_open311_error(api.get("/open311/v2/requests/abc.json"), 404)
    assert_open311_error(api.get("/open311/v2/requests.json?service_request_id=1;drop"), 400)
    assert_open311_error(api.get("/open311/v2/nonsense"), 404)
    assert_open311_error(api.get("/open311/v2/requests.json?jurisdiction_id=beijing.gov.cn"), 404)
    assert_open311_error(api.delete("/open311/v2/requests.json"), 405)


def test_open311_post_json_and_duplicate_notice(categories, resident_client) -> None:
    first = resident_client.post(
        "/open311/v2/requests.json",
        {"service_code": "street-light", "lat": JINSHUI[0], "long": JINSHUI[1]},
        format="json",
    )
    assert first.status_code == 200
    second = resident_client.post(
        "/open311/v2/requests.json", {"service_code": "street-light", "lat": JINSHUI[0], "long": JINSHUI[1]}
    )
    (receipt,) = second.json()
    assert first.json()[0]["service_request_id"] in receipt["service_notice"]
    (detail,) = resident_client.get(f"/open311/v2/requests/{receipt['service_request_id']}.json").json()
    assert "重复" in detail["status_notes"]


def test_discovery(api) -> None:
    body = api.get("/open311/v2/discovery.json").json()
    (endpoint,) = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["formats"] == ["application/json"]


def test_request_list_costs_a_constant_number_of_queries(
    categories, resident_client, city_clerk, api, django_assert_max_num_queries
) -> None:
    for i in range(6):
        event = created(resident_client, "road-damage", (ERQI[0] + i * 0.001, ERQI[1]))
        to_status(city_clerk, event["id"], "dispatch")
    with django_assert_max_num_queries(4):
        response = api.get("/open311/v2/requests.json")
    assert len(response.json()) == 6
    assert all(r["status_notes"].startswith("派单") for r in response.json())


def test_database_outage_is_a_georeport_503(categories, api, monkeypatch) -> None:
    from django.db import OperationalError

    from backend.cityevents import open311

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(open311, "service_json", down)
    response = api.get("/open311/v2/services.json")
    assert_open311_error(response, 503)
    assert response["Retry-After"]
