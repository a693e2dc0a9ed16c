"""Typed outcomes: what an approved case gave the resident, and how it reads on a screen.

A module's ``execute()`` returns one of these (or a list); the engine stores two things from it:

* ``Case.decision`` — :meth:`Outcome.as_dict`, exactly the dict modules returned before outcomes were typed (the API's
  ``decision`` field and the outside conformance check read those keys; they never change);
* ``Case.outcomes`` — ``[{"kind": …, "data": …}]``, enough to rebuild the outcome, so its display rows render in the
  reader's language at read time (never frozen strings).

:func:`decision_rows` renders a case's rows ``[{"label", "value"}]`` for the API's ``decision_rows``; a case decided
before ``Case.outcomes`` existed is rendered from its stored decision (``type`` names the kind). A module that still
returns a plain dict gets a :class:`GenericOutcome` whose rows are its keys and values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django.core.exceptions import ImproperlyConfigured

from backend.core.i18n import Text

Value = Text | str


@dataclass(frozen=True)
class Row:
    """One display row: a label and a value, each either bilingual (:class:`Text`) or a plain string."""

    label: Text
    value: Value

    def render(self) -> dict[str, str]:
        return {"label": str(self.label), "value": str(self.value)}

    def as_data(self) -> dict[str, Any]:
        return {"label": self.label.as_dict(), "value": _text_data(self.value)}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Row:
        return cls(_text(data.get("label")), _value(data.get("value")))


def _text_data(value: Value) -> dict[str, str] | str:
    return value.as_dict() if isinstance(value, Text) else value


def _text(value: Any) -> Text:
    if isinstance(value, Mapping):
        zh = str(value.get("zh", ""))
        return Text(zh, str(value.get("en", "") or zh))
    return Text(str(value or ""), str(value or ""))


def _value(value: Any) -> Value:
    return _text(value) if isinstance(value, Mapping) else str("" if value is None else value)


def _is_text(value: Any) -> bool:
    return isinstance(value, Mapping) and set(value) == {"zh", "en"}


def _amount(value: Any) -> Decimal:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return Decimal("0.00")


def _yuan(amount: Decimal) -> str:
    return f"¥{amount:.2f}"


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


ASSIGNED = Text("分配结果", "Assigned")
SCHOOL = Text("分配学校", "School")
ISSUED = Text("已生成", "Issued")
E_CERTIFICATE = Text("电子证照", "E-certificate")


class Outcome:
    """Base of the outcome types. ``kind`` is the stored discriminator (the decision's ``type`` for the seed kinds)."""

    kind: ClassVar[str]

    def as_dict(self) -> dict[str, Any]:
        """The decision dict as stored in ``Case.decision`` and returned as the API's ``decision``."""
        raise NotImplementedError

    def rows(self) -> list[Row]:
        """The display rows, bilingual; rendered in the reader's language by :func:`decision_rows`."""
        raise NotImplementedError

    def data(self) -> dict[str, Any]:
        """What ``Case.outcomes`` keeps to rebuild the outcome (JSON values only). Defaults to :meth:`as_dict`."""
        return self.as_dict()

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Outcome:
        raise NotImplementedError

    def stored(self) -> dict[str, Any]:
        return {"kind": self.kind, "data": self.data()}


@dataclass(frozen=True)
class Payout(Outcome):
    """Money paid to the resident: the amount, the account (masked), and when it arrives if not at once."""

    kind: ClassVar[str] = "payout"
    amount: Decimal
    account_masked: str = ""
    expected_date: dt.date | None = None
    reason: str | None = None  # the form's reason (e.g. rent / purchase), kept in the decision as before
    reason_label: Text | None = None

    def as_dict(self) -> dict[str, Any]:
        decision: dict[str, Any] = {"type": "payout", "amount": f"{self.amount:.2f}"}
        if self.account_masked:
            decision["to_account_masked"] = self.account_masked
        if self.expected_date is not None:
            decision["expected_date"] = self.expected_date.isoformat()
        if self.reason is not None:
            decision["reason"] = self.reason
        return decision

    def data(self) -> dict[str, Any]:
        label = {"reason_label": self.reason_label.as_dict()} if self.reason_label else {}
        return {**self.as_dict(), **label}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Payout:
        label = data.get("reason_label")
        return cls(
            amount=_amount(data.get("amount")),
            account_masked=str(data.get("to_account_masked") or ""),
            expected_date=_date(data.get("expected_date")),
            reason=data.get("reason"),
            reason_label=_text(label) if label else None,
        )

    def rows(self) -> list[Row]:
        rows = [Row(Text("到账金额", "Amount paid"), _yuan(self.amount))]
        if self.account_masked:
            rows.append(Row(Text("收款账户", "To account"), self.account_masked))
        if self.reason_label is not None:
            rows.append(Row(Text("提取原因", "Reason"), self.reason_label))
        if self.expected_date is not None:
            rows.append(Row(Text("预计到账", "Expected on"), self.expected_date.isoformat()))
        return rows


@dataclass(frozen=True)
class Assignment(Outcome):
    """A place assigned (a school, a clinic, a parking space), optionally with a category and a year.

    ``place_key``/``year_key`` are the decision's keys for them (the school enrolment stores ``school`` and
    ``enrolment_year``)."""

    kind: ClassVar[str] = "assignment"
    place: str
    category: str | None = None
    year: int | None = None
    place_label: Text = ASSIGNED
    place_key: str = "place"
    year_key: str = "year"

    def as_dict(self) -> dict[str, Any]:
        decision: dict[str, Any] = {"type": "assignment", self.place_key: self.place}
        if self.category is not None:
            decision["category"] = self.category
        if self.year is not None:
            decision[self.year_key] = self.year
        return decision

    def data(self) -> dict[str, Any]:
        keys = {"place_key": self.place_key, "year_key": self.year_key, "place_label": self.place_label.as_dict()}
        return {**self.as_dict(), **keys}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Assignment:
        place_key = str(data.get("place_key") or ("school" if "school" in data else "place"))
        year_key = str(data.get("year_key") or ("enrolment_year" if "enrolment_year" in data else "year"))
        label = data.get("place_label")
        year = data.get(year_key)
        return cls(
            place=str(data.get(place_key) or ""),
            category=data.get("category"),
            year=int(year) if year is not None else None,
            place_label=_text(label) if label else (SCHOOL if place_key == "school" else ASSIGNED),
            place_key=place_key,
            year_key=year_key,
        )

    def rows(self) -> list[Row]:
        rows = [Row(self.place_label, self.place)]
        if self.category:
            rows.append(Row(Text("类别", "Category"), Text(f"{self.category}类", f"Category {self.category}")))
        if self.year is not None:
            rows.append(Row(Text("年度", "Year"), str(self.year)))
        return rows


@dataclass(frozen=True)
class WaitlistNumber(Outcome):
    """A position in a queue (公租房轮候号): the number residents quote."""

    kind: ClassVar[str] = "waitlist"
    number: int

    def as_dict(self) -> dict[str, Any]:
        return {"type": "waitlist", "waitlist_number": self.number}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> WaitlistNumber:
        return cls(int(data.get("waitlist_number") or 0))

    def rows(self) -> list[Row]:
        return [Row(Text("轮候号", "Waitlist number"), str(self.number))]


@dataclass(frozen=True)
class SubsidySchedule(Outcome):
    """A subsidy paid in equal monthly instalments: the monthly amount, how many months, the total."""

    kind: ClassVar[str] = "subsidy"
    monthly_amount: Decimal
    months: int
    first_month: dt.date | None = None

    @property
    def total(self) -> Decimal:
        return self.monthly_amount * self.months

    def as_dict(self) -> dict[str, Any]:
        decision: dict[str, Any] = {
            "type": "subsidy",
            "monthly_amount": f"{self.monthly_amount:.2f}",
            "months": self.months,
            "total": f"{self.total:.2f}",
        }
        if self.first_month is not None:
            decision["first_month"] = self.first_month.isoformat()
        return decision

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> SubsidySchedule:
        return cls(_amount(data.get("monthly_amount")), int(data.get("months") or 0), _date(data.get("first_month")))

    def rows(self) -> list[Row]:
        rows = [
            Row(Text("每月补贴", "Monthly subsidy"), _yuan(self.monthly_amount)),
            Row(Text("补贴期限", "Duration"), Text(f"{self.months} 个月", f"{self.months} months")),
            Row(Text("补贴总额", "Total"), _yuan(self.total)),
        ]
        if self.first_month is not None:
            rows.append(Row(Text("首次发放", "First instalment"), self.first_month.isoformat()))
        return rows


@dataclass(frozen=True)
class Certificate(Outcome):
    """The e-certificate (电子证照) issued with the approval; the engine adds it when ``certificate_title`` is set."""

    kind: ClassVar[str] = "certificate"
    certificate_id: int
    code: str
    title: Text | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"certificate_id": self.certificate_id, "certificate_code": self.code}

    def data(self) -> dict[str, Any]:
        return {**self.as_dict(), **({"title": self.title.as_dict()} if self.title else {})}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Certificate:
        title = data.get("title")
        return cls(
            int(data.get("certificate_id") or 0),
            str(data.get("certificate_code") or ""),
            _text(title) if title else None,
        )

    def rows(self) -> list[Row]:
        label = Text("电子证照", "E-certificate")
        return [
            Row(label, self.title or Text("已生成", "Issued")),
            Row(Text("证照编号", "Certificate code"), self.code),
        ]


