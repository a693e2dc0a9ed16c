"""The service-module API: what a developer implements to add a government service.

A service is one class deriving from :class:`ServiceModule`: its names, department, mode, time limit, the registry
items it reads (and why), the form the resident still fills (JSON Schema), its rules, and its outcome. The case
engine does everything else: consent, registry reads with access logging, face checks, the state machine, deadlines,
notifications, the clerks' back office and the API.

Modules are found in two places (see :mod:`backend.cases.discovery`): every module of the ``backend.servicemodules``
package that defines ``service = MyService()``, and installed packages that declare an entry point in the
``yiwang.services`` group. docs/ADDING_A_SERVICE.md walks through it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

from backend.core.i18n import Text

if TYPE_CHECKING:
    from .context import Context
    from .models import Case
    from .outcomes import Outcome


class Mode(StrEnum):
    INSTANT = "instant"  # 即办: decided by the rules in seconds
    REVIEW = "review"  # 审核: a clerk decides within the time limit
    COMMITMENT = "commitment"  # 告知承诺制: approved on the resident's commitment, post-checked by a clerk


@dataclass(frozen=True)
class DataUse:
    """A registry item (see ``backend.registries.items``) the service reads, and the purpose shown to the resident."""

    key: str
    purpose: Text


@dataclass(frozen=True)
class Check:
    """The result of one rule: passed (True/False) or not applicable (None), with the registry values it used."""

    passed: bool | None
    values: dict[str, Any] = field(default_factory=dict)
    note: Text | None = None


def passed(**values: Any) -> Check:
    return Check(True, values)


def failed(note: Text | None = None, **values: Any) -> Check:
    return Check(False, values, note)


def not_applicable(note: Text | None = None) -> Check:
    return Check(None, {}, note)


@dataclass(frozen=True)
class Rule:
    """One eligibility rule. ``code`` is the public ``reason_code`` when it fails."""

    code: str
    label: Text  # the rule in plain words, e.g. "连续缴存满3个月"
    check: Callable[[Context], Check]
    fail_message: Text  # what the resident reads when it fails


class Rejected(Exception):
    """Raised by a module's ``execute`` when a rule can only be settled at write time (a lost race)."""

    def __init__(self, code: str, message: Text) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


