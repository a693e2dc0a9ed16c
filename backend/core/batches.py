"""Walking a large table in locked batches, one transaction each (key rotations, backfills)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

from django.db import transaction
from django.db.models import Model, QuerySet

_M = TypeVar("_M", bound=Model)


def locked_batches(queryset: QuerySet[_M], size: int) -> Iterator[list[_M]]:
    """Rows of ``queryset`` in primary-key order, ``size`` at a time, each batch locked (``SELECT … FOR UPDATE``)
    inside its own transaction, which commits when the caller asks for the next batch. A crash loses at most the
    batch in hand, and a restart simply walks the table again."""
    last = 0
    while True:
        with transaction.atomic():
            rows = list(queryset.select_for_update().filter(pk__gt=last).order_by("pk")[:size])
            if not rows:
                return
            yield rows
        last = rows[-1].pk
