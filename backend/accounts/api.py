from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .authentication import signed_in_user
from .serializers import MeSerializer, MeUpdateSerializer


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)

    @extend_schema(request=MeUpdateSerializer, responses=MeSerializer)
    def patch(self, request: Request) -> Response:
        update = MeUpdateSerializer(data=request.data)
        update.is_valid(raise_exception=True)
        user = signed_in_user(request)
        user.language = update.validated_data["language"]
        user.save(update_fields=["language"])
        return Response(MeSerializer(user).data)
