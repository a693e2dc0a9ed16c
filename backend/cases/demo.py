"""Demo cases, made through the case engine so the clerks' queues and the cockpit are not empty after `make run`.

Only residents without a registry photo are used (they cannot do the face demo anyway), so the photo holders stay
unbound for the real-name and face flows. Idempotency keys make a second run create nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from backend.accounts.models import User
from backend.registries.identity import bind_real_name
from backend.registries.models import Resident

from . import services

DEMO_CASES = [
    ("+8613800000010", "public-rental-housing", {}),  # 吴敏: income 2000 → in review at the housing bureau
    ("+8613800000013", "talent-housing-subsidy", {"degree": "master", "employer": "郑州大学"}),  # counter-verified
    ("+8613800000012", "deed-tax-subsidy", {}),  # 冯雪: pending face check (or counter check by a clerk)
]


def load(today: dt.date, log: Callable[[str], None]) -> None:
    created = 0
    for phone, service, form in DEMO_CASES:
        user = User.objects.filter(phone=phone).first()
        resident = Resident.objects.filter(phone=phone).first()
        if user is None or resident is None:
            continue
        if resident.account_id is None:
            bind_real_name(user, resident.name, resident.id_number)
        case, was_created = services.submit(user, service, form, True, idempotency_key=f"demo:{service}:{today.year}")
        created += was_created
        if was_created and service == "talent-housing-subsidy":
            clerk = User.objects.filter(role="clerk", department__code="housing").first()
            if clerk is not None:
                services.verify_identity_at_counter(clerk, case.pk, "演示：窗口核验身份证件")
    log(f"demo cases: {created} created")