@dataclass(frozen=True, init=False)
class GenericOutcome(Outcome):
    """Free label/value rows, and the decision dict to store (``type`` plus ``values``).

    Also what a plain dict returned by an older module becomes: its keys are the labels, its values the values."""

    kind: ClassVar[str] = "generic"
    rows_: Sequence[Row] = field(default_factory=tuple)
    type: str = "generic"
    values: Mapping[str, Any] = field(default_factory=dict)

    def __init__(
        self, rows: Sequence[Row] = (), *, type: str = "generic", values: Mapping[str, Any] | None = None
    ) -> None:
        object.__setattr__(self, "rows_", tuple(rows))
        object.__setattr__(self, "type", type)
        object.__setattr__(self, "values", dict(values or {}))

    def as_dict(self) -> dict[str, Any]:
        return {"type": self.type, **self.values} if self.type else dict(self.values)

    def data(self) -> dict[str, Any]:
        return {"decision": self.as_dict(), "rows": [row.as_data() for row in self.rows_]}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> GenericOutcome:
        decision = dict(data.get("decision") or {})
        kind = str(decision.pop("type", "") or "")
        return cls([Row.from_data(row) for row in data.get("rows") or []], type=kind, values=decision)

    @classmethod
    def from_dict(cls, decision: Mapping[str, Any]) -> GenericOutcome:
        """A plain decision dict (an older module's): one row per scalar value, labelled by its key."""
        values = dict(decision)
        kind = str(values.pop("type", "") or "")
        rows = [
            Row(Text(key, key.replace("_", " ")), _value(value))
            for key, value in values.items()
            if isinstance(value, str | int | float | Decimal)
            or (isinstance(value, Mapping) and set(value) == {"zh", "en"})
        ]
        return cls(rows, type=kind, values=values)

    def rows(self) -> list[Row]:
        return list(self.rows_)


