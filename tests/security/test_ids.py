"""Ids out of range, negative or not numbers are a 4xx on every endpoint, never a 500 (backend/core/ids.py).

schemathesis found ``GET /api/v1/appointments/slots?venue=10738102332042445173293056`` answering 500: the
foreign-key lookup sent the number to the database, which cannot hold it. The rule these tests hold every endpoint
to: an id in the path that is not one does not resolve (404 ``not_found``); an id in a query string or a body that
is not one is 400 ``validation_error`` naming it. The endpoints come from the URL resolver and the OpenAPI schema,
so a new endpoint is walked too (and a new ``<int:…>`` path or an unbounded id parameter fails a guard below).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from backend.core.ids import ID_MAX, ID_SCHEMA, id_or_none
from tests.personas import HOUSING_CLERK, ZHANG_JIANGUO
from tests.security.conftest import all_routes

pytestmark = pytest.mark.django_db

OUT_OF_RANGE: list[Any] = [10**26, 2**63, 10**30, -1, 0, "abc", "1e3", " 1", "+1", "1_000", "1.0", "١", "0x10", ""]
IN_RANGE_UNKNOWN = [2**31, ID_MAX]  # ids no row has: the endpoint's own "not found" (404 or an empty list)
PAGINATION = {"page", "page_size"}  # integers of the paginator, not ids (DRF answers a bad page with 404)


def _text(value: Any) -> str:
    return quote(str(value), safe="")


def _clients(demo) -> dict[str, APIClient]:
    """A demo resident and a demo clerk (``demo``: the city is loaded)."""
    return {"resident": ZHANG_JIANGUO.login(), "clerk": HOUSING_CLERK.login()}


def _id_routes() -> list:
    return [r for r in all_routes() if "<id:" in r.route]


def _error_code(response) -> str:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body = response.json()
    if isinstance(body, list):  # Open311: the GeoReport error format
        assert body and body[0]["code"] == response.status_code, body
        return "georeport"
    return body["error"]["code"]


def _schema(client: APIClient) -> dict[str, Any]:
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


# -- guards: what the walks below rely on ---------------------------------------------------------------------------


def test_no_path_takes_an_unbounded_integer() -> None:
    unbounded = [r.route for r in all_routes() if "<int:" in r.route]
    assert not unbounded, f"use <id:…> (backend/core/ids.py) for ids in paths: {unbounded}"
    assert len(_id_routes()) >= 18


def test_the_schema_states_the_bound_for_every_id(api) -> None:
    """Path ids, query ids and body ids carry minimum/maximum, so schemathesis' coverage phase tries past them."""
    assert settings.SPECTACULAR_SETTINGS["PATH_CONVERTER_OVERRIDES"]["id"] == ID_SCHEMA
    schema = _schema(api)
    unbounded = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                kind = parameter["schema"].get("type")
                bounds = (parameter["schema"].get("minimum"), parameter["schema"].get("maximum"))
                if kind == "integer" and parameter["name"] not in PAGINATION and bounds != (1, ID_MAX):
                    unbounded.append(f"{method} {path} {parameter['in']} {parameter['name']}")
    assert not unbounded, unbounded


# -- the unit of the rule ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [*OUT_OF_RANGE, True, False, None, 1.0, float("inf"), [1], {"id": 1}])
def test_what_is_not_an_id(value: Any) -> None:
    assert id_or_none(value) is None


@pytest.mark.parametrize("value", [1, "1", "0001", 2**31, ID_MAX, str(ID_MAX)])
def test_what_is_an_id(value: Any) -> None:
    assert id_or_none(value) == int(value)


# -- path ids: every route, every method ---------------------------------------------------------------------------


def test_path_ids_out_of_range_do_not_resolve(demo) -> None:
    clients = _clients(demo)
    checked = 0
    for route in _id_routes():
        client = clients["clerk" if "/staff/" in route.route else "resident"]
        for value in OUT_OF_RANGE + IN_RANGE_UNKNOWN:
            if value == "":
                continue
            url = route.url(**{p: _text(value) for p in route.params})
            for method in sorted(route.methods):
                response = getattr(client, method.lower())(url, {}, format="json")
                assert 400 <= response.status_code < 500, (method, url, response.status_code, response.content[:300])
                code = _error_code(response)
                if value not in IN_RANGE_UNKNOWN:
                    assert response.status_code == 404 and code in {"not_found", "georeport"}, (method, url, code)
                checked += 1
    assert checked > 250


