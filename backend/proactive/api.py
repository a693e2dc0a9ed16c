"""免申即享 API for residents. Views call :mod:`backend.proactive.services`; nothing else."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.authentication import signed_in_user
from backend.cases.api import CASE_PREFETCH, CASE_RELATED
from backend.cases.models import Case
from backend.cases.serializers import CaseSerializer

from . import services
from .models import Offer
from .serializers import OfferSerializer

_CONFIRMED = inline_serializer("OfferConfirmed", {"offer": OfferSerializer(), "case": CaseSerializer()})


class OfferListView(ListAPIView[Offer]):
    """The caller's offers, newest first; ``?status=offered`` for the open ones."""

    serializer_class = OfferSerializer

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=["offered", "confirmed", "declined", "expired"])])
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Offer]:
        offers = services.own_offers(signed_in_user(self.request))
        if status := services.status_filter(self.request.query_params.get("status")):
            offers = offers.filter(status=status)
        return offers


class OfferDetailView(APIView):
    @extend_schema(responses=OfferSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(OfferSerializer(services.own_offer(signed_in_user(request), pk)).data)


class OfferConfirmView(APIView):
    @extend_schema(request=None, responses={201: _CONFIRMED, 200: _CONFIRMED})
    def post(self, request: Request, pk: int) -> Response:
        offer, case, created = services.confirm(signed_in_user(request), pk)
        case = Case.objects.select_related(*CASE_RELATED).prefetch_related(*CASE_PREFETCH).get(pk=case.pk)
        headers = {} if created else {"Idempotent-Replayed": "true"}
        body = {"offer": OfferSerializer(offer).data, "case": CaseSerializer(case).data}
        return Response(body, status=201 if created else 200, headers=headers)


class OfferDeclineView(APIView):
    @extend_schema(request=None, responses=OfferSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return Response(OfferSerializer(services.decline(signed_in_user(request), pk)).data)
