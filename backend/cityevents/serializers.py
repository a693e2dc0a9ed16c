"""Output shapes of the internal events API, and one input serializer per endpoint (parsing; the domain judges)."""

from __future__ import annotations

import json
import re
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from backend.accounts.models import Department, Role
from backend.core.errors import DomainError
from backend.core.i18n import pick
from backend.core.inputs import Judged, single
from backend.core.masking import mask_name, mask_phone

from . import conf
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
        return list(TimelineEntrySerializer(actions, many=True, context=self.context).data)

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


# --- inputs -------------------------------------------------------------------------------------------------------
# One serializer per endpoint, validated in the view. The domain functions (services.py) judge the values with the
# contract's codes (unknown_category, invalid_location, invalid_attributes, reason_required, invalid_action...), so
# the fields hand them on as sent (backend/core/inputs.py); a single value is the first of a repeated key, as
# Open311 form clients send them. What is parsed here is the request's own encoding: the ``attribute[code]`` form
# keys and the uploaded photo.

_ATTRIBUTE_KEY = re.compile(r"^attribute\[([\w-]{1,60})\]$")


def read_upload(files: Any, *names: str) -> bytes | None:
    """The bytes of the first uploaded file under one of ``names``; the size is checked before reading."""
    for name in names:
        upload = files.get(name) if hasattr(files, "get") else None
        if not isinstance(upload, UploadedFile):
            continue
        if upload.size is not None and upload.size > conf.photo_max_bytes():
            message = f"照片不能超过 {conf.photo_max_bytes() // (1024 * 1024)} MB。"
            raise DomainError("photo_too_large", message, fields={name: [message]})
        return upload.read()
    return None


def extract_attributes(data: Any) -> dict[str, Any]:
    """Attribute values as a dict: a JSON ``attributes`` object, or Open311-style ``attribute[code]`` form keys."""
    attributes: dict[str, Any] = {}
    raw = data.get("attributes") if hasattr(data, "get") else None
    if isinstance(raw, str) and raw.strip():
        try:
            raw = json.loads(raw)
        except ValueError:
            raise DomainError("invalid_attributes", "附加信息须为 JSON 对象。") from None
    if isinstance(raw, dict):
        attributes.update(raw)
    elif raw not in (None, ""):
        raise DomainError("invalid_attributes", "附加信息须为 JSON 对象。")
    keys = data.keys() if hasattr(data, "keys") else []
    for key in keys:
        match = _ATTRIBUTE_KEY.match(key)
        if match:
            values = data.getlist(key) if hasattr(data, "getlist") else [data[key]]
            attributes[match.group(1)] = values if len(values) > 1 else values[0]
    return attributes


class _Photo(Judged):
    """The uploaded photo's bytes (``media``, or ``photo`` as older app builds send it), size-checked."""

    def get_value(self, dictionary: Any) -> Any:
        return read_upload(dictionary, "media", "photo")


class _Attributes(Judged):
    """The attributes of the whole body: a JSON object under ``attributes`` and the ``attribute[code]`` keys."""

    def get_value(self, dictionary: Any) -> Any:
        return extract_attributes(dictionary)


def _value(documented: serializers.Field) -> Judged:
    return Judged(documented, single=True)


class EventCreateSerializer(serializers.Serializer):
    # A new report. ``service_code`` (Open311's name) is accepted for ``category``.
    # In this order, as the checks that answer first: the photo's size, then the attributes' encoding.
    category = _value(serializers.CharField(help_text="category code (Open311 service_code)"))
    lat = _value(serializers.DecimalField(max_digits=12, decimal_places=8, required=False))
    long = _value(serializers.DecimalField(max_digits=12, decimal_places=8, required=False))
    description = _value(serializers.CharField(required=False, allow_blank=True))
    district = _value(serializers.CharField(required=False, allow_blank=True))
    address = _value(serializers.CharField(required=False, allow_blank=True))
    media = _Photo(serializers.ImageField(required=False, help_text="JPEG, PNG or WebP photo (multipart)"))
    media_url = _value(serializers.URLField(required=False, allow_blank=True))
    attributes = _Attributes(serializers.DictField(required=False))

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        values = super().to_internal_value(data)
        values["category"] = values["category"] or single(data, "service_code")
        values["photo"] = values.pop("media")
        return values


class ReasonSerializer(serializers.Serializer):
    reason = _value(serializers.CharField(required=False, allow_blank=True))


@extend_schema_serializer(component_name="EventRating")  # "Rating" is the case engine's
class RatingSerializer(serializers.Serializer):
    score = _value(serializers.IntegerField(min_value=1, max_value=5))
    comment = _value(serializers.CharField(required=False, allow_blank=True))


class StaffActionSerializer(serializers.Serializer):
    action = Judged(
        serializers.ChoiceField(choices=["dispatch", "start", "resolve", "close", "transfer"]), single=True, text=True
    )
    reason = _value(serializers.CharField(required=False, allow_blank=True))
    department = _value(serializers.CharField(required=False, allow_blank=True, help_text="department code (transfer)"))
