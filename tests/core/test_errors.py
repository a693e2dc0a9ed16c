"""Every error under /api/ has the contract's JSON shape — never an HTML page."""

from __future__ import annotations

import pytest
from django.urls import path
from rest_framework.test import APIClient

from backend.urls import urlpatterns as project_urls


def _boom(request):
    raise RuntimeError("unexpected")


urlpatterns = [path("api/v1/test-boom", _boom), *project_urls]

pytestmark = pytest.mark.django_db


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    return error


def test_unknown_path_is_json_404(api: APIClient) -> None:
    assert_error(api.get("/api/v1/does-not-exist"), 404, "not_found")


def test_unknown_path_is_json_404_with_debug(api: APIClient, settings) -> None:
    settings.DEBUG = True
    assert_error(api.get("/api/v1/does-not-exist"), 404, "not_found")


def test_wrong_method_is_json_405(api: APIClient) -> None:
    assert_error(api.delete("/api/v1/health"), 405, "method_not_allowed")


def test_anonymous_is_json_401(api: APIClient) -> None:
    assert_error(api.get("/api/v1/me"), 401, "not_authenticated")


def test_bad_session_token_is_json_401(api: APIClient) -> None:
    api.credentials(HTTP_X_SESSION_TOKEN="not-a-token")
    response = api.get("/api/v1/me")
    assert response.status_code == 401
    assert "error" in response.json()


def test_validation_error_lists_fields(verified_client: APIClient) -> None:
    error = assert_error(verified_client.post("/api/v1/me/real-name", {}, format="json"), 400, "validation_error")
    assert set(error["fields"]) == {"name", "id_number"}


def test_malformed_json_is_json_400(resident_client: APIClient) -> None:
    response = resident_client.generic("POST", "/api/v1/me/real-name", "{not json", content_type="application/json")
    assert_error(response, 400, "parse_error")


@pytest.mark.urls(__name__)
def test_unhandled_exception_is_json_500(settings) -> None:
    client = APIClient(raise_request_exception=False)
    assert_error(client.get("/api/v1/test-boom"), 500, "server_error")


def test_english_messages_on_request(api: APIClient) -> None:
    response = api.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["error"]["message"] == "Authentication credentials were not provided."


def test_health_schema_docs(api: APIClient) -> None:
    assert api.get("/api/v1/health").json()["status"] == "ok"
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/v1/me/real-name" in schema.json()["paths"]
    docs = api.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()  # Swagger UI comes from the bundled sidecar, offline
