"""Draft representations: the form as stored (identifiers masked), when it expires."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.cases.discovery import get_service

from . import services
from .models import Draft


class DraftSerializer(serializers.ModelSerializer):
    service = serializers.CharField(source="service_code")
    service_name = serializers.SerializerMethodField()
    form = serializers.SerializerMethodField()
    expires_at = serializers.SerializerMethodField()

    class Meta:
        model = Draft
        fields = ["id", "service", "service_name", "form", "created_at", "updated_at", "expires_at"]

    def get_service_name(self, draft: Draft) -> str:
        service = get_service(draft.service_code)
        return str(service.name) if service else draft.service_code

    def get_form(self, draft: Draft) -> dict[str, Any]:
        return dict(draft.form or {})  # stored masked (services._store)

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_expires_at(self, draft: Draft) -> str:
        """The expiry as DRF renders every other date-time (``DATETIME_FORMAT``, current time zone)."""
        return serializers.DateTimeField().to_representation(services.expires_at(draft))


class DraftCreateSerializer(serializers.Serializer):
    service = serializers.CharField(max_length=80)
    form = serializers.JSONField(required=False, default=dict, help_text="partial: checked for shape only")


class DraftUpdateSerializer(serializers.Serializer):
    form = serializers.JSONField(help_text="the whole (partial) form; masked identifiers sent back keep their value")
    base_updated_at = serializers.DateTimeField(
        required=False, help_text="the updated_at this device last saw: 409 draft_changed if another saved since"
    )
