"""Scopes ``backend.core.acting`` to one request and writes the use of a mandate once the response is known."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from backend.core import acting

from . import services


class ActingForMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with acting.request_scope():
            response = self.get_response(request)
            current = acting.current()
            if current is not None:
                match = request.resolver_match
                data = getattr(response, "data", None)
                reference = data.get("reference_no", "") if isinstance(data, dict) else ""
                failed_face = isinstance(data, dict) and data.get("verified") is False  # 200, but nothing changed
                services.record_use(
                    current,
                    request.method or "",
                    request.path,
                    match.url_name or "" if match else "",
                    response.status_code,
                    reference if isinstance(reference, str) else "",
                    changed=not failed_face,
                )
        return response
