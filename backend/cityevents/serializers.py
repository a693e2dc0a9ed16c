"""Output shapes of the internal events API, and input shapes (validated by the domain functions, not here)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from backend.accounts.models import Department, Role
from backend.core.i18n import pick
from backend.core.masking import mask_name, mask_phone

from .models import EventAction, EventCategory, EventReport, localized
from .services import duplicate_notice


def _department(department: Department | None) -> dict[str, str] | None:
    if department is None:
        return None
    return {"code": department.code, "name": localized(department, "name")}


def photo_url(report: EventReport, request) -> str | None:
    if not report.photo:
        return None
    path = reverse("event-photo", kwargs={"pk": report.pk})
    return request.build_absolute_uri(path) if request is not None else path


class CategorySerializer(serializers.ModelSerializer):
    name = serializers.CharField()
    description = serializers.CharField()
    department = serializers.SerializerMethodField()

    class Meta:
        model = EventCategory
        fields = ["code", "name", "description", "group", "department", "response_hours", "resolution_hours",
                  "attributes"]  # fmt: skip

    def get_department(self, obj: EventCategory) -> dict[str, str] | None:
        return _department(obj.department)


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField(source="kind")
    status = serializers.CharField(source="to_status")
    actor = serializers.SerializerMethodField()
    department = serializers.SerializerMethodField()
    note = serializers.CharField()

    def get_actor(self, obj: EventAction) -> str:
        """Residents see who acted by role: themselves, the department, or the system."""
        actor = obj.actor
        if actor is None:
            return pick("系统", "System")
        if self.context.get("staff"):
            return actor.display_name or actor.username
        if actor.pk == obj.report.reporter_id:
            return pick("本人", "You")
        if actor.role == Role.CLERK and actor.department_id:
            return localized(actor.department, "name")
        return pick("工作人员", "Staff")

    def get_department(self, obj: EventAction) -> dict[str, str] | None:
        return _department(obj.department)


class EventSerializer(serializers.ModelSerializer):
    category = serializers.SerializerMethodField()
    department = serializers.SerializerMethodField()
    lat = serializers.FloatField()
    long = serializers.FloatField()
    photo_url = serializers.SerializerMethodField()
    overdue = serializers.BooleanField()
    rating = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    notice = serializers.SerializerMethodField()

    class Meta:
        model = EventReport
        fields = [
            "id", "category", "status", "description", "lat", "long", "address", "district", "department",
            "attributes", "photo_url", "media_url", "duplicate_of", "notice", "source", "created_at", "updated_at",
            "response_due_at", "resolution_due_at", "responded_at", "resolved_at", "closed_at", "overdue",
            "rating", "timeline",
        ]  # fmt: skip

    def get_category(self, obj: EventReport) -> dict[str, str]:
        return {"code": obj.category.code, "name": obj.category.name}

    def get_department(self, obj: EventReport) -> dict[str, str] | None:
        return _department(obj.department)

    def get_photo_url(self, obj: EventReport) -> str | None:
        return photo_url(obj, self.context.get("request"))

    def get_rating(self, obj: EventReport) -> dict[str, Any] | None:
        if obj.rating is None:
            return None
        return {"score": obj.rating, "comment": obj.rating_comment, "at": obj.rated_at}

    def get_timeline(self, obj: EventReport) -> list[dict[str, Any]]:
        actions = obj.actions.select_related("actor__department", "department", "report")
        return TimelineEntrySerializer(actions, many=True, context=self.context).data

    def get_notice(self, obj: EventReport) -> str:
        return duplicate_notice(obj)


class EventListSerializer(EventSerializer):
    """The list leaves out the timeline (one query per row otherwise)."""

    class Meta(EventSerializer.Meta):
        fields = [f for f in EventSerializer.Meta.fields if f != "timeline"]


class StaffEventSerializer(EventSerializer):
    reporter = serializers.SerializerMethodField()
    photo_lat = serializers.FloatField(allow_null=True)
    photo_long = serializers.FloatField(allow_null=True)
    duplicates = serializers.SerializerMethodField()

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "reporter", "photo_lat", "photo_long", "duplicates"]

    def get_reporter(self, obj: EventReport) -> dict[str, str]:
        user = obj.reporter
        resident = getattr(user, "resident", None) if hasattr(user, "resident") else None
        return {"name": mask_name(resident.name if resident else user.display_name), "phone": mask_phone(user.phone)}

    def get_duplicates(self, obj: EventReport) -> list[int]:
        return sorted(d.pk for d in obj.duplicates.all())


class StaffEventListSerializer(StaffEventSerializer):
    class Meta(StaffEventSerializer.Meta):
        fields = [f for f in StaffEventSerializer.Meta.fields if f != "timeline"]


# --- inputs (documentation for the schema; the domain functions validate) -----------------------------------------


class EventCreateSerializer(serializers.Serializer):
    category = serializers.CharField(help_text="category code (Open311 service_code)")
    lat = serializers.DecimalField(max_digits=12, decimal_places=8, required=False)
    long = serializers.DecimalField(max_digits=12, decimal_places=8, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    district = serializers.CharField(required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True)
    media = serializers.ImageField(required=False, help_text="JPEG, PNG or WebP photo (multipart)")
    media_url = serializers.URLField(required=False, allow_blank=True)
    attributes = serializers.DictField(required=False)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True)


@extend_schema_serializer(component_name="EventRating")  # "Rating" is the case engine's
class RatingSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True)


class StaffActionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["dispatch", "start", "resolve", "close", "transfer"])
    reason = serializers.CharField(required=False, allow_blank=True)
    department = serializers.CharField(required=False, allow_blank=True, help_text="department code (transfer)")
