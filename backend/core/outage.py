"""Telling an outage of a backing service from a bug.

``django.db.OperationalError`` and ``InterfaceError`` are what the drivers raise when the database cannot be reached,
restarts, or terminates our connection mid-request (``pg_terminate_backend``, a failover). Such a request can be
retried once the database is back: the API answers 503 ``service_unavailable`` with ``Retry-After`` instead of a 500.
Everything a request wrote before the failure was inside a transaction that the database rolls back, so nothing
half-written remains (a case is created, recorded and decided in one ``atomic`` block).

Not every ``OperationalError`` is an outage: SQLite raises it for "database is locked" and PostgreSQL for a
statement timeout or a serialization failure; those are still unavailability from the client's point of view (retry
later), so they map to 503 too. Programming errors (``ProgrammingError``, ``IntegrityError``, ``DataError``) stay 500.

Errors raised inside an inner middleware never reach ``process_exception``: Django converts them into a 500 response
right there. The ``got_request_exception`` signal still sees them; :func:`mark_outage` flags the request so
:class:`~backend.core.middleware.ApiErrorMiddleware` can answer 503 all the same.
"""

from __future__ import annotations

from typing import Any

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest

RETRY_AFTER_SECONDS = 5
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
_FLAG = "_yiwang_backing_service_outage"


def is_outage(exc: BaseException | None) -> bool:
    """True for a database outage, also when it is the cause or context of another exception."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OUTAGE_ERRORS):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def marked_outage(request: HttpRequest) -> bool:
    return bool(getattr(request, _FLAG, False))


@receiver(got_request_exception, dispatch_uid="yiwang-mark-outage")
def mark_outage(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    import sys

    if request is not None and is_outage(sys.exc_info()[1]):
        setattr(request, _FLAG, True)
