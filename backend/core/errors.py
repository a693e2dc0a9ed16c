"""One error shape for the whole API: ``{"error": {"code", "message", "fields"?}}`` (DESIGN §3.2).

Domain functions raise :class:`DomainError` with a stable snake_case code; the DRF exception handler below and
:class:`backend.core.middleware.ApiErrorMiddleware` turn every failure under ``/api/`` into that shape, so no view
writes error bodies by hand and clients can switch on ``code`` alone.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_default_handler
from rest_framework.views import set_rollback


class DomainError(Exception):
    """A business rule said no. ``code`` is part of the public contract; ``message`` is for people."""

    status_code: int = status.HTTP_400_BAD_REQUEST

    def __init__(
        self,
        code: str,
        message: Any,
        *,
        status_code: int | None = None,
        fields: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.fields = fields
        self.headers = headers or {}
        #: Further members of the error object, documented per endpoint (e.g. the face check's ``advice``).
        self.extra = extra or {}
        if status_code is not None:
            self.status_code = status_code


class NotFound(DomainError):
    status_code = status.HTTP_404_NOT_FOUND

    def __init__(self, message: Any = None, code: str = "not_found") -> None:
        super().__init__(code, message or _("未找到该资源。"))


class Conflict(DomainError):
    status_code = status.HTTP_409_CONFLICT


class Forbidden(DomainError):
    status_code = status.HTTP_403_FORBIDDEN


class Unprocessable(DomainError):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY


def error_body(
    code: str, message: Any, fields: dict[str, Any] | None = None, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": str(message)}
    if fields:
        body["fields"] = fields
    for key, value in (extra or {}).items():
        body.setdefault(key, value)  # never overrides code/message/fields
    return {"error": body}


_DRF_CODES: dict[type[exceptions.APIException], str] = {
    exceptions.ValidationError: "validation_error",
    exceptions.ParseError: "parse_error",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}


def _flatten(detail: Any) -> Any:
    """DRF ErrorDetail trees → plain strings/lists/dicts for the ``fields`` member."""
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(value) for value in detail]
    return str(detail)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF ``EXCEPTION_HANDLER``: every handled error in the contract's shape."""
    from .outage import RETRY_AFTER_SECONDS, is_outage

    if isinstance(exc, DomainError):
        headers = dict(exc.headers)
        if exc.status_code == status.HTTP_503_SERVICE_UNAVAILABLE:
            headers.setdefault("Retry-After", str(RETRY_AFTER_SECONDS))
        return Response(
            error_body(exc.code, exc.message, exc.fields, exc.extra), status=exc.status_code, headers=headers
        )
    if is_outage(exc):  # the database is unreachable or went away mid-request: retry later, not a bug (outage.py)
        set_rollback()
        return Response(
            error_body("service_unavailable", _("服务暂时不可用，请稍后再试。")),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404):
        return Response(error_body("not_found", _("未找到该资源。")), status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_default_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), None) or exc.default_code
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        if isinstance(fields, list):
            fields = {"non_field_errors": fields}
        message = _("提交的数据有误，请检查后重试。")
        response.data = error_body(code, message, fields)
    else:
        detail = exc.detail
        response.data = error_body(code, detail if isinstance(detail, str) else _flatten(detail))
    return response
