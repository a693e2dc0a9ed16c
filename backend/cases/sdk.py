"""The Yiwang service SDK: the one supported surface for service authors.

A service module (built-in in ``backend/servicemodules/`` or a third-party package) imports ``backend.cases.sdk``
and the standard library, nothing else from Yiwang; ``tests/cases/test_sdk.py`` holds the built-ins and the
``startservice`` template to that. Everything not named here is the engine's and may change without notice.

What is here
------------
Declaring a service
    :class:`ServiceModule` (the base class: names, department, :class:`Mode`, time limit, ``data``, ``form``,
    ``rules()``, ``propose()``, ``execute()``), :class:`DataUse` (a registry item read, with the purpose the resident
    consents to), :class:`Text` (``Text("中文", "English")``: every resident-facing string).
免申即享 (proactive services)
    ``proactive = Proactive(candidates=..., period=...)`` on a :class:`ServiceModule` makes the city offer the
    service to every resident the rules pass for, without an application: ``candidates(today)`` is a :class:`Q`
    over the registry's ``Resident`` rows (a set-based prefilter, a superset of who qualifies), ``period`` what
    makes one offer unique (``"once"`` per person, or a function of the context such as one per home). The scan
    (``backend.proactive``) runs the same ``rules()`` under a system context, logs the reads as a proactive scan,
    and records an offer; the resident's confirmation files a normal case (decided at once, after a face check
    when ``requires_face``). Nothing is paid without that confirmation.
Declaring a bundle (一件事一次办)
    :class:`ServiceBundle` (code, names, a department-neutral ``summary``, ``members``) of :class:`Member` s (the
    service code; ``answers`` mapping its form fields to the shared form; ``fixed`` answers the bundle gives for the
    resident; ``after``: the members whose approval it waits for). ``bundle = MyBundle()`` in a module, like a
    service; the engine does the rest (one consent, one form, one face check, one reference).
Rules
    :class:`Rule` (code = the public ``reason_code`` when it fails), :class:`Check` with :func:`passed`,
    :func:`failed`, :func:`not_applicable` (keyword values are the registry values the rule used, shown to resident
    and clerk). Raise :class:`FormError` from ``clean()`` for a field the schema accepted but the service cannot;
    raise :class:`Rejected` from ``execute()`` when a rule can only be settled at write time (a lost race).
Reading the registries
    :class:`Context` (``ctx.item(key)`` reads a declared item once and logs the access; ``ctx.refresh(key)`` reads it
    again after a lock; ``ctx.form``, ``ctx.today``, ``ctx.resident``, ``ctx.case``, ``ctx.scratch``;
    ``ctx.birth_certificate(number)``: the applicant's child's certificate from ``health.birth_certificates``), and
    :func:`birth_certificate_exists` (only whether a number was issued, nothing about the people on it); for the
    newborn services :func:`certificate_rules` (their common first rules, built on the checks :func:`certificate_known`,
    :func:`names_applicant` and :func:`child_registered`), :func:`registered_child`, the form field
    :data:`CERTIFICATE_NO_SCHEMA` and :func:`clean_certificate_no`. The row types a reader returns, for annotations
    only: :data:`Resident`, :data:`Property`, :data:`ProvidentFundAccount`, :data:`BirthCertificate`,
    :data:`MedicalInsuranceEnrolment`, :data:`SocialSecurityCard`.
Helpers
    :func:`has_other_case` ("no other open case of this service for this household"), :func:`within_last`,
    :func:`years_between`, money (:data:`Money`, :func:`yuan` parses, :func:`format_yuan` formats,
    :data:`AMOUNT_SCHEMA` for a form field), identity numbers (:func:`validate_id_number`, :func:`id_indexes`,
    :class:`InvalidIdNumber`), masking (:func:`mask_account`, :func:`mask_name`).
Outcomes (what ``execute()`` returns: one, or a list)
    :class:`Payout`, :class:`Assignment`, :class:`WaitlistNumber`, :class:`SubsidySchedule`, :class:`Certificate`
    (the engine adds it when ``certificate_title`` is set), :class:`GenericOutcome` (free :class:`Row` s of label and
    value). Each stores the decision dict the API returns as ``decision`` and renders its own display rows
    (``decision_rows``, in the reader's language), so the app shows a new service's result without knowing it.
Effects (inside ``execute()``, in the decision's transaction)
    :func:`record_payout` (money leaves the city: a ``Payout`` row the engine reverses on revocation),
    :func:`claim_once` (one grant per registry object, e.g. per home), :func:`next_number` (a gap-free counter such
    as a waitlist), :func:`lock_provident_fund_account` / :func:`debit_provident_fund` (the provident fund ledger);
    新生儿出生一件事: :func:`lock_birth_certificate`, :func:`register_newborn` (出生登记: the child enters the parent's
    household with a newly assigned 公民身份号码), :func:`enrol_medical_insurance` (参保登记) and
    :func:`issue_social_security_card` (社保卡, made and delivered). Modules never write engine or registry tables
    themselves.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any, TypeAlias

from django.db import IntegrityError, transaction
from django.db.models import Q

from backend.core.i18n import Text
from backend.core.masking import mask_account, mask_name
from backend.registries.idnumbers import (
    InvalidIdNumber,
    compose_id_number,
    id_indexes,
    sequence_code,
    validate_id_number,
)
from backend.registries.models import (
    BirthCertificate,
    CardStatus,
    EnrolmentStatus,
    MedicalInsuranceEnrolment,
    Property,
    ProvidentFundAccount,
    ProvidentWithdrawal,
    Resident,
    SocialSecurityCard,
)

from .context import Context
from .models import OPEN_STATUSES, Case, Status, SubsidyClaim
from .models import Payout as PayoutRecord
from .outcomes import Assignment, Certificate, GenericOutcome, Outcome, Payout, Row, SubsidySchedule, WaitlistNumber
from .plugins import (
    Check,
    DataUse,
    FormError,
    Member,
    Mode,
    Proactive,
    Rejected,
    Rule,
    ServiceBundle,
    ServiceModule,
    failed,
    not_applicable,
    passed,
)
from .sequences import next_value

__all__ = [
    "AMOUNT_SCHEMA",
    "CERTIFICATE_NO_SCHEMA",
    "Assignment",
    "BirthCertificate",
    "Case",
    "Certificate",
    "Check",
    "Context",
    "DataUse",
    "FormError",
    "GenericOutcome",
    "InvalidIdNumber",
    "MedicalInsuranceEnrolment",
    "Member",
    "Mode",
    "Money",
    "Outcome",
    "Payout",
    "Proactive",
    "Property",
    "ProvidentFundAccount",
    "Q",
    "Rejected",
    "Resident",
    "Row",
    "Rule",
    "ServiceBundle",
    "ServiceModule",
    "SocialSecurityCard",
    "SubsidySchedule",
    "Text",
    "WaitlistNumber",
    "birth_certificate_exists",
    "certificate_known",
    "certificate_rules",
    "child_registered",
    "claim_once",
    "claimed_properties",
    "clean_certificate_no",
    "debit_provident_fund",
    "enrol_medical_insurance",
    "failed",
    "format_yuan",
    "has_other_case",
    "id_indexes",
    "issue_social_security_card",
    "lock_birth_certificate",
    "lock_provident_fund_account",
    "mask_account",
    "mask_name",
    "names_applicant",
    "next_number",
    "not_applicable",
    "passed",
    "record_payout",
    "register_newborn",
    "registered_child",
    "validate_id_number",
    "within_last",
    "years_between",
    "yuan",
]

# -- money -----------------------------------------------------------------------------------------------------------
#: An amount in yuan, two decimal places. Amounts are never floats.
Money: TypeAlias = Decimal
CENT = Decimal("0.01")

#: A form field for an amount in yuan (a string, so no float rounding on the way in).
AMOUNT_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": r"^\d{1,9}(\.\d{1,2})?$",
    "title": "金额（元） Amount (yuan)",
}


def yuan(value: Any) -> Money:
    """Parse an amount ("12.5", 12, Decimal) to yuan with two decimals; anything unparseable is 0.00, so a rule
    comparing it fails instead of raising."""
    try:
        return Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError):
        return Decimal("0.00")


def format_yuan(amount: Money) -> str:
    """The stored and API form of an amount: ``"1234.50"`` (no grouping, no currency sign; screens add those)."""
    return f"{amount.quantize(CENT):.2f}"


# -- dates -----------------------------------------------------------------------------------------------------------
def within_last(day: dt.date, today: dt.date, days: int) -> bool:
    """ "Within the last N days": after today − N. A date exactly N days ago is no longer within."""
    return today - dt.timedelta(days=days) < day <= today


def years_between(born: dt.date, today: dt.date) -> int:
    """Completed years (an age): a birthday later this year has not counted yet."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


