"""``X-Acting-For``: resolved once, where the request is authenticated.

The settings' authentication classes are these two: allauth's session token (the app) and Django's session (the
browsable API), each wrapped so that a request carrying ``X-Acting-For: <mandate id>`` is authenticated as the
*principal* for the endpoints a delegate may use, with the real user kept as ``request.delegate`` and in
``backend.core.acting`` (read by the case engine and the face check). Any other endpoint with the header is
403 ``not_while_acting``; an inactive mandate 403 ``mandate_inactive``; another person's mandate 404.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request

from backend.accounts.authentication import SessionTokenAuthentication
from backend.accounts.models import User
from backend.core import acting

#: Imported lazily below: the domain code imports DRF's views, which import the authentication classes (settings).
HEADER = "X-Acting-For"


class ActingRefused(exceptions.APIException):
    """A domain refusal raised while authenticating: DRF only lets ``APIException`` out of an authenticator cleanly
    (the request is then anonymous), so the code and status travel in one."""

    def __init__(self, error: Any) -> None:
        super().__init__(detail=str(error.message))
        self.status_code = error.status_code
        self.default_code = error.code


class ActingForMixin:
    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        result = super().authenticate(request)  # type: ignore[misc]
        value = request.headers.get(HEADER)
        if result is None or value is None:
            return result
        user, auth = result
        if not isinstance(user, User):
            return result
        from backend.core.errors import DomainError

        from . import services

        match = getattr(request._request, "resolver_match", None)
        try:
            current = services.resolve(user, value, match.url_name if match else None)
        except DomainError as error:
            raise ActingRefused(error) from error
        request._request.delegate = user  # type: ignore[attr-defined]
        request._request.acting = current  # type: ignore[attr-defined]
        acting.begin(current)
        return current.principal, auth


class ActingForTokenAuthentication(ActingForMixin, SessionTokenAuthentication):
    pass


class ActingForSessionAuthentication(ActingForMixin, SessionAuthentication):
    pass


class ActingForTokenScheme(OpenApiAuthenticationExtension):
    target_class = "backend.delegation.authentication.ActingForTokenAuthentication"
    name = "sessionToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "X-Session-Token"}


class ActingForSessionScheme(OpenApiAuthenticationExtension):
    target_class = "backend.delegation.authentication.ActingForSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
