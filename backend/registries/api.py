from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.serializers import MeSerializer

from .identity import bind_real_name, resident_of
from .models import DataAccessLog
from .serializers import DataAccessSerializer, RealNameSerializer


class RealNameView(APIView):
    @extend_schema(request=RealNameSerializer, responses=MeSerializer)
    def post(self, request: Request) -> Response:
        payload = RealNameSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        bind_real_name(request.user, **payload.validated_data)
        request.user.refresh_from_db()
        return Response(MeSerializer(request.user).data)


class DataAccessListView(ListAPIView):
    """Every registry read about the caller (own rows only; nothing before real-name binding)."""

    serializer_class = DataAccessSerializer

    def get_queryset(self):
        resident = resident_of(self.request.user)
        if resident is None:
            return DataAccessLog.objects.none()
        return DataAccessLog.objects.filter(subject=resident).select_related("department", "actor__department")
