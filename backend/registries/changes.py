"""Which residents' registry data changed since a moment: the incremental half of the 免申即享 scan.

Every registry row a rule may read carries ``updated_at`` (bumped only when ``import_registry`` really changes the
row, a home's owners included), indexed. A resident counts as changed when their own row, one of their provident
fund accounts (or its withdrawals), one of their homes, or their household's income changed. The answer is a
subquery of resident keys, so the caller can combine it with its own filters in one statement.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from .models import HouseholdIncome, Property, ProvidentFundAccount, Resident


def changed_residents(since: dt.datetime) -> QuerySet[Resident, int]:
    """Primary keys of the residents whose registry data changed after ``since`` (a ``values_list`` subquery)."""
    fund_owners = ProvidentFundAccount.objects.filter(
        Q(updated_at__gt=since) | Q(withdrawals__created_at__gt=since)
    ).values("resident_id")
    home_owners = Property.owners.through.objects.filter(property__updated_at__gt=since).values("resident_id")
    households = HouseholdIncome.objects.filter(updated_at__gt=since).values("household_id")
    return Resident.objects.filter(
        Q(updated_at__gt=since) | Q(pk__in=fund_owners) | Q(pk__in=home_owners) | Q(household_id__in=households)
    ).values_list("pk", flat=True)


__all__ = ["changed_residents"]
