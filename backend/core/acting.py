"""Acting for someone else (亲情代办): who is really behind a request, for the apps below the delegation app.

The delegation app resolves ``X-Acting-For`` once per request (its authentication class): with a valid mandate
the request's user becomes the *principal*, and the real person, the *delegate*, is kept here for the length of the
request. The case engine and the face check read it without importing the delegation app (which sits above them):
a case records who submitted it, the access log names the delegate as the reader, a face check uses the delegate's
face, and a service outside the mandate's scope is refused.

The value lives in a context variable that the delegation middleware resets after every request, so it never
leaks into the next request served by the same thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Acting:
    """A request made by ``delegate`` for ``principal`` under mandate ``mandate_id``.

    ``services`` is the mandate's scope: ``None`` for every service, else the service codes it covers."""

    mandate_id: int
    principal: Any
    delegate: Any
    services: frozenset[str] | None

    def covers(self, service_code: str) -> bool:
        return self.services is None or service_code in self.services

    def require(self, service_code: str) -> None:
        """403 ``outside_mandate`` for a service the mandate does not cover."""
        from .errors import Forbidden  # errors imports DRF's views, which import the authentication that uses this

        if not self.covers(service_code):
            raise Forbidden("outside_mandate", _("该事项不在代办授权范围内。"))


_current: ContextVar[Acting | None] = ContextVar("yiwang_acting", default=None)


def current() -> Acting | None:
    """The mandate this request acts under, or ``None`` when the user acts for themselves."""
    return _current.get()


def delegate_of(user: Any) -> Any:
    """The real person behind an action of ``user``: the delegate when acting for ``user``, else ``user``."""
    acting = _current.get()
    if acting is not None and user is not None and getattr(user, "pk", None) == getattr(acting.principal, "pk", 0):
        return acting.delegate
    return user


def begin(acting: Acting | None) -> None:
    """Set by the delegation app's authentication; undone by :func:`request_scope` when the request ends."""
    _current.set(acting)


@contextmanager
def request_scope() -> Iterator[None]:
    """Wraps one request: whatever the request sets is forgotten afterwards."""
    token = _current.set(None)
    try:
        yield
    finally:
        _current.reset(token)


def face_and_target(user: Any) -> tuple[Any, Any]:
    """(whose face is checked, whose target it is, or ``None`` for the same person) for a face challenge of ``user``."""
    real = delegate_of(user)
    return (real, user) if real is not user else (user, None)
