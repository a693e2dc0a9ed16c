"""Where an application comes from, when it is not typed afresh: an extension point of ``POST /cases``.

A submission may name an object of another app that it continues (today: a draft, ``{"draft": id}``). The cases
app must not import that app (it sits above cases: it reads cases' identifiers and calls :func:`services.submit`),
so the other app registers a :class:`Source` in its ``AppConfig.ready()`` — the way face purposes are registered
with faceauth — and the case API asks the registered sources, in order, before anything else is read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from backend.accounts.models import User

from .models import Case

#: ``submit(user, service_code, form, consent, idempotency_key)`` as :func:`backend.cases.services.submit`.
Submit = Callable[[User, str, Any, Any, "str | None"], tuple[Case, bool]]


@dataclass(frozen=True)
class Source:
    """``claim(user, value, idempotency_key)`` checks the named object first (404 when it is not the caller's) and
    returns its id; ``submit(id)`` is the submission to run instead of the plain one, in one transaction with what
    the source does to its object (a draft is deleted with the case it becomes)."""

    field: str
    claim: Callable[[User, Any, str | None], int | None]
    submit: Callable[[int], Submit]


_SOURCES: dict[str, Source] = {}


def register_source(source: Source) -> None:
    _SOURCES[source.field] = source


def submission_for(user: User, body: Any, idempotency_key: str | None, default: Submit) -> Submit:
    """The submit function for this request body: a registered source's when the body names one, else ``default``."""
    get = body.get if hasattr(body, "get") else (lambda _key: None)
    for source in _SOURCES.values():
        claimed = source.claim(user, get(source.field), idempotency_key)
        if claimed is not None:
            return source.submit(claimed)
    return default
