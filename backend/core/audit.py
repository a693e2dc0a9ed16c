"""Audit trail of unmasked reads of personal data.

Residents' API responses carry identifiers masked (``410105********1234``), so an unmasked read happens only in the
staff back office: a registry record's admin page shows the full ID number, phone, address and bank card, and a
clerk can search cases and registry rows by a full ID number. Each such read is recorded here — who, when, which
record, from which address — by a middleware, so no admin class has to remember to do it:

* ``view``: a successful GET of the admin change page of a model in :data:`PERSONAL_MODELS`;
* ``search``: a successful GET of such a model's change list with a search term (the term is stored masked).

Case timelines (``cases.CaseEvent``: who did what to which case) and registry pulls (``registries.DataAccessLog``)
are the other two audit trails; all three are read-only in the admin.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("yiwang.audit")

PERSONAL_MODELS = {
    "registries.resident",
    "registries.providentfundaccount",
    "registries.providentwithdrawal",
    "registries.property",
    "registries.householdincome",
    "accounts.user",
    "cases.case",
    "cases.postcheckcase",
    "cases.payout",
    "cases.certificate",
    "cityevents.eventreport",
    "appointments.booking",
}
_ADMIN_NAME = re.compile(r"^(?P<app>[a-z_]+)_(?P<model>[a-z]+)_(?P<view>change|changelist)$")
_LONG_DIGITS = re.compile(r"\d{5,}")


def mask_term(term: str) -> str:
    """Keep enough of a search term to know what was looked for, not enough to be the identifier."""
    return _LONG_DIGITS.sub(lambda m: m.group(0)[:4] + "*" * (len(m.group(0)) - 6) + m.group(0)[-2:], term)[:200]


def _client_ip(request: HttpRequest) -> str | None:
    from rest_framework.settings import api_settings

    forwarded, remote = request.META.get("HTTP_X_FORWARDED_FOR"), request.META.get("REMOTE_ADDR")
    proxies = api_settings.NUM_PROXIES
    if proxies and forwarded:
        addresses = [a.strip() for a in forwarded.split(",")]
        return addresses[-min(proxies, len(addresses))] or remote
    return remote


class PersonalDataAuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method == "GET" and response.status_code == 200 and request.path.startswith("/admin/"):
            try:
                self.record(request)
            except Exception:  # an audit failure is logged loudly but does not hide the page already rendered
                logger.exception("could not record the audit event for %s", request.path)
        return response

    @staticmethod
    def record(request: HttpRequest) -> None:
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        if match is None or user is None or not user.is_authenticated or not match.url_name:
            return
        parsed = _ADMIN_NAME.match(match.url_name)
        if parsed is None:
            return
        object_type = f"{parsed['app']}.{parsed['model']}"
        if object_type not in PERSONAL_MODELS:
            return
        term = request.GET.get("q", "").strip()
        if parsed["view"] == "changelist" and not term:
            return  # a list page shows masked columns only
        from .models import AuditEvent

        AuditEvent.objects.create(
            actor=user,
            actor_label=f"{getattr(user, 'display_name', '') or user.get_username()} ({getattr(user, 'role', '')})",
            action="view" if parsed["view"] == "change" else "search",
            object_type=object_type,
            object_id=str(match.kwargs.get("object_id", ""))[:64],
            query=mask_term(term),
            path=request.path[:300],
            ip=_client_ip(request),
        )
