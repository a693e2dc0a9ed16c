"""Accepts the national phone format at allauth's headless endpoints.

allauth's headless login input validates phones strictly as E.164 before any adapter hook runs, while residents
(and the contract's clients) send ``13800000001``. Rewriting the JSON body at the edge keeps allauth untouched and
storage canonical.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .phones import to_e164

ALLAUTH_PREFIX = "/_allauth/"


class NormalizePhoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.path.startswith(ALLAUTH_PREFIX)
            and request.method in {"POST", "PUT", "PATCH"}
            and request.content_type == "application/json"
        ):
            self._rewrite(request)
        return self.get_response(request)

    @staticmethod
    def _rewrite(request: HttpRequest) -> None:
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return  # allauth answers malformed JSON itself
        if isinstance(data, dict) and isinstance(data.get("phone"), str):
            data["phone"] = to_e164(data["phone"])
            request._body = json.dumps(data).encode()