class FormError(ValueError):
    """A form value the schema accepted but the service cannot (reported as a 400 on that field)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Proactive:
    """免申即享: the city offers the service to those who qualify, without anyone applying (``backend.proactive``).

    ``candidates(today)`` narrows the registry's residents in SQL (a :class:`~django.db.models.Q` over the
    ``Resident`` table: ``birth_date``, ``properties__…``, ``provident_accounts__…``, ``household_id``) to those the
    rules could pass for; it must be a superset of who qualifies (the rules decide, the filter only saves work). It
    is also how the scan finds residents whom time alone made candidates (an elder turning 80): those in
    ``candidates(today)`` but not in ``candidates(day of the last scan)``.

    ``period`` is what makes an offer unique for a resident: a constant (``"once"``: one offer per person, ever) or
    a function of the context after the rules passed (``lambda ctx: f"home:{ctx.scratch['property'].pk}"``: one
    per home). A resident is offered a period once; declining it is remembered, and a constant period already
    offered is not evaluated again.
    """

    candidates: Callable[[dt.date], Q]
    period: str | Callable[[Context], str] = "once"

    def period_of(self, ctx: Context) -> str:
        key = self.period if isinstance(self.period, str) else self.period(ctx)
        return str(key)[:100]


class ServiceModule:
    """Base class of a government service. Override the class attributes; override methods only where needed."""

    code: ClassVar[str]
    name: ClassVar[Text]
    department: ClassVar[str]  # Department.code
    category: ClassVar[Text]
    mode: ClassVar[Mode] = Mode.REVIEW
    requires_face: ClassVar[bool] = False
    # 亲情代办: the law wants the applicant in person (their own face), so a delegate may not file it alone.
    requires_principal_presence: ClassVar[bool] = False
    time_limit_days: ClassVar[int] = 10  # statutory limit in working days (0: decided at once)
    post_check_days: ClassVar[int | None] = None  # commitment mode: calendar days until the clerk's post-check
    summary: ClassVar[Text] = Text("", "")
    steps: ClassVar[list[Text]] = []
    data: ClassVar[list[DataUse]] = []
    form: ClassVar[dict[str, Any]] = {"type": "object", "properties": {}, "additionalProperties": False}
    certificate_title: ClassVar[Text | None] = None  # set to issue an e-certificate on approval
    # The form field holding the ID number of the person the application is for, when that is not the applicant
    # (a child): indexed on the case (blindly), so "one application per person" is one index lookup.
    subject_field: ClassVar[str | None] = None
    keywords: ClassVar[list[str]] = []
    # Metadata (like netbox's PluginConfig): the module's own version, the Yiwang versions it supports (a PEP 440
    # specifier such as ">=1.13,<2"; checked at discovery, a mismatch refuses the module), and its settings with
    # their defaults (a deployment overrides them in settings.YIWANG_SERVICE_SETTINGS[code]; read with setting()).
    version: ClassVar[str] = "0.1.0"
    yiwang_requires: ClassVar[str] = ""
    settings: ClassVar[dict[str, Any]] = {}
    # 免申即享: set to offer the service to qualifying residents before they ask (see :class:`Proactive`).
    proactive: ClassVar[Proactive | None] = None

    def clean(self, form: dict[str, Any]) -> dict[str, Any]:
        """Checks the JSON Schema cannot express (e.g. an amount above zero); raise :class:`FormError`."""
        return form

    def rules(self, ctx: Context) -> list[Rule]:
        """The rules for this application (they may depend on the form, e.g. rent vs purchase)."""
        return []

    def discovery_forms(self, ctx: Context) -> list[dict[str, Any]]:
        """Forms to try when asking "does this resident qualify now?" without a form (免申即享 discovery).

        The service counts as eligible when the rules pass for any of them. Override when the answer depends on a
        choice the resident makes (e.g. rent or purchase).
        """
        return [{}]

    def propose(self, ctx: Context) -> dict[str, Any]:
        """The outcome the rules lead to, shown to the clerk before approval (e.g. the school and category)."""
        return {}

    def execute(self, ctx: Context, case: Case) -> Outcome | Sequence[Outcome] | dict[str, Any]:
        """Carry out the approval inside the decision's transaction (pay, record, assign); return what the resident
        got as typed outcomes (:mod:`backend.cases.outcomes`). A plain dict (older modules) is still accepted and
        shown as a :class:`~backend.cases.outcomes.GenericOutcome`."""
        return dict(case.proposal or {})

    def setting(self, name: str) -> Any:
        """A setting of this service: the deployment's value (``YIWANG_SERVICE_SETTINGS[code][name]``), else the
        default declared in ``settings``. A name not declared there is a programming error, not a silent None."""
        if name not in self.settings:
            raise ImproperlyConfigured(f"{self.code} reads the setting {name!r} without declaring it in `settings`")
        overrides = getattr(django_settings, "YIWANG_SERVICE_SETTINGS", {}).get(self.code, {})
        return overrides.get(name, self.settings[name])

    # -- lifecycle hooks: the engine calls them inside the transaction of the change (cases/lifecycle.py) ----------
    def on_approved(self, ctx: Context, case: Case, outcomes: Sequence[Outcome]) -> None:
        """When the approval is complete (``case`` has its status, decision, outcomes and certificate; the engine saves
        it right after, in the same transaction): tell another system, schedule follow-ups. Raising
        :class:`Rejected` turns the approval into that rejection; any other exception rolls the decision back."""

    def on_revoked(self, case: Case, reason: str) -> None:
        """After a clerk revoked the approval (告知承诺 found false). The engine has already revoked the certificate and
        marked the case's payout for recovery; undo here whatever else ``execute()`` did (a claim, a place)."""

    def on_withdrawn(self, case: Case) -> None:
        """After the resident withdrew an open case (nothing was executed): release what the module reserved."""

    def on_post_check_expired(self, case: Case) -> None:
        """The post-check deadline of a commitment approval passed without a post-check; called once per case by
        the clock sweep (cases/tasks.py). Escalate, or note it; the case stays approved."""

    def lock(self, ctx: Context) -> None:
        """Take the row locks that make the rules and the effects safe under concurrency.

        The engine already locks the applicant's household rows (registry ``Resident``) for every decision; override
        to lock more (e.g. the provident fund account that a payout debits).
        """

    # -- helpers for the engine ----------------------------------------------------------------------------------
    def data_keys(self) -> set[str]:
        return {use.key for use in self.data}


# -- bundles (一件事一次办) --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Member:
    """One service of a bundle, and how it takes part.

    ``answers`` maps the member's own form fields to the bundle's shared form (by default a field keeps its name,
    so two members asking the same thing ask it once); ``fixed`` answers a field for the resident (the bundle
    already knows it: "the withdrawal is for a purchase"), so it is not asked at all; ``after`` names the members
    whose approval this one waits for (it needs their outcome: it is submitted only once they are approved)."""

    service: str
    answers: dict[str, str] = field(default_factory=dict)
    fixed: dict[str, Any] = field(default_factory=dict)
    after: tuple[str, ...] = ()

    def shared_name(self, member_field: str) -> str:
        return self.answers.get(member_field, member_field)


class ServiceBundle:
    """A bundle of services across departments that a resident applies for once (一件事一次办, 国发〔2024〕3号):
    one application, one consent, one face check, one reference, one result; each member still becomes a case
    of its own department, on that department's queue and statutory clock. Declared like a service (codes and
    texts only; the rules are the members' own) and discovered next to them (``bundle = MyBundle()``)."""

    code: ClassVar[str]
    name: ClassVar[Text]
    category: ClassVar[Text]
    summary: ClassVar[Text] = Text("", "")  # department-neutral: what the resident gets done, not who does it
    members: ClassVar[list[Member]] = []
    keywords: ClassVar[list[str]] = []
    version: ClassVar[str] = "0.1.0"
    yiwang_requires: ClassVar[str] = ""

    def member(self, service_code: str) -> Member | None:
        return next((m for m in self.members if m.service == service_code), None)

    def upstream_of(self, service_code: str) -> set[str]:
        """Every member ``service_code`` waits for, directly or through another member."""
        found: set[str] = set()
        todo = list(member.after) if (member := self.member(service_code)) else []
        while todo:
            code = todo.pop()
            if code not in found:
                found.add(code)
                todo += list(up.after) if (up := self.member(code)) else []
        return found

    def dependants_of(self, service_code: str) -> list[str]:
        """The members that wait for ``service_code``, directly or not, in declaration order."""
        return [m.service for m in self.members if service_code in self.upstream_of(m.service)]
