"""The data items departments share (数据共享目录): what can be read about a person, from which department.

Service modules declare which of these items they use and why; the engine reads them through a
:class:`RegistryReader`, which logs every read. ``display`` gives the masked form for the consent screen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, Protocol, TypeVar

from django.db.models import CharField, F, Value
from django.db.models.functions import Length

from backend.core.i18n import Text
from backend.core.masking import mask_account, mask_address, mask_name

from .models import (
    BirthCertificate,
    HouseholdIncome,
    MedicalInsuranceEnrolment,
    Property,
    ProvidentFundAccount,
    ProvidentWithdrawal,
    Resident,
    SchoolDistrict,
    SocialSecurityCard,
)

#: What the consent screen and the prefill show of an item: masked JSON (an object, a list of objects, or nothing).
Shown = dict[str, object] | list[dict[str, object]] | None

_V = TypeVar("_V")


@dataclass(frozen=True)
class DataItem(Generic[_V]):
    """One shared item; ``_V`` is what ``read`` returns (a row, rows, or a small dict), which ``display`` masks and
    ``updated_at`` dates. The catalogue holds items of different ``_V``, so it is ``dict[str, DataItem[Any]]``."""

    key: str
    label: Text
    department: str  # Department.code of the owning department
    read: Callable[[Resident], _V]
    display: Callable[[_V], Shown]
    updated_at: Callable[[_V], dt.datetime | None]
    # The same read for many residents in one query (the 免申即享 scan), by resident pk; None: read one by one.
    read_many: Callable[[list[Resident]], dict[int, _V]] | None = None


class _Dated(Protocol):
    @property
    def updated_at(self) -> dt.datetime: ...


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _latest(rows: Iterable[_Dated]) -> dt.datetime | None:
    stamps = [r.updated_at for r in rows if getattr(r, "updated_at", None)]
    return max(stamps) if stamps else None


def household_members(resident: Resident) -> list[Resident]:
    return list(Resident.objects.filter(household_id=resident.household_id).exclude(pk=resident.pk).order_by("pk"))


def provident_account(resident: Resident) -> ProvidentFundAccount | None:
    """The resident's account; an active one first if a person somehow has several."""
    accounts = sorted(resident.provident_accounts.all(), key=lambda a: (a.status != "active", a.pk))
    return accounts[0] if accounts else None


def provident_accounts_of(residents: list[Resident]) -> dict[int, ProvidentFundAccount | None]:
    """:func:`provident_account` for many residents, in one query."""
    found: dict[int, list[ProvidentFundAccount]] = {r.pk: [] for r in residents}
    for account in ProvidentFundAccount.objects.filter(resident_id__in=list(found)):
        found[account.resident_id].append(account)
    return {
        pk: min(accounts, key=lambda a: (a.status != "active", a.pk)) if accounts else None
        for pk, accounts in found.items()
    }


def properties_of(residents: list[Resident]) -> dict[int, list[Property]]:
    """The homes each resident owns (as ``property.owned`` reads them, newest purchase first), in one query."""
    found: dict[int, list[Property]] = {r.pk: [] for r in residents}
    owners = Property.owners.through.objects.filter(resident_id__in=list(found)).select_related("property")
    for row in owners.order_by("-property__purchase_date", "property_id"):
        found[row.resident_id].append(row.property)
    return found


def school_for_address(address: str) -> SchoolDistrict | None:
    """The catchment whose address prefix matches the address most specifically.

    One query that lets the database match the prefixes (``address LIKE prefix || '%'``, with the prefix's own
    wildcards escaped by Django) instead of loading every catchment of the city per application.
    """
    return (
        SchoolDistrict.objects.alias(address=Value(address, output_field=CharField()), length=Length("address_prefix"))
        .filter(address__startswith=F("address_prefix"))
        .order_by("-length", "pk")
        .first()
    )


def _property_display(props: list[Property]) -> list[dict[str, object]]:
    return [
        {
            "certificate_no": mask_account(p.certificate_no),
            "address": mask_address(p.address),
            "purchase_date": p.purchase_date.isoformat(),
            "first_home": p.first_home,
        }
        for p in props
    ]


def birth_certificates(resident: Resident) -> list[BirthCertificate]:
    """The birth medical certificates naming the resident as a parent, youngest child first."""
    found = BirthCertificate.objects.naming_parent(resident).select_related("child")
    return list(found.order_by("-birth_date", "-birth_time", "certificate_no"))


def children_enrolments(resident: Resident) -> list[MedicalInsuranceEnrolment]:
    """The medical insurance enrolments of the registered children on the resident's birth certificates."""
    children = BirthCertificate.objects.naming_parent(resident).filter(child__isnull=False).values("child")
    return list(MedicalInsuranceEnrolment.objects.filter(resident__in=children).select_related("resident"))


def children_cards(resident: Resident) -> list[SocialSecurityCard]:
    """The social security cards of the registered children on the resident's birth certificates."""
    children = BirthCertificate.objects.naming_parent(resident).filter(child__isnull=False).values("child")
    return list(SocialSecurityCard.objects.filter(resident__in=children).select_related("resident"))


def _certificate_display(certificates: list[BirthCertificate]) -> list[dict[str, object]]:
    # The certificate number is shown in full: it is what the parent's form asks for (the prefill), and it is read
    # only by a parent named on it.
    return [
        {
            "certificate_no": c.certificate_no,
            "child_name": mask_name(c.child_name),
            "birth_date": c.birth_date.isoformat(),
            "hospital": c.hospital,
            "registered": c.child_id is not None,
        }
        for c in certificates
    ]


