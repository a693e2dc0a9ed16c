"""Staff API for assisted filing (帮办代办). Views validate and call :mod:`backend.assisted.services`; nothing else."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.authentication import signed_in_user
from backend.core.errors import DomainError
from backend.core.inputs import validated
from backend.faceauth import conf as face_conf
from backend.faceauth import uploads

from . import services
from .models import AssistedSession
from .serializers import (
    ApplicationSerializer,
    AssistedFaceResultSerializer,
    AssistedSessionSerializer,
    CancelSerializer,
    ConfirmSerializer,
    StartSerializer,
)


class MayAssist(BasePermission):
    message = _("您没有帮办代办的权限。")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return services.may_assist(request.user)


def _session(session: AssistedSession, status: int = 200) -> Response:
    fresh = AssistedSession.objects.select_related("resident", "department").prefetch_related("events__actor")
    return Response(AssistedSessionSerializer(fresh.get(pk=session.pk)).data, status=status)


class SessionView(APIView):
    permission_classes = [MayAssist]


class SessionListCreateView(ListAPIView[AssistedSession]):
    """The caller's sessions, newest first (paginated)."""

    permission_classes = [MayAssist]
    serializer_class = AssistedSessionSerializer

    def get_queryset(self) -> QuerySet[AssistedSession]:
        sessions = services.sessions_of(signed_in_user(self.request))
        return sessions.select_related("resident", "department").prefetch_related("events__actor")

    @extend_schema(request=StartSerializer, responses={201: AssistedSessionSerializer})
    def post(self, request: Request) -> Response:
        payload = validated(StartSerializer, request.data)
        session = services.start(
            signed_in_user(request), payload["id_number"], payload["name"], id_card_checked=payload["id_card_checked"]
        )
        return _session(session, 201)


class SessionDetailView(SessionView):
    @extend_schema(responses=AssistedSessionSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return _session(services.get(signed_in_user(request), pk))


_face_request = inline_serializer("AssistedFaceRequest", {"image": serializers.FileField()})


class SessionFaceView(SessionView):
    """The counter camera's photo, kept in memory only (backend/faceauth/uploads.py)."""

    parser_classes = [MultiPartParser, FormParser]
    upload_max_bytes = staticmethod(face_conf.max_upload_bytes)

    def initialize_request(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Request:
        self._upload_handler = uploads.install(request)
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(request={"multipart/form-data": _face_request}, responses=AssistedFaceResultSerializer)
    def post(self, request: Request, pk: int) -> Response:
        clerk = signed_in_user(request)
        services.get(clerk, pk)  # another clerk's session is 404 whatever the body
        files = request.FILES.getlist("image")
        uploads.check(getattr(self, "_upload_handler", None))
        if len(files) != 1:
            raise DomainError(
                "validation_error", _("提交的数据有误，请检查后重试。"), fields={"image": ["exactly one image"]}
            )
        session, passed = services.check_face(clerk, pk, files[0].read())
        fresh = _session(session).data
        return Response({"verified": passed, "attempts_left": services.face_attempts_left(session), "session": fresh})


class SessionApplicationView(SessionView):
    @extend_schema(request=ApplicationSerializer, responses=AssistedSessionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        payload = validated(ApplicationSerializer, request.data)
        session = services.fill(
            signed_in_user(request), pk, payload["service"], payload.get("form"), payload["consent"]
        )
        return _session(session)


class SessionSendCodeView(SessionView):
    @extend_schema(request=None, responses=AssistedSessionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return _session(services.send_code(signed_in_user(request), pk))


class SessionConfirmView(SessionView):
    @extend_schema(request=ConfirmSerializer, responses=AssistedSessionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        payload = validated(ConfirmSerializer, request.data)
        return _session(services.confirm(signed_in_user(request), pk, payload["method"], payload["code"]))


class SessionCancelView(SessionView):
    @extend_schema(request=CancelSerializer, responses=AssistedSessionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        payload = validated(CancelSerializer, request.data)
        return _session(services.cancel(signed_in_user(request), pk, payload["reason"]))
