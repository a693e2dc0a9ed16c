"""Which residents' registry data changed since a moment: the incremental half of the 免申即享 scan.

Every registry row a rule may read carries ``updated_at`` (bumped only when ``import_registry`` really changes the
row, a home's owners included), indexed. A resident counts as changed when their own row, one of their provident
fund accounts (or its withdrawals), one of their homes, or their household's income changed.

One indexed range query per table, not one statement with ``OR`` (which the planner answers by reading every
resident): the cost follows the number of changed rows, not the size of the city.
"""

from __future__ import annotations

import datetime as dt

from .models import HouseholdIncome, Property, ProvidentFundAccount, ProvidentWithdrawal, Resident


def changed_residents(since: dt.datetime) -> set[int]:
    """Primary keys of the residents whose registry data changed after ``since``."""
    changed = set(Resident.objects.filter(updated_at__gt=since).values_list("pk", flat=True))
    changed.update(ProvidentFundAccount.objects.filter(updated_at__gt=since).values_list("resident_id", flat=True))
    changed.update(
        ProvidentWithdrawal.objects.filter(created_at__gt=since).values_list("account__resident_id", flat=True)
    )
    changed.update(
        Property.owners.through.objects.filter(property__updated_at__gt=since).values_list("resident_id", flat=True)
    )
    households = list(HouseholdIncome.objects.filter(updated_at__gt=since).values_list("household_id", flat=True))
    if households:
        changed.update(Resident.objects.filter(household_id__in=households).values_list("pk", flat=True))
    return changed