ITEMS: dict[str, DataItem[Any]] = {}


def register(item: DataItem[_V]) -> DataItem[_V]:
    ITEMS[item.key] = item
    return item


register(
    DataItem(
        "household.identity",
        Text("户籍身份信息", "Household registration identity"),
        "public_security",
        read=lambda r: r,
        display=lambda r: {"name": mask_name(r.name), "id_number": r.id_number_masked},
        updated_at=lambda r: r.updated_at,
    )
)
register(
    DataItem(
        "household.address",
        Text("户籍地址", "Registered household address"),
        "public_security",
        read=lambda r: {"address": r.address, "district": r.district, "household_id": r.household_id},
        display=lambda v: {"address": mask_address(v["address"]), "district": v["district"]},
        updated_at=lambda v: None,
    )
)
register(
    DataItem(
        "household.members",
        Text("户内成员", "Household members"),
        "public_security",
        read=household_members,
        display=lambda members: [{"name": mask_name(m.name), "birth_year": m.birth_date.year} for m in members],
        updated_at=_latest,
    )
)
register(
    DataItem(
        "provident_fund.account",
        Text("公积金账户", "Provident fund account"),
        "provident_fund",
        read=provident_account,
        read_many=provident_accounts_of,
        display=lambda a: None
        if a is None
        else {
            "account_no": mask_account(a.account_no),
            "status": a.get_status_display(),
            "balance": _money(a.balance),
            "months_contributed": a.months_contributed,
            "bank_card": mask_account(a.bank_card),
        },
        updated_at=lambda a: a.updated_at if a else None,
    )
)
register(
    DataItem(
        "provident_fund.withdrawals",
        Text("公积金提取记录", "Provident fund withdrawals"),
        "provident_fund",
        read=lambda r: list(ProvidentWithdrawal.objects.filter(account__resident=r).order_by("-date", "-pk")),
        display=lambda ws: [
            {"date": w.date.isoformat(), "reason": w.get_reason_display(), "amount": _money(w.amount)} for w in ws[:5]
        ],
        updated_at=lambda ws: max((w.created_at for w in ws), default=None),
    )
)
register(
    DataItem(
        "property.owned",
        Text("名下不动产", "Real estate owned"),
        "natural_resources",
        read=lambda r: list(r.properties.order_by("-purchase_date", "pk")),
        display=_property_display,
        updated_at=_latest,
        read_many=properties_of,
    )
)
register(
    DataItem(
        "property.household",
        Text("家庭成员名下不动产", "Real estate owned by household members"),
        "natural_resources",
        read=lambda r: list(
            Property.objects.filter(owners__household_id=r.household_id).distinct().order_by("-purchase_date", "pk")
        ),
        display=lambda props: {"count": len(props)},
        updated_at=_latest,
    )
)
register(
    DataItem(
        "income.household",
        Text("家庭人均月收入", "Household monthly income per capita"),
        "civil_affairs",
        read=lambda r: HouseholdIncome.objects.filter(household_id=r.household_id).first(),
        display=lambda inc: None
        if inc is None
        else {"monthly_income_per_capita": _money(inc.monthly_income_per_capita)},
        updated_at=lambda inc: inc.updated_at if inc else None,
    )
)
register(
    DataItem(
        "education.school_district",
        Text("学区划分", "School catchment"),
        "education",
        read=lambda r: school_for_address(r.address),
        display=lambda sd: None if sd is None else {"school": sd.school},
        updated_at=lambda sd: sd.updated_at if sd else None,
    )
)
register(
    DataItem(
        "health.birth_certificates",
        Text("出生医学证明", "Birth medical certificates"),
        "health",
        read=birth_certificates,
        display=_certificate_display,
        updated_at=_latest,
    )
)
register(
    DataItem(
        "medical_insurance.children",
        Text("子女医保参保信息", "Children's medical insurance enrolment"),
        "medical_insurance",
        read=children_enrolments,
        display=lambda rows: [
            {
                "name": mask_name(e.resident.name),
                "scheme": e.get_scheme_display(),
                "status": e.get_status_display(),
                "coverage_start": e.coverage_start.isoformat(),
            }
            for e in rows
        ],
        updated_at=_latest,
    )
)
register(
    DataItem(
        "social_security.children_cards",
        Text("子女社保卡信息", "Children's social security cards"),
        "social_security",
        read=children_cards,
        display=lambda rows: [
            {"name": mask_name(c.resident.name), "card_no": mask_account(c.card_no), "status": c.get_status_display()}
            for c in rows
        ],
        updated_at=_latest,
    )
)


def home_catchments(resident: Resident) -> list[dict[str, Any]]:
    """The school catchment of each home the resident owns (newest purchase first): the education bureau's
    catchments matched against the property registry's addresses (学区核验 of a new home)."""
    homes = resident.properties.order_by("-purchase_date", "pk")
    return [
        {"certificate_no": p.certificate_no, "school": sd.school if (sd := school_for_address(p.address)) else None}
        for p in homes
    ]


register(
    DataItem(
        "education.home_school_districts",
        Text("名下住房对口学区", "School catchments of the homes you own"),
        "education",
        read=home_catchments,
        display=lambda rows: [
            {"certificate_no": mask_account(row["certificate_no"]), "school": row["school"]} for row in rows
        ],
        updated_at=lambda rows: _latest(SchoolDistrict.objects.all()) if rows else None,
    )
)
