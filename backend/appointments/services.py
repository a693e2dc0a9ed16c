"""Domain functions for appointments: slot generation, booking, cancellation, attendance, reminders.

Booking is the one place where concurrency matters (DESIGN §3.5: never overbook, also under concurrent requests
on PostgreSQL). Inside one transaction, :func:`book`

1. locks the resident's user row (``SELECT … FOR UPDATE``), which serialises one resident's own concurrent
   bookings, so the per-resident limits and the ``Idempotency-Key`` are checked against settled data;
2. locks the slot row, so concurrent bookings of one slot queue up instead of reading a stale count;
3. raises ``booked`` with a conditional ``UPDATE … SET booked = booked + 1 WHERE booked < capacity``; zero rows
   updated means full (409 ``slot_full``);
4. and the table's CHECK constraint ``booked <= capacity`` is the last line: the database itself refuses an
   overbooking, whatever path tried it.

Locks are always taken in the order user → slot, so two bookings cannot deadlock each other. On SQLite
(development) ``select_for_update`` is a no-op, but the settings open IMMEDIATE transactions, which serialise
writers, so the same code is safe there too.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import zlib
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.cases import services as case_services
from backend.cases.models import Case
from backend.core.errors import Conflict, DomainError, NotFound
from backend.core.i18n import Text
from backend.core.ids import parse_id
from backend.notifications.services import notify_translated

from . import conf
from .models import WEEKDAYS, Booking, BookingPurpose, BookingStatus, Slot, Venue, VenueKind

logger = logging.getLogger(__name__)


# --- slots --------------------------------------------------------------------------------------------------------


def _parse_hhmm(value: str) -> dt.time:
    hours, minutes = (int(part) for part in str(value).split(":"))
    return dt.time(hours, minutes)


def opening_intervals(venue: Venue, day: dt.date) -> list[tuple[dt.time, dt.time]]:
    return [(_parse_hhmm(a), _parse_hhmm(b)) for a, b in venue.opening_hours.get(WEEKDAYS[day.weekday()], [])]


def default_capacity(venue: Venue, service: str, starts_at: dt.datetime) -> int:
    return venue.slot_capacity


def varied_capacity(low: int, high: int) -> Callable[[Venue, str, dt.datetime], int]:
    """A stable pseudo-random capacity in [low, high] per slot (demo data: small, uneven slots)."""

    def capacity(venue: Venue, service: str, starts_at: dt.datetime) -> int:
        seed = f"{venue.code}|{service}|{starts_at.isoformat()}".encode()
        return low + zlib.crc32(seed) % (high - low + 1)

    return capacity


def generate_slots(
    venue: Venue,
    start: dt.date,
    days: int,
    capacity: Callable[[Venue, str, dt.datetime], int] = default_capacity,
) -> int:
    """Create the slots of ``days`` days from ``start`` by the venue's opening hours; existing ones are kept
    as they are (their capacity and bookings untouched). Returns how many were created."""
    step = dt.timedelta(minutes=venue.slot_minutes)
    tz = timezone.get_current_timezone()
    wanted: list[Slot] = []
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        for opens, closes in opening_intervals(venue, day):
            at = dt.datetime.combine(day, opens, tzinfo=tz)
            end = dt.datetime.combine(day, closes, tzinfo=tz)
            while at + step <= end:
                for service in venue.services:
                    wanted.append(
                        Slot(venue=venue, service=service, starts_at=at, ends_at=at + step,
                             capacity=max(1, capacity(venue, service, at)))
                    )  # fmt: skip
                at += step
    if not wanted:
        return 0
    existing = set(
        Slot.objects.filter(venue=venue, starts_at__gte=wanted[0].starts_at, starts_at__lte=wanted[-1].starts_at)
        .values_list("service", "starts_at")
    )  # fmt: skip
    new = [s for s in wanted if (s.service, s.starts_at) not in existing]
    Slot.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def _describe(slot: Slot) -> str:
    return f"{slot.venue.name} {slot.service_name} {timezone.localtime(slot.starts_at):%Y-%m-%d %H:%M}"


# --- identity checks at the counter (a way past a failed face check) -----------------------------------------------

#: A slot of this service is an identity check for any case (a hall may open such slots besides its services).
IDENTITY_CHECK_SERVICE = "identity-check"


def _suits_case() -> Q:
    """Slots (as a filter, to be narrowed by :func:`_for_case`) where a case's identity may be checked: a service
    hall, of the case's department or a general one without a department."""
    return Q(venue__kind=VenueKind.HALL, venue__active=True)