# -- cases -----------------------------------------------------------------------------------------------------------
def has_other_case(ctx: Context, service_code: str, *, including_approved: bool = False, **match: Any) -> bool:
    """Is there another case of this service, still open (or, with ``including_approved``, also granted), that
    matches ``match`` (``household_id=…``, ``resident=…``, ``subject_index__in=…``)?

    The "one application at a time" rules all ask this; the case being decided (when the rules run for a submitted
    case) is never its own "other"."""
    statuses = [*OPEN_STATUSES, Status.APPROVED] if including_approved else list(OPEN_STATUSES)
    if ctx.cases is not None and ctx.cases.service_code == service_code:  # a batch caller read them already
        rows = ctx.cases.matches([str(s) for s in statuses], match)
        if rows is not None:
            return any(ctx.case is None or row.pk != ctx.case.pk for row in rows)
    others = Case.objects.filter(service_code=service_code, status__in=statuses, **match)
    if ctx.case is not None:
        others = others.exclude(pk=ctx.case.pk)
    return others.exists()


# -- effects ---------------------------------------------------------------------------------------------------------
def record_payout(
    case: Case,
    amount: Money,
    to_account: str,
    *,
    reason: str | None = None,
    reason_label: Text | None = None,
    expected_date: dt.date | None = None,
) -> Payout:
    """Record that ``amount`` is paid to ``to_account`` for this case (one payout per case) and return the
    :class:`Payout` outcome to hand back from ``execute()`` (the account masked). On revocation the engine reverses
    the payout (and calls ``on_revoked``); the module does not undo it itself."""
    PayoutRecord.objects.create(case=case, amount=amount, to_account=to_account)
    return Payout(amount, mask_account(to_account), expected_date, reason, reason_label)


