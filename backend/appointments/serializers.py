"""Output shapes of the appointments API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from backend.core.ids import IdField
from backend.core.inputs import Judged

from . import services
from .conf import service_name
from .models import Booking, BookingPurpose, Slot, Venue


class VenueSerializer(serializers.ModelSerializer):
    services = serializers.SerializerMethodField()
    lat = serializers.FloatField(allow_null=True)
    long = serializers.FloatField(allow_null=True)

    class Meta:
        model = Venue
        fields = ["id", "code", "name", "address", "kind", "district", "lat", "long", "services", "opening_hours",
                  "slot_minutes"]  # fmt: skip

    def get_services(self, obj: Venue) -> list[dict[str, str]]:
        return [{"code": code, "name": service_name(code)} for code in obj.services]


class SlotSerializer(serializers.ModelSerializer):
    """The contract fields ``id, venue, service, starts_at, capacity, remaining`` plus display helpers."""

    venue = serializers.IntegerField(source="venue_id")
    venue_name = serializers.CharField(source="venue.name")
    service_name = serializers.CharField()
    remaining = serializers.IntegerField()

    class Meta:
        model = Slot
        fields = ["id", "venue", "venue_name", "service", "service_name", "starts_at", "ends_at", "capacity",
                  "remaining"]  # fmt: skip


class BookingSerializer(serializers.ModelSerializer):
    slot = SlotSerializer()
    venue = serializers.SerializerMethodField()
    case = serializers.IntegerField(source="case_id", allow_null=True, help_text="the case of an identity check")
    bring = serializers.SerializerMethodField(help_text="what to bring (identity checks: the original ID card)")

    class Meta:
        model = Booking
        fields = ["id", "status", "slot", "venue", "created_at", "cancelled_at", "purpose", "case", "bring"]

    def get_bring(self, obj: Booking) -> list[str]:
        return [str(item) for item in services.what_to_bring(obj)]

    def get_venue(self, obj: Booking) -> dict[str, Any]:
        venue = obj.slot.venue
        return {"id": venue.pk, "name": venue.name, "address": venue.address, "kind": venue.kind}


class BookingCreateSerializer(serializers.Serializer):
    # services.book judges the slot id (400 validation_error / 404 unknown_slot) after an Idempotency-Key replay,
    # which answers with the first booking whatever the body: the value is handed on (backend/core/inputs.py).
    slot = Judged(IdField(help_text="slot id"))
    # An identity check for a case waiting for its face check (services.book_identity_check judges the case first).
    case = Judged(IdField(required=False, help_text="case id: an in-person identity check for this case"))
    purpose = Judged(
        serializers.ChoiceField(choices=BookingPurpose.choices, required=False, help_text="default: service")
    )
