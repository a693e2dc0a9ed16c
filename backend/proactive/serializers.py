"""免申即享 offers as the resident reads them: what (the service and what it gives), why (the rule trace) and
which data the city used, in the reader's language."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from backend.accounts.departments import departments_by_code
from backend.cases.discovery import get_service
from backend.core.i18n import localize, localized
from backend.registries.items import ITEMS

from .models import Offer

_CASE = inline_serializer(
    "OfferCase",
    {
        "id": serializers.IntegerField(),
        "reference_no": serializers.CharField(),
        "status": serializers.CharField(),
        "status_label": serializers.CharField(),
    },
)
_DATA = inline_serializer(
    "OfferDataUsed",
    {
        "department": serializers.CharField(),
        "department_code": serializers.CharField(),
        "items": serializers.ListField(child=serializers.CharField()),
        "item_labels": serializers.ListField(child=serializers.CharField()),
    },
)


class OfferSerializer(serializers.ModelSerializer[Offer]):
    service = serializers.CharField(source="service_code")
    service_name = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()
    status_label = serializers.SerializerMethodField()
    requires_face = serializers.SerializerMethodField()
    rule_trace = serializers.SerializerMethodField()
    data_used = serializers.SerializerMethodField()
    proposal = serializers.SerializerMethodField()
    case = serializers.SerializerMethodField()

    class Meta:
        model = Offer
        fields = [
            "id",
            "service",
            "service_name",
            "summary",
            "status",
            "status_label",
            "period_key",
            "proposal",
            "requires_face",
            "rule_trace",
            "data_used",
            "created_at",
            "decided_at",
            "expired_at",
            "case",
        ]

    def get_service_name(self, offer: Offer) -> str:
        service = get_service(offer.service_code)
        return str(service.name) if service else offer.service_code

    def get_summary(self, offer: Offer) -> str:
        service = get_service(offer.service_code)
        return str(service.summary) if service else ""

    def get_status_label(self, offer: Offer) -> str:
        return str(offer.get_status_display())

    def get_requires_face(self, offer: Offer) -> bool:
        service = get_service(offer.service_code)
        return bool(service and service.requires_face)

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_rule_trace(self, offer: Offer) -> list[dict[str, Any]]:
        return cast("list[dict[str, Any]]", localize(offer.rule_trace))

    @extend_schema_field(serializers.DictField())
    def get_proposal(self, offer: Offer) -> dict[str, Any]:
        return cast("dict[str, Any]", localize(offer.proposal))

    @extend_schema_field(serializers.ListField(child=_DATA))
    def get_data_used(self, offer: Offer) -> list[dict[str, Any]]:
        departments = self.context.get("departments")
        if departments is None:
            departments = self.context["departments"] = departments_by_code()
        used = []
        for entry in offer.data_items:
            department = departments.get(entry.get("department", ""))
            keys = [str(key) for key in entry.get("items", [])]
            used.append(
                {
                    "department": localized(department, "name") if department else entry.get("department", ""),
                    "department_code": entry.get("department", ""),
                    "items": keys,
                    "item_labels": [str(ITEMS[key].label) if key in ITEMS else key for key in keys],
                }
            )
        return used

    @extend_schema_field(_CASE)
    def get_case(self, offer: Offer) -> dict[str, Any] | None:
        case = offer.case
        if case is None:
            return None
        return {
            "id": case.pk,
            "reference_no": case.reference_no,
            "status": case.status,
            "status_label": str(case.get_status_display()),
        }
