"""The decision context: the registry data one decision may read, read once and logged.

Zero-material (零材料) in code: a service reads only the items it declared, only after the resident's consent
(the engine does not build a context without it), and every department it read from gets one access-log row with
the items, the purpose and the case.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from backend.accounts.models import Department, User
from backend.registries.access import record_access
from backend.registries.items import ITEMS
from backend.registries.models import ActorType, BirthCertificate, DataAccessLog, Resident

from .plugins import ServiceModule

if TYPE_CHECKING:
    from .models import Case


@dataclass(frozen=True)
class CaseRow:
    pk: int
    status: str
    resident_id: int
    household_id: str


@dataclass(frozen=True)
class CaseSnapshot:
    """The cases of one service for a batch of residents and their households, read in one query by a caller that
    evaluates many residents at once (the 免申即享 scan), so :func:`backend.cases.sdk.has_other_case` need not ask
    the database once per resident. Covers matches on ``resident`` and ``household_id`` only."""

    service_code: str
    rows: tuple[CaseRow, ...]

    def matches(self, statuses: list[str], match: dict[str, Any]) -> list[CaseRow] | None:
        """The rows matching, or None when the snapshot cannot answer this ``match``."""
        if not set(match) <= {"resident", "household_id"}:
            return None
        found = [row for row in self.rows if row.status in statuses]
        if "resident" in match:
            resident = match["resident"]
            found = [row for row in found if row.resident_id == getattr(resident, "pk", resident)]
        if "household_id" in match:
            found = [row for row in found if row.household_id == match["household_id"]]
        return found


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
        proactive_scan: bool = False,
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
        self.proactive_scan = proactive_scan  # 免申即享: the city's scan, not a request of the resident
        self._cache: dict[str, Any] = {}
        self._read: dict[str, set[str]] = defaultdict(set)
        self.scratch: dict[str, Any] = {}  # for rules to hand results to propose()/execute()
        # Batch callers (the 免申即享 scan): items already read for many residents at once, and the service's cases
        self._preloaded: dict[str, Any] = {}
        self.cases: CaseSnapshot | None = None

    def preload(self, values: dict[str, Any]) -> None:
        """Item values read in a batch for this resident: the first ``item(key)`` takes them (and logs the read)
        instead of reading again. Only declared items are ever handed out, as for a normal read."""
        self._preloaded.update(values)

    def item(self, key: str) -> Any:
        if key not in self.service.data_keys():
            raise ImproperlyConfigured(f"{self.service.code} reads {key!r} without declaring it in `data`")
        if key not in self._cache:
            spec = ITEMS[key]
            self._cache[key] = self._preloaded.pop(key) if key in self._preloaded else spec.read(self.resident)
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
                proactive_scan=self.proactive_scan,
            )
        self._read.clear()

    def items_read(self) -> dict[str, set[str]]:
        """The items read so far, by department (what a 免申即享 offer says it used)."""
        return {department: set(keys) for department, keys in self._read.items()}

    def take_access_logs(self, departments: dict[str, Department]) -> list[DataAccessLog]:
        """The access-log rows of the reads so far, unsaved, for a caller that writes many at once (the scan);
        the reads are then cleared, as by :meth:`log_access`."""
        logs = [
            DataAccessLog(
                subject=self.resident,
                department=departments[department],
                items=sorted(keys),
                purpose=self.purpose,
                actor=self.actor,
                actor_type=self.actor_type,
                proactive_scan=self.proactive_scan,
            )
            for department, keys in sorted(self._read.items())
        ]
        self._read.clear()
        return logs
