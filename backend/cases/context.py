"""The decision context: the registry data one decision may read, read once and logged.

Zero-material (零材料) in code: a service reads only the items it declared, only after the resident's consent
(the engine does not build a context without it), and every department it read from gets one access-log row with
the items, the purpose and the case.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from backend.accounts.models import User
from backend.registries.access import record_access
from backend.registries.items import ITEMS
from backend.registries.models import ActorType, BirthCertificate, Resident

from .plugins import ServiceModule

if TYPE_CHECKING:
    from .models import Case


class Context:
    def __init__(
        self,
        service: ServiceModule,
        resident: Resident,
        *,
        form: dict[str, Any] | None = None,
        user: User | None = None,
        today: dt.date | None = None,
        case: Case | None = None,
        purpose: str = "",
        actor: User | None = None,
        actor_type: str = ActorType.SYSTEM,
    ) -> None:
        self.service = service
        self.resident = resident
        self.form = form or {}
        self.user = user
        self.today = today or timezone.localdate()
        self.case = case
        self.purpose = purpose or str(service.name)
        self.actor = actor
        self.actor_type = actor_type
        self._cache: dict[str, Any] = {}
        self._read: dict[str, set[str]] = defaultdict(set)
        self.scratch: dict[str, Any] = {}  # for rules to hand results to propose()/execute()

    def item(self, key: str) -> Any:
        if key not in self.service.data_keys():
            raise ImproperlyConfigured(f"{self.service.code} reads {key!r} without declaring it in `data`")
        if key not in self._cache:
            spec = ITEMS[key]
            self._cache[key] = spec.read(self.resident)
            self._read[spec.department].add(key)
        return self._cache[key]

    def refresh(self, key: str) -> Any:
        """Read an item again (after taking a lock), still logged once."""
        self._cache.pop(key, None)
        return self.item(key)

    def birth_certificate(self, number: str) -> BirthCertificate | None:
        """The birth medical certificate numbered ``number`` on which the applicant is a parent, else None: a read of
        the declared item ``health.birth_certificates`` (the parent's own data), never of anybody else's."""
        wanted = number.strip().upper()
        certificates: list[BirthCertificate] = self.item("health.birth_certificates")
        return next((c for c in certificates if c.certificate_no == wanted), None)

    def log_access(self) -> None:
        """Write one access-log row per department read; called once at the end of the decision or dry run."""
        for department, keys in sorted(self._read.items()):
            record_access(
                subject=self.resident,
                department=department,
                items=keys,
                purpose=self.purpose,
                actor=self.actor,
                actor_type=self.actor_type,
                case_id=self.case.pk if self.case else None,
                case_reference=self.case.reference_no if self.case else "",
            )
        self._read.clear()