KINDS: dict[str, type[Outcome]] = {
    cls.kind: cls for cls in (Payout, Assignment, WaitlistNumber, SubsidySchedule, Certificate, GenericOutcome)
}
#: Decision keys the engine itself writes (not an outcome's), left out of the rows of a legacy decision.
ENGINE_KEYS = {"certificate_id", "certificate_code", "revoked_reason", "reason_code", "reason"}


def as_outcomes(result: Outcome | Sequence[Outcome] | Mapping[str, Any] | None) -> list[Outcome]:
    """What ``execute()`` returned, as a list of outcomes (a plain dict becomes a :class:`GenericOutcome`)."""
    if result is None:
        return []
    if isinstance(result, Outcome):
        return [result]
    if isinstance(result, Mapping):
        return [GenericOutcome.from_dict(result)]
    outcomes = list(result)
    for item in outcomes:
        if not isinstance(item, Outcome):
            raise ImproperlyConfigured(f"execute() returned {type(item).__name__} in a list of outcomes")
    return outcomes


def decision_of(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """The stored decision: the outcomes' dicts merged in order; ``type`` is the first's, other keys may not clash."""
    decision: dict[str, Any] = {}
    for outcome in outcomes:
        for key, value in outcome.as_dict().items():
            if key == "type" and "type" in decision:
                continue
            if key in decision:
                raise ImproperlyConfigured(f"two outcomes both set the decision key {key!r}")
            decision[key] = value
    return decision


def from_stored(stored: Sequence[Mapping[str, Any]]) -> list[Outcome]:
    """Rebuild ``Case.outcomes``; an unknown kind (a module's since removed) falls back to its rows as stored."""
    found: list[Outcome] = []
    for entry in stored:
        cls = KINDS.get(str(entry.get("kind")))
        data = entry.get("data") or {}
        found.append(cls.from_data(data) if cls else GenericOutcome.from_dict(data))
    return found


def from_decision(decision: Mapping[str, Any]) -> list[Outcome]:
    """The outcomes of a case approved before ``Case.outcomes`` existed, read from its decision's ``type``."""
    own = {k: v for k, v in decision.items() if k not in ENGINE_KEYS}
    cls = KINDS.get(str(own.get("type")))
    outcomes: list[Outcome] = []
    if cls is not None and cls is not GenericOutcome:
        outcomes.append(cls.from_data(own))
    elif own:
        outcomes.append(GenericOutcome.from_dict(own))
    if decision.get("certificate_id"):
        outcomes.append(Certificate.from_data(decision))
    return outcomes


def rows_of(outcomes: Sequence[Outcome]) -> list[dict[str, str]]:
    """Display rows in the active language (the request's; see backend.core.i18n)."""
    return [row.render() for outcome in outcomes for row in outcome.rows()]


def decision_rows(
    outcomes: Sequence[Mapping[str, Any]] | None, decision: Mapping[str, Any] | None
) -> list[dict[str, str]]:
    """A case's display rows: from its stored outcomes, else (older cases) from its decision; none for a rejection."""
    if outcomes:
        return rows_of(from_stored(outcomes))
    if not decision or "reason_code" in decision:
        return []
    return rows_of(from_decision(decision))


__all__ = [
    "Assignment",
    "Certificate",
    "GenericOutcome",
    "Outcome",
    "Payout",
    "Row",
    "SubsidySchedule",
    "WaitlistNumber",
    "as_outcomes",
    "decision_of",
    "decision_rows",
]
