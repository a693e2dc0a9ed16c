"""Content-Security-Policy for what a browser renders from this server: the admin (clerks' back office), the cockpit,
and the JSON API.

Django's ``SecurityMiddleware`` already sends HSTS (when ``SECURE_HSTS_SECONDS``), ``X-Content-Type-Options``,
``Referrer-Policy`` and ``Cross-Origin-Opener-Policy``; ``XFrameOptionsMiddleware`` sends ``X-Frame-Options: DENY``.
What is left is CSP, which makes an XSS in a clerk's page (a resident-typed event description, a case note) unable
to run script or send data elsewhere:

* ``/admin/`` and ``/cockpit/``: scripts and styles from this origin only (inline *styles* allowed: Django admin
  widgets set style attributes; inline *scripts* are not — put them in static files), images also as ``data:``
  (QR codes), no plugins, no framing, forms post back here only.
* ``/api/``: ``default-src 'none'`` — JSON is never a document; an uploaded file served back (event photos) cannot
  become one either. The Swagger UI at ``/api/v1/docs/`` needs its inline bootstrap script and is left out.

A policy is only added where a response has none, so a view can send its own.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

STAFF_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
STAFF_PREFIXES = ("/admin/", "/cockpit/")
API_PREFIXES = ("/api/", "/open311/")
EXEMPT_PREFIXES = ("/api/v1/docs/",)


def policy_for(path: str) -> str | None:
    if path.startswith(EXEMPT_PREFIXES):
        return None
    if path.startswith(STAFF_PREFIXES):
        return STAFF_POLICY
    if path.startswith(API_PREFIXES):
        return API_POLICY
    return None


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = policy_for(request.path)
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