def claim_once(case: Case, prop: Property, message: Text, *, code: str = "already_claimed") -> None:
    """Claim the one grant a home allows for this service, or raise :class:`Rejected` (a concurrent case won).

    The unique claim is the write-time half of an "already claimed" rule: the rule reads, the claim settles it."""
    try:
        with transaction.atomic():
            SubsidyClaim.objects.create(service_code=case.service_code, property=prop, case=case)
    except IntegrityError:
        raise Rejected(code, message) from None


def claimed_properties(service_code: str, props: list[Property]) -> set[int]:
    """Primary keys of those homes that already have a grant of this service."""
    claims = SubsidyClaim.objects.filter(service_code=service_code, property__in=props)
    return set(claims.values_list("property_id", flat=True))


def next_number(name: str) -> int:
    """The next value of a named gap-free counter (``waitlist:<code>``), taken inside the decision's transaction."""
    return next_value(name)


def lock_provident_fund_account(ctx: Context) -> None:
    """Lock the applicant's provident fund account rows (call it from ``lock()``), so that the balance the rules
    read and the debit in ``execute()`` cannot be interleaved with another withdrawal."""
    list(ProvidentFundAccount.objects.select_for_update().filter(resident=ctx.resident).order_by("pk"))


def debit_provident_fund(
    ctx: Context, case: Case, account: ProvidentFundAccount, amount: Money, reason: str
) -> ProvidentFundAccount:
    """Debit ``account`` (the one ``ctx.item("provident_fund.account")`` returned) and record the withdrawal in the
    fund's ledger under the case reference; returns the account as saved."""
    locked = ProvidentFundAccount.objects.select_for_update().get(pk=account.pk, resident=ctx.resident)
    locked.balance -= amount
    locked.save(update_fields=["balance", "updated_at"])
    ProvidentWithdrawal.objects.create(
        account=locked, date=ctx.today, reason=reason, amount=amount, case_reference=case.reference_no
    )
    return locked


