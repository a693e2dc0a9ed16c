"""Appointments API under /api/v1/appointments. Thin: parse, call services, serialise."""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_date
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from backend.accounts.authentication import signed_in_user
from backend.core.errors import DomainError, NotFound
from backend.core.ids import id_parameter, parse_id
from backend.core.inputs import validated

from . import services
from .models import Booking, BookingStatus, Slot, Venue
from .serializers import BookingCreateSerializer, BookingSerializer, SlotSerializer, VenueSerializer


class VenueListView(ListAPIView):
    """Active venues with their services and opening hours (public)."""

    serializer_class = VenueSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        qs = Venue.objects.filter(active=True)
        if self.request.query_params.get("kind"):
            qs = qs.filter(kind=self.request.query_params["kind"])
        if self.request.query_params.get("service"):
            wanted = self.request.query_params["service"]
            return [v for v in qs if wanted in v.services]  # a JSON list: SQLite cannot filter by an element
        return qs


class SlotListView(ListAPIView):
    """Upcoming slots (paginated), soonest first. ``?venue=<id>&service=<code>&date=YYYY-MM-DD&available=true``."""

    serializer_class = SlotSerializer
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            id_parameter("venue"),
            id_parameter("case"),
            OpenApiParameter("service", str),
            OpenApiParameter("date", dt.date),
            OpenApiParameter("available", bool),
        ]
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        if params.get("case"):  # slots for the in-person identity check of the caller's case (signed in)
            qs = services.identity_check_slots(signed_in_user(self.request), params["case"])
        else:
            qs = Slot.objects.filter(starts_at__gt=timezone.now(), venue__active=True).select_related("venue")
        if params.get("venue"):
            qs = qs.filter(venue_id=parse_id(params["venue"], "venue"))
        if params.get("service"):
            qs = qs.filter(service=params["service"])
        if params.get("date"):
            day = parse_date(params["date"]) if len(params["date"]) == 10 else None
            if day is None:
                raise DomainError("validation_error", "日期无效。", fields={"date": ["格式为 YYYY-MM-DD。"]})
            qs = qs.filter(starts_at__date=day)
        if params.get("available") in ("1", "true"):
            qs = qs.filter(booked__lt=F("capacity"))
        return qs.order_by("starts_at", "venue_id", "service")


class BookingListCreateView(ListAPIView):
    """GET: own bookings, latest slot first (paginated; ``?status=``, ``?case=``). POST ``{"slot"}``: book a place;
    ``{"slot", "case", "purpose": "identity_check"}``: an in-person identity check for a case (issue 14)."""

    serializer_class = BookingSerializer
    throttle_scope = "submit"

    def get_throttles(self):
        return [ScopedRateThrottle()] if self.request.method == "POST" else []

    @extend_schema(parameters=[id_parameter("case")])
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        qs = Booking.objects.filter(user=signed_in_user(self.request)).select_related("slot__venue")
        wanted = self.request.query_params.get("status")
        if wanted:
            qs = qs.filter(status__in=[s for s in wanted.split(",") if s in BookingStatus.values])
        if self.request.query_params.get("case"):  # the identity check of one of the caller's cases
            qs = qs.filter(case_id=parse_id(self.request.query_params["case"], "case"))
        return qs.order_by("-slot__starts_at", "-id")

    @extend_schema(
        request=BookingCreateSerializer,
        responses={201: BookingSerializer, 200: BookingSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
    )
    def post(self, request: Request) -> Response:
        payload = validated(BookingCreateSerializer, request.data)
        user, key = signed_in_user(request), request.headers.get("Idempotency-Key", "")
        if services.judge_purpose(payload.get("purpose"), payload.get("case")):
            booking, created = services.book_identity_check(user, payload["case"], payload["slot"], key)
        else:
            booking, created = services.book(user, payload["slot"], key)
        booking = Booking.objects.select_related("slot__venue").get(pk=booking.pk)
        return Response(
            BookingSerializer(booking).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class BookingDetailView(APIView):
    @extend_schema(responses=BookingSerializer)
    def get(self, request: Request, pk: int) -> Response:
        booking = Booking.objects.select_related("slot__venue").filter(pk=pk, user=signed_in_user(request)).first()
        if booking is None:
            raise NotFound()
        return Response(BookingSerializer(booking).data)


class BookingCancelView(APIView):
    @extend_schema(request=None, responses=BookingSerializer)
    def post(self, request: Request, pk: int) -> Response:
        booking = services.cancel(signed_in_user(request), pk)
        return Response(BookingSerializer(booking).data)
