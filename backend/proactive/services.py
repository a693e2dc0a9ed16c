"""The resident's side of 免申即享: list the offers, confirm one (a normal case, decided at once), decline one.

Confirming files the case through the normal submission engine (``cases.services.submit``), under the offer's lock
and with an idempotency key of its own, so confirming twice (two taps, two devices) files one case and pays once.
The case runs today's rules on today's data: a resident who no longer qualifies gets the normal rejection, and a
service with a face check waits for it as any case does (``pending_face``; the face flow for cases decides it).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import User
from backend.cases import services as cases
from backend.cases.models import Case
from backend.core import acting
from backend.core.errors import Conflict, DomainError, NotFound
from backend.registries.identity import resident_of

from .models import Offer, OfferStatus


def own_offers(user: User) -> QuerySet[Offer]:
    """The caller's offers (403 ``real_name_required`` before real-name binding); a delegate acting for someone
    sees only the services of the mandate."""
    resident = cases.require_resident(user)
    offers = Offer.objects.filter(resident=resident).select_related("case")
    current = acting.current()
    if current is not None and current.services is not None:
        offers = offers.filter(service_code__in=current.services)
    return offers


def own_offer(user: User, offer_id: int, *, lock: bool = False) -> Offer:
    """The caller's offer, else 404 ``offer_not_found`` — also before real-name binding (no offer is anyone's yet):
    whose an id is, is answered before anything about the caller."""
    if resident_of(user) is None:
        raise NotFound(_("未找到该免申即享服务。"), code="offer_not_found")
    offers = own_offers(user)
    if lock:
        # no join under the lock: after waiting for a concurrent confirmation, PostgreSQL returns the offer row as
        # committed but a joined case row from the statement's older snapshot (none); the case is read afterwards
        offers = offers.select_related(None).select_for_update()
    offer = offers.filter(pk=offer_id).first()
    if offer is None:
        raise NotFound(_("未找到该免申即享服务。"), code="offer_not_found")
    return offer


def _require_open(offer: Offer) -> None:
    if offer.status == OfferStatus.DECLINED:
        raise Conflict("offer_declined", _("您已放弃该服务。"))
    if offer.status == OfferStatus.EXPIRED:
        raise Conflict("offer_expired", _("该服务已失效：部门数据显示您已不再符合条件。"))
    if offer.status == OfferStatus.CONFIRMED:
        raise Conflict("offer_confirmed", _("您已确认领取该服务。"))


def confirm(user: User, offer_id: int) -> tuple[Offer, Case, bool]:
    """Confirm an offer: (offer, case, created). A second confirmation returns the first case (created False)."""
    with transaction.atomic():
        offer = own_offer(user, offer_id, lock=True)
        if offer.status == OfferStatus.CONFIRMED and offer.case is not None:
            return offer, offer.case, False
        _require_open(offer)
        # Confirming is the resident's consent to read their data for this case (the offer showed which).
        case, created = cases.submit(user, offer.service_code, offer.form, True, f"proactive-offer-{offer.pk}")
        offer.status = OfferStatus.CONFIRMED
        offer.case = case
        offer.decided_at = timezone.now()
        offer.save(update_fields=["status", "case", "decided_at"])
    return offer, case, created


def decline(user: User, offer_id: int) -> Offer:
    """不需要: the offer is closed and this period is not offered again. Declining twice changes nothing."""
    with transaction.atomic():
        offer = own_offer(user, offer_id, lock=True)
        if offer.status == OfferStatus.DECLINED:
            return offer
        _require_open(offer)
        offer.status = OfferStatus.DECLINED
        offer.decided_at = timezone.now()
        offer.save(update_fields=["status", "decided_at"])
    return offer


def status_filter(value: str | None) -> str | None:
    """The ``?status=`` of the list: one of the statuses, else 400."""
    if value in (None, ""):
        return None
    if value not in OfferStatus.values:
        raise DomainError(
            "validation_error", _("不支持的状态。"), fields={"status": [f"one of {', '.join(OfferStatus.values)}"]}
        )
    return value
