"""Resident API for family delegation. Views validate and call :mod:`backend.delegation.services`; nothing else."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.authentication import signed_in_user
from backend.core.inputs import validated

from . import services
from .serializers import (
    AcceptSerializer,
    GuardianshipSerializer,
    InviteSerializer,
    MandateListSerializer,
    MandateSerializer,
)


class MandateListCreateView(APIView):
    @extend_schema(responses=MandateListSerializer)
    def get(self, request: Request) -> Response:
        given, held = services.mandates_of(signed_in_user(request))
        return Response(
            {
                "as_principal": MandateSerializer(given, many=True).data,
                "as_delegate": MandateSerializer(held, many=True).data,
            }
        )

    @extend_schema(request=InviteSerializer, responses={201: MandateSerializer})
    def post(self, request: Request) -> Response:
        payload = validated(InviteSerializer, request.data)
        mandate = services.invite(
            signed_in_user(request), payload["phone"], payload.get("scope"), payload.get("ends_at")
        )
        return Response(MandateSerializer(mandate).data, status=201)


class MandateAcceptView(APIView):
    @extend_schema(request=AcceptSerializer, responses=MandateSerializer)
    def post(self, request: Request, pk: int) -> Response:
        payload = validated(AcceptSerializer, request.data)
        return Response(MandateSerializer(services.accept(signed_in_user(request), pk, payload["face_token"])).data)


class MandateDeclineView(APIView):
    @extend_schema(request=None, responses=MandateSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return Response(MandateSerializer(services.decline(signed_in_user(request), pk)).data)


class MandateEndView(APIView):
    @extend_schema(request=None, responses=MandateSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return Response(MandateSerializer(services.end(signed_in_user(request), pk)).data)


class GuardianshipView(APIView):
    @extend_schema(request=GuardianshipSerializer, responses={200: MandateSerializer, 201: MandateSerializer})
    def post(self, request: Request) -> Response:
        payload = validated(GuardianshipSerializer, request.data)
        mandate, created = services.guardianship(signed_in_user(request), payload["id_number"])
        return Response(MandateSerializer(mandate).data, status=201 if created else 200)
