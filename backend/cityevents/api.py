"""Internal events API under /api/v1/: the resident's reports and the clerks' queue. Thin: parse, call services."""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from backend.accounts import permissions
from backend.core.errors import DomainError, NotFound

from . import conf, services
from .models import EventCategory, EventReport, EventSource, EventStatus
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

_ATTRIBUTE_KEY = re.compile(r"^attribute\[([\w-]{1,60})\]$")


def read_upload(request: Request, *names: str) -> bytes | None:
    """The bytes of the first uploaded file under one of ``names``; the size is checked before reading."""
    for name in names:
        upload = request.FILES.get(name)
        if upload is None:
            continue
        if upload.size is not None and upload.size > conf.photo_max_bytes():
            message = f"照片不能超过 {conf.photo_max_bytes() // (1024 * 1024)} MB。"
            raise DomainError("photo_too_large", message, fields={name: [message]})
        return upload.read()
    return None


def extract_attributes(data: Any) -> dict[str, Any]:
    """Attribute values as a dict: a JSON ``attributes`` object, or Open311-style ``attribute[code]`` form keys."""
    attributes: dict[str, Any] = {}
    raw = data.get("attributes") if hasattr(data, "get") else None
    if isinstance(raw, str) and raw.strip():
        try:
            raw = json.loads(raw)
        except ValueError:
            raise DomainError("invalid_attributes", "附加信息须为 JSON 对象。") from None
    if isinstance(raw, dict):
        attributes.update(raw)
    elif raw not in (None, ""):
        raise DomainError("invalid_attributes", "附加信息须为 JSON 对象。")
    keys = data.keys() if hasattr(data, "keys") else []
    for key in keys:
        match = _ATTRIBUTE_KEY.match(key)
        if match:
            values = data.getlist(key) if hasattr(data, "getlist") else [data[key]]
            attributes[match.group(1)] = values if len(values) > 1 else values[0]
    return attributes


def field(data: Any, name: str) -> Any:
    value = data.get(name) if hasattr(data, "get") else None
    return value if not isinstance(value, list) else (value[0] if value else None)


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
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    upload_max_bytes = staticmethod(conf.upload_max_bytes)  # multipart with a photo (backend/core/bodies.py)
    throttle_scope = "submit"

    def get_throttles(self):
        return [ScopedRateThrottle()] if self.request.method == "POST" else []

    def get_queryset(self):
        qs = EventReport.objects.filter(reporter=self.request.user).select_related("category", "department")
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
        data = request.data
        report, created = services.create_report(
            request.user,
            category=field(data, "category") or field(data, "service_code"),
            lat=field(data, "lat"),
            long=field(data, "long"),
            description=field(data, "description") or "",
            district=field(data, "district") or "",
            address=field(data, "address") or "",
            photo=read_upload(request, "media", "photo"),
            media_url=field(data, "media_url") or "",
            attributes=extract_attributes(data),
            source=EventSource.APP,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
        )
        body = EventSerializer(report, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _own_report(request: Request, pk: int) -> EventReport:
    report = (
        EventReport.objects.select_related("category", "department", "reporter").filter(pk=pk, reporter=request.user)
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
        report = services.confirm(_own_report(request, pk), request.user, field(request.data, "reason") or "")
        return Response(EventSerializer(report, context={"request": request}).data)


class EventDisputeView(APIView):
    @extend_schema(request=ReasonSerializer, responses=EventSerializer)
    def post(self, request: Request, pk: int) -> Response:
        report = services.dispute(_own_report(request, pk), request.user, field(request.data, "reason") or "")
        return Response(EventSerializer(report, context={"request": request}).data)


class EventRatingView(APIView):
    @extend_schema(request=RatingSerializer, responses=EventSerializer)
    def post(self, request: Request, pk: int) -> Response:
        report = services.rate(
            _own_report(request, pk), request.user, field(request.data, "score"), field(request.data, "comment") or ""
        )
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
        user = request.user
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
        qs = services.staff_queryset(self.request.user)
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
        qs = services.overdue_first(qs)
        if params.get("overdue") in ("1", "true"):
            qs = qs.filter(_overdue=0)
        return qs

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "staff": True}


def _staff_report(request: Request, pk: int) -> EventReport:
    return get_object_or_404(services.staff_queryset(request.user), pk=pk)


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
            report,
            request.user,
            str(field(request.data, "action") or ""),
            reason=field(request.data, "reason") or "",
            department=field(request.data, "department"),
        )
        return Response(StaffEventSerializer(report, context={"request": request, "staff": True}).data)