def test_open311_request_ids_out_of_range(api) -> None:
    """Open311's ids are part of its own URL grammar (``requests/{id}.json``, ``?service_request_id=a,b``)."""
    for value in OUT_OF_RANGE + IN_RANGE_UNKNOWN + ["²", "1²"]:
        if value == "":
            continue
        for suffix in (".json", ""):
            response = api.get(f"/open311/v2/requests/{_text(value)}{suffix}")
            assert response.status_code == 404, (value, suffix, response.content[:300])
            assert _error_code(response) == "georeport"
        listed = api.get("/open311/v2/requests.json", {"service_request_id": f"1,{value}"})
        expected = 200 if value in IN_RANGE_UNKNOWN or value == " 1" else 400  # "1, 2": spaces after commas are fine
        assert listed.status_code == expected, (value, listed.content[:300])
        if expected == 400:
            assert _error_code(listed) == "georeport"


# -- query ids: every integer query parameter of the schema ---------------------------------------------------------


def test_query_ids_out_of_range_are_validation_errors(demo) -> None:
    clients = _clients(demo)
    schema = _schema(clients["resident"])
    checked = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            ids = [
                p["name"]
                for p in operation.get("parameters", [])
                if p["in"] == "query" and p["schema"].get("type") == "integer" and p["name"] not in PAGINATION
            ]
            if not ids or "{" in path:
                continue
            client = clients["clerk" if "/staff/" in path else "resident"]
            for name in ids:
                for value in OUT_OF_RANGE:
                    response = getattr(client, method)(f"{path}?{name}={_text(value)}")
                    if value == "":  # an empty filter is no filter
                        assert response.status_code == 200, (path, name, response.content[:300])
                        continue
                    assert response.status_code == 400, (method, path, name, value, response.content[:300])
                    assert _error_code(response) == "validation_error"
                    assert name in response.json()["error"]["fields"]
                for value in IN_RANGE_UNKNOWN:
                    response = getattr(client, method)(f"{path}?{name}={value}")
                    assert response.status_code == 200 and response.json()["count"] == 0, (path, name, value)
                checked.append(f"{method} {path} ?{name}")
    assert "get /api/v1/appointments/slots ?venue" in checked


def test_the_reported_slot_query_is_a_validation_error(api, demo) -> None:
    response = api.get("/api/v1/appointments/slots", {"venue": "10738102332042445173293056"})
    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"]["code"] == "validation_error"
    assert "venue" in response.json()["error"]["fields"]


# -- body ids ------------------------------------------------------------------------------------------------------

# (method, path, body field that is an id, the rest of a body that reaches the id) — compared with the schema below
BODY_IDS = [
    ("post", "/api/v1/appointments", "slot", {}),
    ("post", "/api/v1/appointments", "case", {"slot": 1, "purpose": "identity_check"}),
    ("post", "/api/v1/face/challenges", "case", {"purpose": "case"}),
    ("post", "/api/v1/face/challenges", "mandate", {"purpose": "delegation"}),
    ("post", "/api/v1/cases", "draft", {"service": "talent-housing-subsidy", "consent": True}),
]


def test_every_body_id_of_the_schema_is_walked(api) -> None:
    schema = _schema(api)
    declared = set()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {})
            body = content.get("application/json")
            if not body:
                continue
            for name, spec in _resolve(schema, body["schema"]).get("properties", {}).items():
                if spec.get("maximum") == ID_MAX:
                    declared.add((method, path, name))
    assert declared == {(m, p, n) for m, p, n, _ in BODY_IDS}


def _raw_json(client: APIClient, method: str, path: str, body: dict[str, Any], name: str, value: Any):
    """``value`` as the JSON text a client could send (1e400 and 10**30 are numbers, not strings)."""
    rest = json.dumps(body)[1:-1]
    text = "{" + (rest + ", " if rest else "") + f'"{name}": {value if isinstance(value, str) else json.dumps(value)}'
    return getattr(client, method)(path, text + "}", content_type="application/json")


@pytest.mark.parametrize(("method", "path", "name", "body"), BODY_IDS)
def test_body_ids_out_of_range_are_validation_errors(world, method, path, name, body) -> None:
    from backend.appointments.models import Booking
    from backend.faceauth.models import FaceChallenge

    client = world["victim"].client
    before = (Booking.objects.count(), FaceChallenge.objects.count())
    values = [*(json.dumps(v) for v in OUT_OF_RANGE), "1e400", "-1e400", "1e30", "1.5", "true", "[1]", "{}"]
    for value in values:
        response = _raw_json(client, method, path, body, name, value)
        assert response.status_code == 400, (path, name, value, response.content[:300])
        assert _error_code(response) == "validation_error", (path, name, value, response.content[:300])
        assert name in response.json()["error"]["fields"], (path, name, value)
    for value in IN_RANGE_UNKNOWN:
        response = _raw_json(client, method, path, body, name, str(value))
        assert response.status_code == 404, (path, name, value, response.content[:300])
    assert (Booking.objects.count(), FaceChallenge.objects.count()) == before, "nothing written"
