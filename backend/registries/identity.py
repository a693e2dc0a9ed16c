"""Real-name verification (实名认证): binding an account to a person of the household registry."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import Role, User, new_username
from backend.core.errors import Conflict, DomainError, Unprocessable

from .access import record_access
from .idnumbers import InvalidIdNumber, validate_id_number
from .models import ActorType, Resident


def resident_of(user: User) -> Resident | None:
    """The registry person bound to the account, or None before real-name verification."""
    try:
        return user.resident
    except Resident.DoesNotExist:
        return None


def bind_real_name(user: User, name: str, id_number: str) -> Resident:
    """Check name + ID number against the household registry and bind the person to the account.

    The checksum is checked before the registry is asked, so typos never cost a registry lookup. Binding the same
    identity to the same account again is a no-op (clients retry); another account's identity is a conflict.
    """
    try:
        number = validate_id_number(id_number)
    except InvalidIdNumber as exc:
        raise DomainError("invalid_id_number", exc.message, fields={"id_number": [str(exc.message)]}) from exc
    with transaction.atomic():
        resident = Resident.objects.select_for_update().with_id_number(number).first()
        if resident is None or resident.name != (name or "").strip():
            raise Unprocessable("registry_mismatch", _("姓名与身份证号不匹配，或户籍登记中无此人。"))
        if resident.account_id == user.pk:
            return resident
        if resident.account_id is not None:
            raise Conflict("identity_already_bound", _("该身份已绑定其他账户。如非本人操作，请到窗口办理。"))
        current = resident_of(user)
        if current is not None:
            raise Conflict("account_already_verified", _("本账户已完成实名认证，不能绑定其他身份。"))
        resident.account = user
        resident.real_name_verified_at = timezone.now()
        try:
            resident.save(update_fields=["account", "real_name_verified_at"])
        except IntegrityError as exc:  # a concurrent binding won the race
            raise Conflict("identity_already_bound", _("该身份已绑定其他账户。")) from exc
        if not user.display_name:
            user.display_name = resident.name
            user.save(update_fields=["display_name"])
        record_access(
            subject=resident,
            department="public_security",
            items=["household.identity"],
            purpose="实名认证 Real-name verification",
            actor=user,
            actor_type=ActorType.RESIDENT,
        )
    return resident


def unbound_account_by_phone(phone: str) -> User | None:
    """The resident account that verified ``phone`` (E.164) in the app and has no real name bound yet, if any."""
    return User.objects.filter(
        phone=phone, phone_verified=True, is_active=True, role=Role.RESIDENT, resident__isnull=True
    ).first()


def bind_in_person(user: User, resident: Resident) -> Resident:
    """Bind ``user`` to ``resident`` at the counter: a clerk checked the person's ID card against the registry, and
    the person proved there that they hold ``user``'s verified phone (a code sent to the registry phone, which is
    that account's phone): stronger evidence than the app's own binding by name and number. The caller locks the
    resident row and has checked that neither side is bound."""
    resident.account = user
    resident.real_name_verified_at = timezone.now()
    resident.save(update_fields=["account", "real_name_verified_at"])
    if not user.display_name:
        user.display_name = resident.name
        user.save(update_fields=["display_name"])
    return resident


def managed_account(resident: Resident) -> User:
    """The resident's account; a managed one (代管账户: no password, nobody logs in with it) when they have none,
    so that a case can name them as the applicant (a ward of a guardian, a resident filed for at the counter). Call
    it inside a transaction that locked the resident row."""
    if resident.account is not None:
        return resident.account
    user = User(username=new_username(), display_name=resident.name)
    user.set_unusable_password()
    user.save()
    resident.account = user
    resident.real_name_verified_at = timezone.now()
    resident.save(update_fields=["account", "real_name_verified_at"])
    return user
