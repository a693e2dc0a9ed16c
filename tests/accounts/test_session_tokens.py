"""The session token (X-Session-Token) is looked up with one session query (backend/accounts/tokens.py) — and an
unknown, malformed, logged-out or expired token is still refused with 401."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import login

pytestmark = pytest.mark.django_db


def token_of(client: APIClient) -> str:
    return client._credentials["HTTP_X_SESSION_TOKEN"]


def with_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_SESSION_TOKEN=token)
    return client


def test_a_valid_token_costs_one_session_query(resident) -> None:
    client = login(resident["phone"])
    client.get("/api/v1/me")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/me").status_code == 200
    sessions = [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]
    users = [q["sql"] for q in queries.captured_queries if 'FROM "accounts_user"' in q["sql"]]
    assert len(sessions) == 1 and len(users) == 1, sessions + users  # allauth's own strategy: 2 session queries


@pytest.mark.parametrize("token", ["x" * 32, "short", "", "%00" * 10])
def test_unknown_or_malformed_tokens_are_401(token: str) -> None:
    response = with_token(token).get("/api/v1/me")
    assert response.status_code == 401 and response.json()["error"]["code"] == "not_authenticated"


def test_a_logged_out_token_is_401(resident) -> None:
    client = login(resident["phone"])
    assert client.delete("/_allauth/app/v1/auth/session").status_code == 401  # allauth: logged out
    assert client.get("/api/v1/me").status_code == 401


def test_an_expired_token_is_401(resident) -> None:
    client = login(resident["phone"])
    Session.objects.filter(session_key=token_of(client)).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/api/v1/me").status_code == 401
