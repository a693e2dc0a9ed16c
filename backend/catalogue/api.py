"""Catalogue API: browse and search services, the consent screen (prefill), and the eligibility dry run."""

from __future__ import annotations

from typing import Any

import jsonschema
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.cases.context import Context
from backend.cases.discovery import all_services
from backend.cases.evaluation import jsonable
from backend.cases.plugins import ServiceModule
from backend.cases.services import dry_run, eligible_services, require_resident, service_or_404
from backend.core.errors import DomainError
from backend.core.i18n import localize
from backend.registries.items import ITEMS
from backend.registries.models import ActorType

from .cache import DepartmentNames, build_index, catalogue_detail, catalogue_index, private_response, public_response
from .serializers import (
    EligibilitySerializer,
    PrefillSerializer,
    ServiceDetailSerializer,
    ServiceSerializer,
    departments_by_code,
)


def _matches(service: ServiceModule, query: str, departments: dict[str, DepartmentNames]) -> bool:
    department = departments.get(service.department)
    haystack = [
        service.code,
        service.name.zh,
        service.name.en,
        service.summary.zh,
        service.summary.en,
        service.category.zh,
        service.category.en,
        *service.keywords,
        department.zh if department else "",
        department.en if department else "",
    ]
    query = query.casefold()
    return any(query in text.casefold() for text in haystack if text)


def _filtered(request: Request, departments: dict[str, DepartmentNames]) -> list[ServiceModule]:
    """The registered services matching ``q``, ``category`` and ``department`` (code or name)."""
    found = list(all_services().values())
    if q := request.query_params.get("q", "").strip():
        found = [s for s in found if _matches(s, q, departments)]
    if category := request.query_params.get("category", "").strip():
        found = [s for s in found if category in {s.category.zh, s.category.en}]
    if department := request.query_params.get("department", "").strip():
        found = [s for s in found if department == s.department or department in departments.get(s.department, ())]
    return found


def _form_from_query(service: ServiceModule, request: Request) -> dict[str, Any]:
    """Eligibility may be asked with form values as query parameters (e.g. ?reason=rent&amount=1000).

    The values given are validated like a real application's (missing ones are simply not judged yet)."""
    properties = service.form.get("properties", {})
    form = {key: request.query_params[key] for key in properties if key in request.query_params}
    partial = {**service.form, "required": []}
    errors = {
        ".".join(str(p) for p in e.path) or "form": [e.message]
        for e in jsonschema.Draft202012Validator(partial).iter_errors(form)
    }
    if errors:
        raise DomainError("validation_error", _("申请表填写有误，请检查后重试。"), fields=errors)
    return form


class ServiceListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="search in names (zh/en), summary, keywords, department"),
            OpenApiParameter("category", str),
            OpenApiParameter("department", str, description="department code or name"),
            OpenApiParameter("eligible", bool, description="only services the caller qualifies for now"),
        ],
        responses=ServiceSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        if request.query_params.get("eligible") not in {"1", "true"}:
            index = catalogue_index()  # the same for every caller
            return public_response(request, [index.summaries[s.code] for s in _filtered(request, index.departments)])
        if not request.user.is_authenticated:
            raise DomainError("not_authenticated", _("请先登录。"), status_code=401)
        index = build_index()  # per resident: not from the cache, not into it
        found = _filtered(request, index.departments)
        eligible = eligible_services(request.user, found)
        return private_response([index.summaries[s.code] for s in found if s.code in eligible])


class ServiceDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=ServiceDetailSerializer)
    def get(self, request: Request, code: str) -> Response:
        return public_response(request, catalogue_detail(service_or_404(code)))


class PrefillView(APIView):
    """The consent screen: the registry values the service would use, masked, with department and freshness."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PrefillSerializer)
    def get(self, request: Request, code: str) -> Response:
        service = service_or_404(code)
        resident = require_resident(request.user)
        ctx = Context(
            service,
            resident,
            user=request.user,
            purpose=f"授权确认页预览 {service.name.zh}",
            actor=request.user,
            actor_type=ActorType.RESIDENT,
        )
        departments = departments_by_code()
        items = []
        for use in service.data:
            spec = ITEMS[use.key]
            value = ctx.item(use.key)
            items.append(
                {
                    "key": use.key,
                    "label": str(spec.label),
                    "department": departments[spec.department].name,
                    "department_code": spec.department,
                    "purpose": str(use.purpose),
                    "value": jsonable(spec.display(value)),
                    "updated_at": spec.updated_at(value),
                }
            )
        ctx.log_access()
        return Response(
            {
                "service": service.code,
                "items": items,
                "consent_text": str(
                    _("我同意%(dept)s为办理本事项调取以上部门数据，仅用于本次办理。")
                    % {"dept": departments[service.department].name}
                ),
            }
        )


class EligibilityView(APIView):
    """Dry run: the rule trace for the caller now, without creating a case (免申即享 discovery)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=EligibilitySerializer)
    def get(self, request: Request, code: str) -> Response:
        service = service_or_404(code)
        evaluation = dry_run(request.user, service, _form_from_query(service, request))
        return Response(
            {
                "service": service.code,
                "eligible": evaluation.passed,
                "reason_code": evaluation.failed.code if evaluation.failed else None,
                "rule_trace": localize(evaluation.trace),
            }
        )
