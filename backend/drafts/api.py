"""Resident API for drafts. Views validate and call :mod:`backend.drafts.services`; nothing else."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.authentication import signed_in_user

from . import services
from .models import Draft
from .serializers import DraftCreateSerializer, DraftSerializer, DraftUpdateSerializer


class DraftListCreateView(ListAPIView):
    serializer_class = DraftSerializer

    def get_queryset(self) -> QuerySet[Draft]:
        return services.drafts_of(signed_in_user(self.request))

    @extend_schema(request=DraftCreateSerializer, responses={201: DraftSerializer})
    def post(self, request: Request) -> Response:
        payload = DraftCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        draft = services.create(
            signed_in_user(request), payload.validated_data["service"], payload.validated_data.get("form")
        )
        return Response(DraftSerializer(draft).data, status=201)


class DraftDetailView(APIView):
    @extend_schema(responses=DraftSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(DraftSerializer(services.own_draft(signed_in_user(request), pk)).data)

    @extend_schema(request=DraftUpdateSerializer, responses=DraftSerializer)
    def put(self, request: Request, pk: int) -> Response:
        services.own_draft(signed_in_user(request), pk)  # another resident's draft is 404 whatever the body
        payload = DraftUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        draft = services.update(
            signed_in_user(request), pk, payload.validated_data["form"], payload.validated_data.get("base_updated_at")
        )
        return Response(DraftSerializer(draft).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.delete(signed_in_user(request), pk)
        return Response(status=204)
