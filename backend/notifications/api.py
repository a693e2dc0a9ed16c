from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.authentication import signed_in_user
from backend.core.errors import NotFound

from .models import Notification
from .services import mark_read, unread_count


class NotificationSerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "target", "created_at", "read", "read_at"]

    def get_title(self, obj: Notification) -> str:
        """In the reader's language (Accept-Language); notices stored in Chinese only stay Chinese."""
        return obj.localized_title()

    def get_body(self, obj: Notification) -> str:
        return obj.localized_body()

    def get_read(self, obj: Notification) -> bool:
        return obj.read_at is not None


class NotificationListView(ListAPIView):
    """Own notices, newest first; ``?unread=true`` for unread only. The page carries ``unread`` (count)."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        qs = Notification.objects.filter(user=signed_in_user(self.request))
        if self.request.query_params.get("unread") in {"1", "true"}:
            qs = qs.filter(read_at__isnull=True)
        return qs

    def list(self, request: Request, *args, **kwargs) -> Response:
        response = super().list(request, *args, **kwargs)
        response.data["unread"] = unread_count(signed_in_user(request))
        return response


class NotificationReadView(APIView):
    @extend_schema(request=None, responses=NotificationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        try:
            notification = mark_read(signed_in_user(request), pk)
        except Notification.DoesNotExist:
            raise NotFound() from None
        return Response(NotificationSerializer(notification).data)


class NotificationReadAllView(APIView):
    @extend_schema(request=None, responses=inline_serializer("ReadAll", {"updated": serializers.IntegerField()}))
    def post(self, request: Request) -> Response:
        updated = Notification.objects.filter(user=signed_in_user(request), read_at__isnull=True).update(
            read_at=timezone.now()
        )
        return Response({"updated": updated})