def _for_case(case: Case) -> Q:
    return (
        _suits_case()
        & (Q(venue__department_id=case.department_id) | Q(venue__department__isnull=True))
        & Q(service__in=[case.service_code, IDENTITY_CHECK_SERVICE])
    )


def identity_check_slots(user: User, case_id: Any) -> QuerySet[Slot]:
    """Upcoming slots with room where the caller's case can have its in-person identity check.

    A filter, as every id in a query: a case that is not the caller's, does not exist or waits for no identity check
    gets no slots (the same empty page for all three, so the list tells nothing about other residents' cases);
    booking such a case answers 404 / 409 (:func:`book_identity_check`). A malformed id is 400."""
    try:
        case = case_services.awaiting_identity_check(user, case_id)
    except (NotFound, Conflict):
        return Slot.objects.none()
    return (
        Slot.objects.filter(_for_case(case), starts_at__gt=timezone.now(), booked__lt=F("capacity"))
        .select_related("venue")
        .order_by("starts_at", "venue_id", "service")
    )


def _identity_check_notice(booking: Booking, case: Case) -> tuple[str, str]:
    slot = booking.slot
    return (
        _("窗口核验身份预约成功"),
        _(
            "您已预约 %(when)s 在 %(venue)s（%(address)s）当面核验身份，办件 %(case)s 核验后将继续办理。"
            "请携带本人身份证原件按时到场。"
        )
        % {
            "when": f"{timezone.localtime(slot.starts_at):%Y-%m-%d %H:%M}",
            "venue": slot.venue.name,
            "address": slot.venue.address,
            "case": case.reference_no,
        },
    )


def book_identity_check(user: User, case_id: Any, slot_id: Any, idempotency_key: str = "") -> tuple[Booking, bool]:
    """Book an in-person identity check for the caller's case that waits for its face check.

    The case is judged first (another's 404, one waiting for nothing 409), then the slot as for any booking
    (404 / past / full), then whether it suits the case (a hall of the case's department or a general one, for the
    case's service or the general identity check: else 409 ``slot_not_for_case``) and whether the case already has
    an active identity-check booking (409 ``already_booked``). The case timeline notes the appointment and the
    resident is told the time, the place and what to bring (身份证原件), in one transaction with the booking."""
    case = case_services.awaiting_identity_check(user, case_id)
    return book(user, slot_id, idempotency_key, case=case)


def what_to_bring(booking: Booking) -> list[str]:
    """What the resident must bring to this booking, in the active language."""
    if booking.purpose == BookingPurpose.IDENTITY_CHECK:
        return [_("本人身份证原件")]
    return []


def judge_purpose(purpose: Any, case_id: Any) -> bool:
    """Whether a booking request is an identity check: ``{"case": id}`` (``"purpose"`` absent or
    ``"identity_check"``); ``"identity_check"`` without a case or an unknown purpose is 400."""
    if purpose not in (None, "", *BookingPurpose.values):
        known = ", ".join(BookingPurpose.values)
        raise DomainError("validation_error", _("不支持的预约事由。"), fields={"purpose": [f"one of {known}"]})
    if case_id is None:
        if purpose == BookingPurpose.IDENTITY_CHECK:
            raise DomainError("validation_error", _("缺少办件编号。"), fields={"case": ["required"]})
        return False
    if purpose == BookingPurpose.SERVICE:
        raise DomainError(
            "validation_error", _("指定办件的预约只能是窗口核验身份。"), fields={"purpose": ["identity_check"]}
        )
    return True


def attend_identity_check(case: Case, clerk: User) -> int:
    """The clerk checked the case's applicant at the counter: their identity-check bookings are marked attended
    (whatever the slot's time: the resident stands at the counter, maybe early). Returns how many."""
    return Booking.objects.filter(
        case=case,
        purpose=BookingPurpose.IDENTITY_CHECK,
        status__in=[BookingStatus.BOOKED, BookingStatus.NO_SHOW],
    ).update(status=BookingStatus.ATTENDED, status_changed_by=clerk, updated_at=timezone.now())


