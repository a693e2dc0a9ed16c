"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) at /open311/v2/, JSON format.

Methods: ``discovery.json``, ``services.json``, ``services/{service_code}.json``, ``requests.json`` (GET list with
``service_request_id``, ``service_code``, ``start_date``, ``end_date``, ``status`` filters; POST create),
``requests/{service_request_id}.json``. The ``.json`` suffix may be left out; ``.xml`` is answered with a 400
because only JSON is offered. Errors use the GeoReport error format ``[{"code": 400, "description": "..."}]``
with the same HTTP status, never the /api/v1/ error shape (GeoReport clients parse this one).

Internal statuses map onto the two GeoReport ones: received, dispatched, in_progress, resolved → ``open``;
closed → ``closed``. GET is anonymous (public data, descriptions with phone and ID numbers masked); POST needs a
logged-in user (``X-Session-Token``), because reports are followed up with the reporter in the app; ``api_key``
is accepted and ignored, ``jurisdiction_id`` must name this city when given.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

from django.db.models import Prefetch
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle
from rest_framework.views import APIView

from backend.accounts.authentication import signed_in_user
from backend.core.errors import DomainError
from backend.core.ids import id_or_none
from backend.core.inputs import single as field
from backend.core.masking import mask_id_number, mask_phone
from backend.core.outage import RETRY_AFTER_SECONDS, is_outage

from . import conf, services
from .api import photo_response
from .models import EventAction, EventCategory, EventReport, EventSource, EventStatus, localized
from .serializers import extract_attributes, read_upload

logger = logging.getLogger(__name__)

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
#: Every field of a GeoReport v2 service request, in the order of the specification.
REQUEST_FIELDS = (
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
)  # fmt: skip
SERVICE_FIELDS = ("service_code", "service_name", "description", "metadata", "type", "keywords", "group")


def open311_status(internal: str) -> str:
    return "closed" if internal == EventStatus.CLOSED else "open"


def iso(value: dt.datetime | None) -> str | None:
    """W3C/ISO 8601 with the offset, as GeoReport requires (e.g. 2026-11-25T16:02:13+08:00)."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


class Open311Error(exceptions.APIException):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.status_code = code
        self.description = description


def error_list(code: int, description: Any) -> list[dict[str, Any]]:
    return [{"code": code, "description": str(description)}]


def open311_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """Every failure of an Open311 view as ``[{"code", "description"}]`` with the same HTTP status."""
    headers: dict[str, str] = {}
    if isinstance(exc, Open311Error):
        code, description = exc.status_code, exc.description
    elif isinstance(exc, DomainError):
        code, description = exc.status_code, exc.message
        if exc.fields:
            names = ", ".join(sorted(exc.fields))
            description = f"{description} ({names})"
        headers = exc.headers
    elif isinstance(exc, Http404):
        code, description = 404, "Not found."
    elif isinstance(exc, exceptions.APIException):
        code = exc.status_code
        detail = exc.detail
        if isinstance(detail, dict):
            description = "; ".join(f"{key}: {value}" for key, value in detail.items())
        elif isinstance(detail, list):
            description = "; ".join(str(item) for item in detail)
        else:
            description = str(detail)
        wait = getattr(exc, "wait", None)  # set by Throttled.__init__; djangorestframework-stubs omit it
        if isinstance(exc, exceptions.Throttled) and wait:
            headers["Retry-After"] = str(int(wait))
    elif is_outage(exc):
        logger.error("Open311: database unavailable: %s", exc)
        code, description = 503, "Service temporarily unavailable, please retry."
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    else:
        logger.exception("Open311 error", exc_info=exc)
        code, description = 500, "Internal server error."
    return Response(error_list(code, description), status=code, headers=headers)


class Open311View(APIView):
    renderer_classes = [JSONRenderer]
    parser_classes = [FormParser, MultiPartParser, JSONParser]
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    def get_exception_handler(self):
        return open311_exception_handler

    @staticmethod
    def payload_too_large_response(message: str) -> JsonResponse:
        """A body over the limit is refused before the view runs (backend/core/bodies.py): GeoReport's format."""
        return JsonResponse(error_list(413, message), status=413, safe=False, json_dumps_params={"ensure_ascii": False})

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        if (kwargs.get("fmt") or "json") != "json":
            raise Open311Error(400, "Only the JSON format is supported: use the .json suffix.")
        jurisdiction = request.query_params.get("jurisdiction_id") or (
            request.data.get("jurisdiction_id") if request.method == "POST" and hasattr(request.data, "get") else None
        )
        if jurisdiction and jurisdiction != conf.open311_jurisdiction_id():
            raise Open311Error(404, "jurisdiction_id provided was not found.")


def service_json(category: EventCategory) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": bool(category.attributes),
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.group,
    }