# -- 新生儿出生一件事: birth certificate, household registry, medical insurance, social security card ----------
def birth_certificate_exists(number: str) -> bool:
    """Whether a birth medical certificate with this number was issued: lets a rule tell "no such certificate" from
    "not your child's" without reading anything about the people on it."""
    return BirthCertificate.objects.filter(certificate_no=number.strip().upper()).exists()


def lock_birth_certificate(ctx: Context, number: str) -> None:
    """Lock the certificate (call it from ``lock()``): two parents registering the same child cannot both pass."""
    list(BirthCertificate.objects.select_for_update().filter(certificate_no=number.strip().upper()))


def _new_id_number(address_code: str, birth_date: dt.date, gender: str) -> str:
    """The next free 公民身份号码 for a child born that day and registered in that county.

    A gap-free counter per (county, day, sex) gives the serial; its row lock is held to the end of the decision's
    transaction, so two registrations of the same day get different serials. A number the registry already holds
    (an imported person) is skipped, and the registry's unique index is the last guard."""
    while True:
        serial = next_value(f"id-sequence:{address_code}{birth_date:%Y%m%d}{gender}")
        try:
            number = compose_id_number(address_code, birth_date, sequence_code(serial, gender))
        except ValueError:
            raise Rejected(
                "id_sequence_exhausted",
                Text(
                    "该出生日期的身份号码顺序码已用完，请到派出所办理。",
                    "No ID number left for that day; see a police station.",
                ),
            ) from None
        if not Resident.objects.with_id_number(number).exists():
            return number


def register_newborn(ctx: Context, case: Case, certificate: BirthCertificate, *, address_code: str) -> Resident:
    """出生登记: create the child's household registry entry in the applicant's household (address, district,
    household number), with a newly assigned identity number under ``address_code`` (the county of the household),
    and link it to the certificate. Raises :class:`Rejected` ``already_registered`` when another registration of
    this child won."""
    locked = BirthCertificate.objects.select_for_update().get(pk=certificate.pk)
    if locked.child_id is not None:
        raise Rejected("already_registered", Text("该新生儿已办理出生登记。", "This child is already registered."))
    parent = ctx.resident
    child = Resident(
        name=locked.child_name,
        gender=locked.child_gender,
        birth_date=locked.birth_date,
        address=parent.address,
        district=parent.district,
        household_id=parent.household_id,
    )
    child.id_number = _new_id_number(address_code, locked.birth_date, locked.child_gender)
    child.save()
    locked.child = child
    locked.save(update_fields=["child", "updated_at"])
    return child


def enrol_medical_insurance(
    ctx: Context, case: Case, person: Resident, *, scheme: str, coverage_start: dt.date
) -> MedicalInsuranceEnrolment:
    """参保登记: ``person`` is actively insured in ``scheme`` from ``coverage_start`` (a stopped enrolment in the same
    scheme is resumed). Raises :class:`Rejected` ``already_enrolled`` when the person is already actively insured
    (a concurrent enrolment won)."""
    already = Rejected("already_enrolled", Text("该参保人已参加基本医疗保险。", "Already insured."))
    try:
        with transaction.atomic():
            existing = MedicalInsuranceEnrolment.objects.select_for_update().filter(resident=person, scheme=scheme)
            enrolment = existing.first() or MedicalInsuranceEnrolment(resident=person, scheme=scheme)
            if enrolment.status == EnrolmentStatus.ACTIVE:
                raise already
            enrolment.status = EnrolmentStatus.ACTIVE
            enrolment.coverage_start = coverage_start
            enrolment.enrolled_date = ctx.today
            enrolment.case_reference = case.reference_no
            enrolment.save()
    except IntegrityError:
        raise already from None
    return enrolment


