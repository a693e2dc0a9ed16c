"""``signed_in_user``: the request's user as a ``User`` for typed code, and a 401 for anyone else."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from backend.accounts.authentication import signed_in_user
from backend.accounts.models import User

pytestmark = pytest.mark.django_db


def _request(user: User | None) -> Request:
    request = Request(APIRequestFactory().get("/api/v1/me"))
    request.user = user or AnonymousUser()  # what the authentication classes would have set
    return request


def test_a_signed_in_user_is_handed_back(resident) -> None:
    user = User.objects.get(phone="+86" + resident["phone"])
    assert signed_in_user(_request(user)) == user


def test_an_anonymous_request_is_not_authenticated() -> None:
    with pytest.raises(NotAuthenticated):
        signed_in_user(_request(None))


def test_the_api_still_answers_401_to_anonymous_calls(api) -> None:
    """The default permission turns anonymous calls away first: same code and shape as before."""
    response = api.get("/api/v1/me")
    assert response.status_code == 401 and response.json()["error"]["code"] == "not_authenticated"
