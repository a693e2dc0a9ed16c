"""Resident API for bundle applications (一件事一次办). Views read the request and call :mod:`backend.cases.bundles`;
the catalogue side (``GET /bundles``, the shared form, the consent screen) is in :mod:`backend.catalogue.api`."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.authentication import signed_in_user
from backend.accounts.departments import departments_by_code
from backend.accounts.models import User
from backend.core.errors import DomainError

from . import bundles
from .api import SubmitThrottle
from .bundle_serializers import (
    BUNDLE_PREFETCH,
    BundleApplicationSerializer,
    BundleApplyRequestSerializer,
    bundle_data,
    with_prefetch,
)
from .models import Bundle


def _idempotency_key(request: Request) -> str | None:
    key = request.headers.get("Idempotency-Key", "").strip() or None
    if key and len(key) > 100:
        raise DomainError("validation_error", "Idempotency-Key too long", fields={"Idempotency-Key": ["≤ 100"]})
    return key


class BundleApplyView(APIView):
    throttle_classes = [SubmitThrottle]
    throttle_scope = "submit"

    @extend_schema(
        request=BundleApplyRequestSerializer,
        responses={201: BundleApplicationSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    def post(self, request: Request, code: str) -> Response:
        body: Any = request.data if hasattr(request.data, "get") else {}
        if not hasattr(request.data, "get"):
            raise DomainError("validation_error", "body must be a JSON object", fields={"body": ["must be an object"]})
        record, created = bundles.submit(
            signed_in_user(request), code, body.get("form"), body.get("consent"), _idempotency_key(request)
        )
        headers = {} if created else {"Idempotent-Replayed": "true"}
        return Response(bundle_data(with_prefetch(record)), status=201, headers=headers)


class MyBundleListView(ListAPIView[Bundle]):
    serializer_class = BundleApplicationSerializer

    def get_queryset(self) -> QuerySet[Bundle]:
        return bundles.own_bundles(signed_in_user(self.request)).prefetch_related(*BUNDLE_PREFETCH)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "departments": departments_by_code()}


class MyBundleDetailView(APIView):
    @extend_schema(responses=BundleApplicationSerializer)
    def get(self, request: Request, reference_no: str) -> Response:
        return Response(bundle_data(with_prefetch(bundles.own_bundle(signed_in_user(request), reference_no))))


class MyBundleContinueView(APIView):
    @extend_schema(request=None, responses=BundleApplicationSerializer)
    def post(self, request: Request, reference_no: str) -> Response:
        record = bundles.continue_without_failed(signed_in_user(request), reference_no)
        return Response(bundle_data(with_prefetch(record)))


class MyBundleWithdrawView(APIView):
    @extend_schema(request=None, responses=BundleApplicationSerializer)
    def post(self, request: Request, reference_no: str) -> Response:
        return Response(bundle_data(with_prefetch(bundles.withdraw(signed_in_user(request), reference_no))))


def on_face_verified(user: User, bundle_id: Any) -> dict[str, Any]:
    """The ``"bundle"`` face purpose's answer: the bundle as ``GET /me/bundles/{ref}`` shows it."""
    return {"bundle": bundle_data(with_prefetch(bundles.face_verified(user, bundle_id)))}