def on_counter_verified(sender: Any, case: Case, clerk: User, **kwargs: Any) -> None:
    """Receiver of ``backend.cases.signals.counter_verified`` (connected in ``AppointmentsConfig.ready``)."""
    attend_identity_check(case, clerk)


# --- booking ------------------------------------------------------------------------------------------------------


def book(user: User, slot_id: Any, idempotency_key: str = "", *, case: Case | None = None) -> tuple[Booking, bool]:
    """Book one place in a slot. Returns (booking, created); an ``idempotency_key`` this user already used
    returns the first booking and changes nothing. With ``case`` (already judged the caller's, waiting for its
    identity check: :func:`book_identity_check`) the booking is that case's in-person identity check."""
    key = str(idempotency_key or "").strip()[:100]
    if key:
        existing = Booking.objects.filter(user=user, idempotency_key=key).first()
        if existing is not None:
            return existing, False
    pk = parse_id(slot_id, "slot")
    now = timezone.now()
    try:
        with transaction.atomic():
            User.objects.select_for_update().only("pk").get(pk=user.pk)
            if key:  # a concurrent request with this key may have committed while we waited for the lock
                existing = Booking.objects.filter(user=user, idempotency_key=key).first()
                if existing is not None:
                    return existing, False
            slot = Slot.objects.select_for_update().select_related("venue").filter(pk=pk).first()
            if slot is None or not slot.venue.active:
                raise DomainError(
                    "unknown_slot", _("该预约时段不存在。"), status_code=404, fields={"slot": [_("无效的时段。")]}
                )
            if slot.starts_at <= now:
                raise DomainError("slot_in_past", _("该时段已开始或已结束，不能预约。"), fields={"slot": [str(pk)]})
            if Booking.objects.filter(slot=slot, user=user, status=BookingStatus.BOOKED).exists():
                raise Conflict("already_booked", _("您已预约该时段。"))
            active = Booking.objects.filter(user=user, status=BookingStatus.BOOKED, slot__starts_at__gt=now).count()
            if active >= conf.max_future_bookings():
                raise Conflict(
                    "booking_limit_reached",
                    _("您最多可同时持有 %(n)d 个未到期的预约。") % {"n": conf.max_future_bookings()},
                )
            if case is not None:
                if not Slot.objects.filter(_for_case(case), pk=slot.pk).exists():
                    raise Conflict(
                        "slot_not_for_case",
                        _("该时段不能办理本办件的身份核验，请选择本部门或综合政务服务大厅的时段。"),
                        fields={"slot": [str(pk)]},
                    )
                if Booking.objects.filter(
                    case=case, purpose=BookingPurpose.IDENTITY_CHECK, status=BookingStatus.BOOKED
                ).exists():
                    raise Conflict("already_booked", _("该办件已有窗口核验身份的预约。"))
            if not Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1):
                raise Conflict("slot_full", _("该时段已约满，请选择其他时段。"))
            if case is None:
                booking = Booking.objects.create(slot=slot, user=user, idempotency_key=key)
                notify_translated(
                    user,
                    "appointment.booked",
                    lambda: (_("预约成功"), _("您已预约 %(what)s，请按时到场。") % {"what": _describe(slot)}),
                    target={"type": "appointment", "id": booking.pk},
                )
            else:
                booking = Booking.objects.create(
                    slot=slot, user=user, idempotency_key=key, case=case, purpose=BookingPurpose.IDENTITY_CHECK
                )
                when = f"{timezone.localtime(slot.starts_at):%Y-%m-%d %H:%M}"
                case_services.note_counter_appointment(
                    user,
                    case.pk,
                    Text(
                        f"预约窗口核验身份：{when} {slot.venue.name}（请携带身份证原件）",
                        f"Counter identity check booked: {when} at {slot.venue.name} (bring the original ID card)",
                    ),
                )
                notify_translated(
                    user,
                    "appointment.identity_check",
                    functools.partial(_identity_check_notice, booking, case),
                    target={"type": "case", "id": case.pk, "reference_no": case.reference_no},
                )
    except IntegrityError:
        if key:
            existing = Booking.objects.filter(user=user, idempotency_key=key).first()
            if existing is not None:
                return existing, False
        # The constraints said no (the CHECK on capacity or one active booking per slot): report it as full.
        logger.warning("booking of slot %s refused by a database constraint", pk)
        raise Conflict("slot_full", _("该时段已约满，请选择其他时段。")) from None
    return booking, True


