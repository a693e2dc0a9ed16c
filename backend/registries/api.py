from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.authentication import signed_in_user
from backend.accounts.serializers import MeSerializer

from .identity import bind_real_name, resident_of
from .models import DataAccessLog
from .serializers import DataAccessSerializer, RealNameSerializer


class RealNameView(APIView):
    @extend_schema(request=RealNameSerializer, responses=MeSerializer)
    def post(self, request: Request) -> Response:
        payload = RealNameSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = signed_in_user(request)
        bind_real_name(user, **payload.validated_data)
        user.refresh_from_db()
        return Response(MeSerializer(user).data)


class DataAccessListView(ListAPIView[DataAccessLog]):
    """Every registry read about the caller (own rows only; nothing before real-name binding)."""

    serializer_class = DataAccessSerializer

    def get_queryset(self) -> QuerySet[DataAccessLog]:
        resident = resident_of(signed_in_user(self.request))
        if resident is None:
            return DataAccessLog.objects.none()
        return DataAccessLog.objects.filter(subject=resident).select_related("department", "actor__department")
