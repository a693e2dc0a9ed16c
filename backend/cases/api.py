"""Resident and staff API for cases. Views validate and call :mod:`backend.cases.services`; nothing else."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Prefetch, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.authentication import BaseAuthentication
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from backend.accounts import permissions
from backend.accounts.authentication import signed_in_user
from backend.core.errors import DomainError, NotFound
from backend.core.inputs import validated

from . import services, submission
from .models import Case, CaseEvent, CaseQuerySet, Certificate, FollowUp
from .serializers import (
    CaseCreateSerializer,
    CaseSerializer,
    CaseUpdateSerializer,
    CertificateSerializer,
    CertificateVerificationSerializer,
    CounterIdentitySerializer,
    FollowUpCloseSerializer,
    FollowUpSerializer,
    RatingCreateSerializer,
    RatingSerializer,
    StaffCaseSerializer,
    StaffDecideSerializer,
)

CASE_RELATED = ("department",)
# The timeline renders each actor (and their department) in the reader's language: one query for all of them.
TIMELINE = CaseEvent.objects.select_related("actor__department").only(
    *("id", "case_id", "at", "status", "action", "actor_id", "actor_label", "note", "note_en"),
    *("actor__role", "actor__display_name", "actor__username", "actor__department_id"),
    *("actor__department__name_zh", "actor__department__name_en"),
)
CASE_PREFETCH = (Prefetch("events", queryset=TIMELINE), "rating")


def _cases() -> CaseQuerySet:
    return Case.objects.select_related(*CASE_RELATED).prefetch_related(*CASE_PREFETCH)


class SubmitThrottle(ScopedRateThrottle):
    scope_attr = "throttle_scope"

    def allow_request(self, request: Request, view: APIView) -> bool:
        if request.method != "POST":
            return True
        return super().allow_request(request, view)


class CaseListCreateView(ListAPIView[Case]):
    serializer_class = CaseSerializer
    throttle_classes = [SubmitThrottle]
    throttle_scope = "submit"

    def get_queryset(self) -> QuerySet[Case]:
        qs = services.within_mandate(_cases().filter(applicant=signed_in_user(self.request)))
        if status := self.request.query_params.get("status"):
            qs = qs.filter(status=status)
        return qs

    @extend_schema(
        request=CaseCreateSerializer,
        responses={201: CaseSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    def post(self, request: Request) -> Response:
        # an application resumed from elsewhere (a draft): that object must be the caller's, 404 before anything else
        submit = submission.submission_for(
            signed_in_user(request), request.data, request.headers.get("Idempotency-Key"), default=services.submit
        )
        payload = CaseCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        key = request.headers.get("Idempotency-Key", "").strip() or None
        if key and len(key) > 100:
            raise DomainError("validation_error", "Idempotency-Key too long", fields={"Idempotency-Key": ["≤ 100"]})
        case, created = submit(
            signed_in_user(request),
            payload.validated_data["service"],
            payload.validated_data.get("form"),
            payload.validated_data.get("consent"),
            key,
        )
        headers = {} if created else {"Idempotent-Replayed": "true"}
        return Response(CaseSerializer(_cases().get(pk=case.pk)).data, status=201, headers=headers)


class CaseDetailView(APIView):
    @extend_schema(responses=CaseSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(CaseSerializer(services.own_case(signed_in_user(request), pk)).data)

    @extend_schema(request=CaseUpdateSerializer, responses=CaseSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        """Correct the form of a returned case and resubmit it. Only ``form`` is read; ``status`` and the rest are
        ignored (mass assignment)."""
        payload = validated(CaseUpdateSerializer, request.data)
        case = services.resubmit(signed_in_user(request), pk, payload["form"])
        return Response(CaseSerializer(_cases().get(pk=case.pk)).data)


class CaseWithdrawView(APIView):
    @extend_schema(request=None, responses=CaseSerializer)
    def post(self, request: Request, pk: int) -> Response:
        case = services.withdraw(signed_in_user(request), pk)
        return Response(CaseSerializer(_cases().get(pk=case.pk)).data)


class CaseRatingView(APIView):
    @extend_schema(request=RatingCreateSerializer, responses={201: RatingSerializer})
    def post(self, request: Request, pk: int) -> Response:
        payload = validated(RatingCreateSerializer, request.data)
        rating = services.rate(signed_in_user(request), pk, payload["score"], payload["comment"])
        return Response(RatingSerializer(rating).data, status=201)


class CertificateListView(ListAPIView[Certificate]):
    serializer_class = CertificateSerializer

    def get_queryset(self) -> QuerySet[Certificate]:
        return Certificate.objects.filter(case__applicant=signed_in_user(self.request)).select_related("case")


class CertificateVerifyView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type[BaseAuthentication]] = []

    @extend_schema(responses=CertificateVerificationSerializer)
    def get(self, request: Request, code: str) -> Response:
        cert = Certificate.objects.select_related("holder").filter(code=code.upper()).first()
        if cert is None:
            raise NotFound(code="certificate_not_found")
        return Response(CertificateVerificationSerializer(cert).data)


# -- staff -----------------------------------------------------------------------------------------------------------
class IsClerk(BasePermission):
    message = "仅窗口工作人员可以访问。"

    def has_permission(self, request: Request, view: APIView) -> bool:
        return permissions.is_department_clerk(request.user)


class StaffCaseListView(ListAPIView[Case]):
    """The caller's department's cases: overdue first, then by due date (the statutory queue)."""

    serializer_class = StaffCaseSerializer
    permission_classes = [IsClerk]

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str),
            OpenApiParameter("service", str),
            OpenApiParameter("overdue", bool),
            OpenApiParameter("post_check", bool, description="commitment approvals awaiting the post-check"),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Case]:
        params = self.request.query_params
        return (
            _cases()
            .select_related("resident", "follow_up")
            .staff_queue(
                self.request.user,
                status=params.get("status"),
                service=params.get("service"),
                overdue=params.get("overdue") in {"1", "true"},
                post_check=params.get("post_check") in {"1", "true"},
            )
        )


class StaffCaseDetailView(APIView):
    permission_classes = [IsClerk]

    @extend_schema(responses=StaffCaseSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(StaffCaseSerializer(services.department_case(signed_in_user(request), pk)).data)


class StaffDecideView(APIView):
    permission_classes = [IsClerk]

    @extend_schema(
        request={"application/json": StaffDecideSerializer},
        responses=StaffCaseSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        payload = validated(StaffDecideSerializer, request.data)
        case = services.clerk_decide(signed_in_user(request), pk, payload["action"], payload["reason"])
        return Response(StaffCaseSerializer(_cases().get(pk=case.pk)).data)


class StaffVerifyIdentityView(APIView):
    """A clerk checked the applicant's ID in person: the counter alternative to the face check."""

    permission_classes = [IsClerk]

    @extend_schema(
        request={"application/json": CounterIdentitySerializer},
        responses=StaffCaseSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        payload = validated(CounterIdentitySerializer, request.data)
        case = services.verify_identity_at_counter(
            signed_in_user(request), pk, payload["note"], id_card_checked=payload["id_card_checked"]
        )
        return Response(StaffCaseSerializer(_cases().get(pk=case.pk)).data)


class StaffFollowUpListView(ListAPIView[FollowUp]):
    """差评整改: the department's follow-ups of bad ratings, open ones first."""

    serializer_class = FollowUpSerializer
    permission_classes = [IsClerk]

    def get_queryset(self) -> QuerySet[FollowUp]:
        qs = permissions.actionable_by(FollowUp.objects.select_related("case__rating"), self.request.user)
        if self.request.query_params.get("open") in {"1", "true"}:
            qs = qs.filter(closed_at__isnull=True)
        return qs.order_by(F("closed_at").asc(nulls_first=True), "opened_at")


class StaffFollowUpCloseView(APIView):
    permission_classes = [IsClerk]

    @extend_schema(
        request={"application/json": FollowUpCloseSerializer},
        responses=FollowUpSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        payload = validated(FollowUpCloseSerializer, request.data)
        follow_up = services.close_follow_up(signed_in_user(request), pk, payload["resolution"])
        return Response(FollowUpSerializer(FollowUp.objects.select_related("case__rating").get(pk=follow_up.pk)).data)
