"""Counters taken under a row lock: reference numbers and waitlist numbers never repeat."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Sequence


def next_value(name: str) -> int:
    with transaction.atomic():
        Sequence.objects.get_or_create(name=name)
        Sequence.objects.filter(name=name).update(value=F("value") + 1)
        return Sequence.objects.select_for_update().get(name=name).value


def next_reference() -> str:
    year = timezone.localdate().year
    return f"{settings.CITY_CODE}-{year}-{next_value(f'case:{year}'):06d}"