def cancel(user: User, booking_id: int) -> Booking:
    """Cancel an own booking before its slot starts; the place goes back to the slot."""
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update().select_related("slot__venue").filter(pk=booking_id, user=user).first()
        )
        if booking is None:
            raise NotFound()
        if booking.status != BookingStatus.BOOKED:
            raise Conflict("not_cancellable", _("该预约当前状态不能取消。"))
        if booking.slot.starts_at <= timezone.now():
            raise Conflict("not_cancellable", _("预约时段已开始，不能取消。"))
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = timezone.now()
        booking.save(update_fields=["status", "cancelled_at", "updated_at"])
        Slot.objects.filter(pk=booking.slot_id, booked__gt=0).update(booked=F("booked") - 1)
        notify_translated(
            user,
            "appointment.cancelled",
            lambda: (_("预约已取消"), _("您已取消 %(what)s 的预约。") % {"what": _describe(booking.slot)}),
            target={"type": "appointment", "id": booking.pk},
        )
    return booking


def _mark(booking: Booking, actor: User, status: str, allowed_from: tuple[str, ...]) -> Booking:
    with transaction.atomic():
        booking = Booking.objects.select_for_update().select_related("slot__venue", "user").get(pk=booking.pk)
        if booking.status not in allowed_from:
            raise Conflict("invalid_transition", _("该预约当前状态不能这样标记。"))
        if booking.slot.starts_at > timezone.now():
            raise Conflict("invalid_transition", _("预约时段尚未开始。"))
        booking.status = status
        booking.status_changed_by = actor
        booking.save(update_fields=["status", "status_changed_by", "updated_at"])
        if status == BookingStatus.NO_SHOW:
            notify_translated(
                booking.user,
                "appointment.no_show",
                lambda: (
                    _("您有一次预约未到场"),
                    _("您预约的 %(what)s 未按时到场，已记为爽约。如不能前往，请提前取消。")
                    % {"what": _describe(booking.slot)},
                ),
                target={"type": "appointment", "id": booking.pk},
            )
        else:
            notify_translated(
                booking.user,
                "appointment.attended",
                lambda: (_("已到场签到"), _("您已到场办理 %(what)s。") % {"what": _describe(booking.slot)}),
                target={"type": "appointment", "id": booking.pk},
            )
    return booking


def mark_no_show(booking: Booking, actor: User) -> Booking:
    """A clerk records that the resident did not come (only once the slot has started)."""
    return _mark(booking, actor, BookingStatus.NO_SHOW, (BookingStatus.BOOKED,))


def mark_attended(booking: Booking, actor: User) -> Booking:
    """A clerk records attendance (also correcting a no-show marked by mistake)."""
    return _mark(booking, actor, BookingStatus.ATTENDED, (BookingStatus.BOOKED, BookingStatus.NO_SHOW))


# --- reminders ----------------------------------------------------------------------------------------------------


def _reminder_text(booking: Booking) -> tuple[str, str]:
    """(title, body) of a booking's reminder, in the active language (rendered once per language)."""
    return (
        _("预约提醒"),
        _("您预约的 %(what)s 即将开始，地址：%(address)s。如不能前往，请提前取消。")
        % {"what": _describe(booking.slot), "address": booking.slot.venue.address},
    )


def send_reminders(now: dt.datetime | None = None) -> int:
    """Notify every active booking whose slot starts within the reminder window, once. Returns how many.

    Safe to run concurrently (two beat ticks, two workers): ``reminded_at`` is claimed by a conditional UPDATE,
    and only the run that claimed a booking notifies it.
    """
    now = now or timezone.now()
    due = Booking.objects.filter(
        status=BookingStatus.BOOKED,
        reminded_at__isnull=True,
        slot__starts_at__gt=now,
        slot__starts_at__lte=now + dt.timedelta(hours=conf.reminder_hours()),
    ).select_related("slot__venue", "user")
    sent = 0
    for booking in due:
        with transaction.atomic():
            claimed = Booking.objects.filter(
                pk=booking.pk, reminded_at__isnull=True, status=BookingStatus.BOOKED
            ).update(reminded_at=now)
            if not claimed:
                continue
            notify_translated(
                booking.user,
                "appointment.reminder",
                functools.partial(_reminder_text, booking),
                target={"type": "appointment", "id": booking.pk},
            )
            sent += 1
    return sent
