"""DRF authentication by allauth's ``X-Session-Token``.

allauth's class declares no ``WWW-Authenticate`` value, which makes DRF answer 403 to anonymous calls; declaring
one gives the correct 401 ``not_authenticated``.
"""

from __future__ import annotations

from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.request import Request


class SessionTokenAuthentication(XSessionTokenAuthentication):
    def authenticate_header(self, request: Request) -> str:
        return "X-Session-Token"


class SessionTokenScheme(OpenApiAuthenticationExtension):
    target_class = "backend.accounts.authentication.SessionTokenAuthentication"
    name = "sessionToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "X-Session-Token"}
