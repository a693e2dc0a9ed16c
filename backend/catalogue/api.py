"""Catalogue API: browse and search services, the consent screen (prefill), and the eligibility dry run.

Thin: each view reads its parameters and calls :mod:`backend.catalogue.services` or the case engine."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.authentication import signed_in_user
from backend.cases.bundles import bundle_or_404
from backend.cases.plugins import ServiceModule
from backend.cases.services import dry_run, eligible_services, service_or_404
from backend.core.errors import DomainError
from backend.core.i18n import localize

from .bundles import bundle_detail, bundle_list, bundle_prefill
from .cache import DepartmentNames, build_index, catalogue_detail, catalogue_index, private_response, public_response
from .serializers import (
    BundleDetailSerializer,
    BundlePrefillSerializer,
    BundleSerializer,
    EligibilitySerializer,
    PrefillSerializer,
    ServiceDetailSerializer,
    ServiceSerializer,
)
from .services import partial_form, prefill, search


def _search(request: Request, departments: dict[str, DepartmentNames]) -> list[ServiceModule]:
    params = request.query_params
    return search(
        departments, q=params.get("q", ""), category=params.get("category", ""), department=params.get("department", "")
    )


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
            return public_response(request, [index.summaries[s.code] for s in _search(request, index.departments)])
        if not request.user.is_authenticated:
            raise DomainError("not_authenticated", _("请先登录。"), status_code=401)
        index = build_index()  # per resident: not from the cache, not into it
        found = _search(request, index.departments)
        eligible = eligible_services(signed_in_user(request), found)
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
        return Response(prefill(signed_in_user(request), service_or_404(code)))


class EligibilityView(APIView):
    """Dry run: the rule trace for the caller now, without creating a case (免申即享 discovery)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=EligibilitySerializer)
    def get(self, request: Request, code: str) -> Response:
        service = service_or_404(code)
        evaluation = dry_run(signed_in_user(request), service, partial_form(service, request.query_params))
        return Response(
            {
                "service": service.code,
                "eligible": evaluation.passed,
                "reason_code": evaluation.failed.code if evaluation.failed else None,
                "rule_trace": localize(evaluation.trace),
            }
        )


# -- bundles (一件事一次办) -------------------------------------------------------------------------------------------
class BundleListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=BundleSerializer(many=True))
    def get(self, request: Request) -> Response:
        return public_response(request, bundle_list())


class BundleDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=BundleDetailSerializer)
    def get(self, request: Request, code: str) -> Response:
        return public_response(request, bundle_detail(bundle_or_404(code)))


class BundlePrefillView(APIView):
    """The bundle's one consent screen: every department's values, masked, grouped by department."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=BundlePrefillSerializer)
    def get(self, request: Request, code: str) -> Response:
        return Response(bundle_prefill(signed_in_user(request), bundle_or_404(code)))