def issue_social_security_card(ctx: Context, case: Case, person: Resident, *, delivery: str) -> SocialSecurityCard:
    """社保卡申领: a card for ``person``, status "issuing" (制卡中), with a newly assigned card number (``S`` and eight
    digits, skipping any number already issued), delivered by ``delivery`` (``mail`` or ``branch``). Raises
    :class:`Rejected` ``card_already_active`` when the person already holds a card in use."""
    while True:
        card_no = f"S{next_value('social-security-card'):08d}"
        if not SocialSecurityCard.objects.filter(card_no=card_no).exists():
            break
    try:
        with transaction.atomic():
            return SocialSecurityCard.objects.create(
                resident=person,
                card_no=card_no,
                status=CardStatus.ISSUING,
                issued_date=ctx.today,
                delivery=delivery,
                case_reference=case.reference_no,
            )
    except IntegrityError:
        raise Rejected(
            "card_already_active",
            Text("该参保人已有正常使用或制作中的社保卡。", "A card is already active or being made."),
        ) from None


#: The form field of a birth medical certificate number (the newborn services' own field; prefilled from
#: ``health.birth_certificates``).
CERTIFICATE_NO_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": r"^[A-Za-z]\d{9}$",
    "title": "出生医学证明编号 Birth certificate number",
}


def certificate_known(ctx: Context) -> Check:
    """A rule check: the form's ``certificate_no`` is a birth medical certificate that was issued (the newborn
    services' ``unknown_certificate``)."""
    number = str(ctx.form.get("certificate_no", "")).strip().upper()
    return passed(certificate_no=number) if birth_certificate_exists(number) else failed(certificate_no=number)


def names_applicant(ctx: Context) -> Check:
    """A rule check: the form's certificate names the applicant as mother or father (``not_parent``); after it,
    ``ctx.birth_certificate(ctx.form["certificate_no"])`` is the certificate (declare ``health.birth_certificates``)."""
    number = str(ctx.form.get("certificate_no", ""))
    if not birth_certificate_exists(number):
        return not_applicable()
    certificate = ctx.birth_certificate(number)
    if certificate is None:
        return failed()
    parent = "mother" if certificate.mother_id_index in id_indexes(ctx.resident.id_number) else "father"
    return passed(parent=parent, child=mask_name(certificate.child_name), birth_date=certificate.birth_date)


def registered_child(ctx: Context) -> Resident | None:
    """The child of the form's certificate once registered in the household registry (has an ID number), else
    None (also when the certificate is unknown or not the applicant's)."""
    certificate = ctx.birth_certificate(str(ctx.form.get("certificate_no", "")))
    return certificate.child if certificate is not None else None


def child_registered(ctx: Context) -> Check:
    """A rule check: the certificate's child is in the household registry (the newborn services' ``not_registered``);
    not applicable while the certificate is unknown or not the applicant's."""
    if ctx.birth_certificate(str(ctx.form.get("certificate_no", ""))) is None:
        return not_applicable()
    child = registered_child(ctx)
    return passed(id_number=child.id_number_masked) if child else failed()


def clean_certificate_no(form: dict[str, Any]) -> dict[str, Any]:
    """The form with its ``certificate_no`` as the registry stores it (trimmed, upper case): for ``clean()``."""
    return {**form, "certificate_no": str(form["certificate_no"]).strip().upper()}


def certificate_rules(*, registered: bool) -> list[Rule]:
    """The rules every newborn service starts with, in order: the certificate exists (``unknown_certificate``), it
    names the applicant as a parent (``not_parent``) and, with ``registered``, the child is already registered
    (``not_registered``; the services that follow 新生儿入户). One wording for all, so a parent reads the same
    refusal whichever department's service they applied for."""
    rules = [
        Rule(
            "unknown_certificate",
            Text("出生医学证明编号有效", "The birth certificate number exists"),
            certificate_known,
            Text("未查询到该出生医学证明，请核对编号（字母加9位数字）。", "No certificate has this number."),
        ),
        Rule(
            "not_parent",
            Text("申请人是出生医学证明上的父亲或母亲", "You are the mother or father on the certificate"),
            names_applicant,
            Text("出生医学证明上的父母不是您本人，请由新生儿父母申请。", "Only the child's parents may apply."),
        ),
    ]
    if registered:
        rules.append(
            Rule(
                "not_registered",
                Text("新生儿已登记户籍（有公民身份号码）", "The child is registered (has an ID number)"),
                child_registered,
                Text(
                    "新生儿尚未办理出生登记，请先办理新生儿入户。",
                    "The child is not registered yet: register the birth first.",
                ),
            )
        )
    return rules