class DiscoveryView(Open311View):
    @extend_schema(exclude=True)
    def get(self, request: Request, fmt: str = "json") -> Response:
        return Response(
            {
                "changeset": iso(timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)),
                "contact": "12345 市民服务热线",
                "key_service": "API keys are not used; POST requires an X-Session-Token of a Yiwang account.",
                "endpoints": [
                    {
                        "specification": SPEC_URL,
                        "url": request.build_absolute_uri(reverse("open311-root")),
                        "changeset": "2026-01-01T00:00:00+08:00",
                        "type": "production",
                        "formats": ["application/json"],
                    }
                ],
            }
        )


class ServiceListView(Open311View):
    @extend_schema(exclude=True)
    def get(self, request: Request, fmt: str = "json") -> Response:
        categories = EventCategory.objects.filter(active=True).select_related("department")
        return Response([service_json(c) for c in categories])


class ServiceDefinitionView(Open311View):
    @extend_schema(exclude=True)
    def get(self, request: Request, code: str, fmt: str = "json") -> Response:
        category = EventCategory.objects.filter(code=code, active=True).first()
        if category is None:
            raise Open311Error(404, f"service_code {code} was not found.")
        attributes = []
        for order, spec in enumerate(sorted(category.attributes, key=lambda a: a.get("order", 0)), start=1):
            attributes.append(
                {
                    "variable": spec.get("variable", True),
                    "code": spec["code"],
                    "datatype": spec.get("datatype", "string"),
                    "required": bool(spec.get("required", False)),
                    "datatype_description": spec.get("datatype_description") or None,
                    "order": spec.get("order", order),
                    "description": spec.get("description", ""),
                    "values": [{"key": v["key"], "name": v["name"]} for v in spec.get("values", [])],
                }
            )
        return Response({"service_code": category.code, "attributes": attributes})


_PHONE = re.compile(r"(?<!\d)(?:\+?86)?1[3-9]\d{9}(?!\d)")
_ID_NUMBER = re.compile(r"(?<![\dXx])\d{17}[\dXx](?![\dXx])")


def redact(text: str) -> str:
    """Public output masks phone and ID numbers a resident may have typed into a description."""
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    return _PHONE.sub(lambda m: mask_phone(m.group(0)[-11:]), text)


#: Timeline kinds that say something about the status (rating, submission and routing do not).
_NOTE_KINDS_EXCLUDED = ("rate", "created", "routed")


def with_notes(queryset):
    """Prefetch the timeline entries ``status_notes`` reads: one query for a whole list, not one per request."""
    entries = EventAction.objects.exclude(kind__in=_NOTE_KINDS_EXCLUDED).order_by("at", "id")
    return queryset.prefetch_related(Prefetch("actions", queryset=entries, to_attr="note_entries"))


def status_notes(report: EventReport) -> str:
    entries = getattr(report, "note_entries", None)
    if entries is None:
        entries = list(report.actions.exclude(kind__in=_NOTE_KINDS_EXCLUDED).order_by("at", "id"))
    last = entries[-1] if entries else None
    if report.duplicate_of_id and (last is None or last.kind == "duplicate"):
        return f"重复报告，已与报告 #{report.duplicate_of_id} 合并处理。"
    if last is None:
        return ""
    label = last.get_kind_display()
    return redact(f"{label}：{last.note}" if last.note else str(label))


def media_url(report: EventReport, request: HttpRequest) -> str | None:
    if report.photo:
        return request.build_absolute_uri(reverse("open311-media", kwargs={"pk": report.pk}))
    return report.media_url or None


def request_json(report: EventReport, request: HttpRequest) -> dict[str, Any]:
    return {
        "service_request_id": str(report.pk),
        "status": open311_status(report.status),
        "status_notes": status_notes(report),
        "service_name": report.category.name,
        "service_code": report.category.code,
        "description": redact(report.description),
        "agency_responsible": localized(report.department, "name"),
        "service_notice": services.service_notice(report.category),
        "requested_datetime": iso(report.created_at),
        "updated_datetime": iso(report.closed_at if report.status == EventStatus.CLOSED else report.updated_at),
        "expected_datetime": iso(report.resolution_due_at),
        "address": report.address or f"郑州市{report.district}",
        "address_id": None,
        "zipcode": None,
        "lat": float(report.lat),
        "long": float(report.long),
        "media_url": media_url(report, request),
    }


def _parse_when(value: str, name: str, *, end: bool = False) -> dt.datetime:
    value = value.strip().replace(" ", "+")  # a "+08:00" offset arrives as " 08:00" when not URL-encoded
    parsed = None
    try:
        day = parse_date(value)  # a bare date means the whole day: from its first to its last moment
        if day is not None:
            parsed = dt.datetime.combine(day, dt.time.max if end else dt.time.min)
        else:
            parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise Open311Error(400, f"{name} must be a W3C/ISO 8601 date-time, e.g. 2026-01-31T08:00:00+08:00.")
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


