"""Internal events API under /api/v1/: the resident's reports and the clerks' queue.

Thin: find the caller's report first (another's is 404 whatever the body), read the body through the endpoint's
input serializer, call :mod:`backend.cityevents.services`."""

from __future__ import annotations

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from backend.accounts import permissions
from backend.accounts.authentication import signed_in_user
from backend.core.errors import DomainError, NotFound
from backend.core.inputs import validated
from backend.core.parsers import ObjectJSONParser

from . import conf, services
from .models import EventCategory, EventReport, EventSource, EventStatus, overdue_q
from .serializers import (
    CategorySerializer,
    EventCreateSerializer,
    EventListSerializer,
    EventSerializer,
    RatingSerializer,
    ReasonSerializer,
    StaffActionSerializer,
    StaffEventListSerializer,
    StaffEventSerializer,
)


class CategoryListView(APIView):
    """Active categories with their owning department and time limits (not paginated: a short, fixed list)."""

    permission_classes = [AllowAny]

    @extend_schema(responses=CategorySerializer(many=True))
    def get(self, request: Request) -> Response:
        categories = EventCategory.objects.filter(active=True).select_related("department")
        return Response(CategorySerializer(categories, many=True).data)


class EventListCreateView(ListAPIView):
    """GET: own reports, newest first (paginated). POST: a new report, JSON or multipart (``media`` file)."""

    serializer_class = EventListSerializer
    parser_classes = [ObjectJSONParser, MultiPartParser, FormParser]  # JSON: an object, as everywhere
    upload_max_bytes = staticmethod(conf.upload_max_bytes)  # multipart with a photo (backend/core/bodies.py)
    throttle_scope = "submit"

    def get_throttles(self):
        return [ScopedRateThrottle()] if self.request.method == "POST" else []

    def get_queryset(self):
        qs = EventReport.objects.filter(reporter=signed_in_user(self.request)).select_related("category", "department")
        wanted = self.request.query_params.get("status")
        if wanted:
            qs = qs.filter(status__in=wanted.split(","))
        return qs

    @extend_schema(
        request={"application/json": EventCreateSerializer, "multipart/form-data": EventCreateSerializer},
        responses={201: EventSerializer, 200: EventSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
    )
    def post(self, request: Request) -> Response:
        report, created = services.create_report(
            signed_in_user(request),
            **validated(EventCreateSerializer, request.data),
            source=EventSource.APP,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
        )
        body = EventSerializer(report, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _own_report(request: Request, pk: int) -> EventReport:
    report = (
        EventReport.objects.select_related("category", "department", "reporter").filter(
            pk=pk, reporter=signed_in_user(request)
        )
    ).first()
    if report is None:
        raise NotFound()
    return report


class EventDetailView(APIView):
    @extend_schema(responses=EventSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(EventSerializer(_own_report(request, pk), context={"request": request}).data)


class EventConfirmView(APIView):
    @extend_schema(request=ReasonSerializer, responses=EventSerializer)
    def post(self, request: Request, pk: int) -> Response:
        report = _own_report(request, pk)
        report = services.confirm(report, signed_in_user(request), validated(ReasonSerializer, request.data)["reason"])
        return Response(EventSerializer(report, context={"request": request}).data)


class EventDisputeView(APIView):
    @extend_schema(request=ReasonSerializer, responses=EventSerializer)
    def post(self, request: Request, pk: int) -> Response:
        report = _own_report(request, pk)
        report = services.dispute(report, signed_in_user(request), validated(ReasonSerializer, request.data)["reason"])
        return Response(EventSerializer(report, context={"request": request}).data)


class EventRatingView(APIView):
    @extend_schema(request=RatingSerializer, responses=EventSerializer)
    def post(self, request: Request, pk: int) -> Response:
        report = _own_report(request, pk)
        payload = validated(RatingSerializer, request.data)
        report = services.rate(report, signed_in_user(request), payload["score"], payload["comment"])
        return Response(EventSerializer(report, context={"request": request}).data)


def photo_response(report: EventReport) -> FileResponse:
    if not report.photo:
        raise NotFound()
    response = FileResponse(report.photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class EventPhotoView(APIView):
    """The stored (EXIF-free) photo: for the reporter and for staff who may see the report."""

    @extend_schema(responses={(200, "image/jpeg"): bytes})
    def get(self, request: Request, pk: int):
        user = signed_in_user(request)
        if permissions.is_staff_member(user):
            report = services.staff_queryset(user).filter(pk=pk).first()
        else:
            report = EventReport.objects.filter(pk=pk, reporter=user).first()
        if report is None:
            raise NotFound()
        return photo_response(report)


# --- staff --------------------------------------------------------------------------------------------------------


class StaffEventListView(ListAPIView):
    """The caller's department's reports, overdue first. ``?status=a,b&overdue=true&category=&district=``."""

    serializer_class = StaffEventListSerializer

    def get_queryset(self):
        qs = services.staff_queryset(signed_in_user(self.request))
        params = self.request.query_params
        if params.get("status"):
            wanted = [s for s in params["status"].split(",") if s]
            unknown = set(wanted) - set(EventStatus.values)
            if unknown:
                raise DomainError("validation_error", "未知的状态。", fields={"status": sorted(unknown)})
            qs = qs.filter(status__in=wanted)
        if params.get("category"):
            qs = qs.filter(category__code=params["category"])
        if params.get("district"):
            qs = qs.filter(district=params["district"])
        if params.get("overdue") in ("1", "true"):
            qs = qs.filter(overdue_q(timezone.now()))
        return services.overdue_first(qs)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "staff": True}


def _staff_report(request: Request, pk: int) -> EventReport:
    return get_object_or_404(services.staff_queryset(signed_in_user(request)), pk=pk)


class StaffEventDetailView(APIView):
    @extend_schema(responses=StaffEventSerializer)
    def get(self, request: Request, pk: int) -> Response:
        report = _staff_report(request, pk)
        return Response(StaffEventSerializer(report, context={"request": request, "staff": True}).data)


class StaffEventActionView(APIView):
    @extend_schema(request=StaffActionSerializer, responses=StaffEventSerializer)
    def post(self, request: Request, pk: int) -> Response:
        report = _staff_report(request, pk)
        report = services.staff_action(
            report, signed_in_user(request), **validated(StaffActionSerializer, request.data)
        )
        return Response(StaffEventSerializer(report, context={"request": request, "staff": True}).data)
