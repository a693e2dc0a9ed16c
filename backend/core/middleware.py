"""Guarantees that nothing under ``/api/`` (or ``/open311/``) ever answers with an HTML error page.

DRF's exception handler covers errors raised inside API views; this middleware covers the rest: URLs that do not
resolve (Django's 404 page, also the DEBUG technical page), 405s from plain Django views, and unhandled exceptions
(500). It rewrites such responses into the contract's JSON error shape.

A database that cannot be reached (connection refused, server restarting, connection terminated mid-request) is not
a bug of ours but an outage: it answers 503 ``service_unavailable`` with ``Retry-After``, so clients and load
balancers retry instead of showing "server error". See :mod:`backend.core.outage`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .errors import error_body
from .outage import RETRY_AFTER_SECONDS, is_outage, marked_outage

logger = logging.getLogger(__name__)

JSON_PREFIXES = ("/api/",)

_GENERIC = {
    400: ("bad_request", gettext_noop("请求无效。")),
    401: ("not_authenticated", gettext_noop("请先登录。")),
    403: ("permission_denied", gettext_noop("您无权执行此操作。")),
    404: ("not_found", gettext_noop("未找到该资源。")),
    405: ("method_not_allowed", gettext_noop("不支持该请求方法。")),
    413: ("payload_too_large", gettext_noop("上传的内容过大。")),
    429: ("throttled", gettext_noop("请求过于频繁，请稍后再试。")),
    500: ("server_error", gettext_noop("服务器出错了，请稍后再试。")),
    503: ("service_unavailable", gettext_noop("服务暂时不可用，请稍后再试。")),
}


def generic_error(status: int) -> JsonResponse:
    code, message = _GENERIC.get(status, _GENERIC[500] if status >= 500 else _GENERIC[400])
    response = JsonResponse(error_body(code, _(message)), status=status, json_dumps_params={"ensure_ascii": False})
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class ApiErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(JSON_PREFIXES) and response.status_code == 500 and marked_outage(request):
            return generic_error(503)  # a database outage raised in an inner middleware
        if (
            request.path.startswith(JSON_PREFIXES)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return generic_error(response.status_code)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not request.path.startswith(JSON_PREFIXES):
            return None
        if is_outage(exception):
            logger.error("Database unavailable on %s %s: %s", request.method, request.path, exception)
            return generic_error(503)
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        return generic_error(500)