class RequestListView(Open311View):
    """GET: public list (last 90 days and at most 1000 by default). POST: create (logged-in users)."""

    throttle_scope = "submit"
    upload_max_bytes = staticmethod(conf.upload_max_bytes)  # POST with ``media`` (backend/core/bodies.py)

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "POST" else [AllowAny()]

    def get_throttles(self):
        return [ScopedRateThrottle()] if self.request.method == "POST" else [AnonRateThrottle()]

    def permission_denied(self, request, message=None, code=None):
        if request.authenticators and not request.successful_authenticator:
            raise Open311Error(401, "Authentication required: send the X-Session-Token of a Yiwang account.")
        raise Open311Error(403, str(message or "Permission denied."))

    @extend_schema(exclude=True)
    def get(self, request: Request, fmt: str = "json") -> Response:
        params = request.query_params
        qs = with_notes(EventReport.objects.select_related("category__department", "department"))
        ids = params.get("service_request_id", "").strip()
        if ids:  # "This overrides all other arguments."
            wanted = [id_or_none(i.strip()) for i in ids.split(",") if i.strip()]
            if None in wanted:  # an id out of the database's range would reach it in the IN (…) and fail there
                raise Open311Error(400, "service_request_id must be a comma-separated list of ids.")
            qs = qs.filter(pk__in=wanted)
        else:
            qs = self._filter(qs, params)
        reports = qs.order_by("-created_at", "-id")[: conf.open311_max_requests()]
        return Response([request_json(r, request) for r in reports])

    def _filter(self, qs, params):
        window = dt.timedelta(days=conf.open311_window_days())
        start = _parse_when(params["start_date"], "start_date") if params.get("start_date") else None
        end = _parse_when(params["end_date"], "end_date", end=True) if params.get("end_date") else None
        if start and end:
            if end < start:
                raise Open311Error(400, "end_date must not be before start_date.")
            if end - start > window:
                raise Open311Error(400, f"start_date and end_date may not span more than {window.days} days.")
        elif start:
            end = start + window
        elif end:
            start = end - window
        else:
            end = timezone.now()
            start = end - window
        qs = qs.filter(created_at__gte=start, created_at__lte=end)
        codes = [c.strip() for c in params.get("service_code", "").split(",") if c.strip()]
        if codes:
            qs = qs.filter(category__code__in=codes)
        statuses = {s.strip().lower() for s in params.get("status", "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, "status must be open, closed or both (comma-delimited).")
        if statuses == {"open"}:
            qs = qs.exclude(status=EventStatus.CLOSED)
        elif statuses == {"closed"}:
            qs = qs.filter(status=EventStatus.CLOSED)
        return qs

    @extend_schema(exclude=True)
    def post(self, request: Request, fmt: str = "json") -> Response:
        data = request.data
        code = field(data, "service_code")
        if not code:
            raise Open311Error(400, "service_code was not provided.")
        if not EventCategory.objects.filter(code=str(code), active=True).exists():
            raise Open311Error(400, f"service_code {code} was not found.")
        if not (field(data, "lat") and field(data, "long")) and not request.FILES.get("media"):
            raise Open311Error(
                400, "lat and long were not provided (address_string or address_id alone is not enough)."
            )
        report, _created = services.create_report(
            signed_in_user(request),
            category=code,
            lat=field(data, "lat"),
            long=field(data, "long"),
            description=field(data, "description") or "",
            district="",
            address=field(data, "address_string") or "",
            photo=read_upload(request.FILES, "media"),
            media_url=field(data, "media_url") or "",
            attributes=extract_attributes(data),
            source=EventSource.OPEN311,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
        )
        notice = services.service_notice(report.category)
        if report.duplicate_of_id:
            notice = f"{notice} {services.duplicate_notice(report)}"
        body = [{"service_request_id": str(report.pk), "service_notice": notice, "account_id": str(request.user.pk)}]
        return Response(body, status=status.HTTP_200_OK)


class RequestDetailView(Open311View):
    @extend_schema(exclude=True)
    def get(self, request: Request, pk: str, fmt: str = "json") -> Response:
        number = id_or_none(pk)
        report = (
            with_notes(EventReport.objects.select_related("category__department", "department"))
            .filter(pk=number)
            .first()
            if number is not None
            else None
        )
        if report is None:
            raise Open311Error(404, f"service_request_id {pk} was not found.")
        return Response([request_json(report, request)])


class MediaView(Open311View):
    """The published photo of a request (the stored copy, re-encoded without EXIF)."""

    renderer_classes = [JSONRenderer]

    @extend_schema(exclude=True)
    def get(self, request: Request, pk: int):
        report = EventReport.objects.filter(pk=pk).first()
        if report is None or not report.photo:
            raise Open311Error(404, "media not found.")
        response = photo_response(report)
        response["Cache-Control"] = "public, max-age=86400"
        return response


def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Unknown paths under /open311/v2/ answer in the GeoReport error format, not with an HTML page."""
    return JsonResponse(error_list(404, "Unknown Open311 method."), status=404, safe=False)
