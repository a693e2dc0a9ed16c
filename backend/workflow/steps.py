"""The part of a workflow that cases and city events share: a locked transition, its timeline line and its notice.

Every status change of a case (:mod:`backend.cases.services`) and of a city event
(:mod:`backend.cityevents.services`) runs the same four steps inside one transaction:

1. **lock** the object's row (``select_for_update``, :func:`lock`), so two clerks, or a clerk and the resident,
   cannot both act on the state they read;
2. **check** the action against the app's transition table (:meth:`Workflow.require`): anything the table does not
   allow is 409 ``invalid_transition``, in the app's own words;
3. the app's own **effect** (status, timestamps, payouts, certificates: never here);
4. **record** (:meth:`Workflow.record`): one timeline line, and the notice to the person the object belongs to,
   rendered in Chinese and English (``notify_translated``) after the transaction commits.

The core knows neither app's models: an app describes itself with a :class:`Workflow` of three callables (its
table, its timeline writer, its notice), over objects that have a ``status``. Each app keeps its models, its table
and its effects; what is written once here is the order of the steps and the shape of what they exchange.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from django.db import models, transaction

from backend.core.errors import Conflict
from backend.core.i18n import Text
from backend.notifications.services import notify_translated

if TYPE_CHECKING:  # a typing-only package: not a runtime dependency (backend/core/generics.py)
    from django_stubs_ext import StrPromise


class Stateful(Protocol):
    """What the core needs of a workflow object: a primary key and a status.

    Read-only members: a model's ``status`` is a field that also accepts other types on assignment, so a plain
    ``status: str`` attribute (read *and* write as ``str``) would not match ``Case`` or ``EventReport``."""

    @property
    def pk(self) -> Any: ...

    @property
    def status(self) -> str: ...


S = TypeVar("S", bound=Stateful)
M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Step:
    """One timeline line as the core hands it to an app's writer. ``note`` is a ``Text`` (system notes, both
    languages) or a person's free text (shown as written); ``from_status``/``to_status`` are empty for a line that
    changes no status (a rating, a verified identity)."""

    action: str
    actor: Any = None
    note: str | Text = ""
    from_status: str = ""
    to_status: str = ""
    at: dt.datetime | None = None


@dataclass(frozen=True)
class Notice:
    """What to tell whom: ``render()`` returns (title, body) and is called once per language."""

    recipient: Any
    kind: str
    render: Callable[[], tuple[str, str]]
    target: dict[str, Any]

    def send(self) -> None:
        notify_translated(self.recipient, self.kind, self.render, self.target)


def lock(queryset: models.QuerySet[M] | models.Manager[M], **lookup: Any) -> M | None:
    """The row matching ``lookup`` under a row lock, fresh from the database, or None.

    Must run inside ``transaction.atomic()``: outside one, PostgreSQL refuses the lock and SQLite would silently
    take none, so the mistake is caught on both."""
    if not transaction.get_connection(queryset.db).in_atomic_block:
        raise RuntimeError("workflow.lock() outside transaction.atomic(): the row lock would not be held")
    return queryset.select_for_update().filter(**lookup).first()


@dataclass(frozen=True)
class Workflow(Generic[S]):
    """An app's workflow, as the core runs it.

    ``allows(obj, action)`` is the app's transition table; ``write(obj, step)`` appends one line to the app's
    timeline; ``notice(obj, step)`` says what the object's person is told about that line (None: nothing)."""

    allows: Callable[[S, str], bool]
    write: Callable[[S, Step], None]
    notice: Callable[[S, Step], Notice | None]

    def require(self, obj: S, action: str, refused: str | StrPromise | Callable[[S], str]) -> S:
        """409 ``invalid_transition`` unless the table allows ``action`` from the object's (locked) status."""
        if not self.allows(obj, action):
            raise Conflict("invalid_transition", refused(obj) if callable(refused) else refused)
        return obj

    def record(self, obj: S, step: Step, *, notify: bool = True) -> None:
        """The timeline line, then (unless ``notify`` is false) the notice; inside the caller's transaction, so a
        rollback takes both back (the push itself is queued only after commit, by ``notify``)."""
        self.write(obj, step)
        if notify:
            notice = self.notice(obj, step)
            if notice is not None:
                notice.send()
