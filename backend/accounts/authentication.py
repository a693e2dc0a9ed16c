"""DRF authentication by allauth's ``X-Session-Token``.

allauth's class declares no ``WWW-Authenticate`` value, which makes DRF answer 403 to anonymous calls; declaring
one gives the correct 401 ``not_authenticated``.
"""

from __future__ import annotations

from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from django.http import HttpRequest
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request

from .models import User


def signed_in_user(request: Request | HttpRequest) -> User:
    """The request's user, known to be signed in.

    The API's default permission (``IsAuthenticated``) turns anonymous calls away before a view runs, so this never
    refuses anyone there; it gives views and domain calls a ``User`` instead of ``User | AnonymousUser`` without a
    cast, and answers the usual 401 if a view's permissions are ever loosened by mistake.
    """
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user


class SessionTokenAuthentication(XSessionTokenAuthentication):
    def authenticate_header(self, request: Request) -> str:
        return "X-Session-Token"


class SessionTokenScheme(OpenApiAuthenticationExtension):
    target_class = "backend.accounts.authentication.SessionTokenAuthentication"
    name = "sessionToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "X-Session-Token"}
