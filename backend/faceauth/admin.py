"""Read-only admin views of face data: staff can audit, never edit, and never see an encoding."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from backend.core.generics import ModelAdmin

from .models import FaceChallenge, FaceEvent, FaceLock, FaceTemplate


class ReadOnlyAdmin(ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FaceTemplate)
class FaceTemplateAdmin(ReadOnlyAdmin):
    list_display = ["user", "model_version", "enrolled_at", "enrol_count"]
    fields = ["user", "model_version", "enrolled_at", "enrol_count"]  # never the encoding
    search_fields = ["user__display_name", "user__phone"]
    raw_id_fields = ["user"]


@admin.register(FaceEvent)
class FaceEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "kind", "purpose", "target", "actor", "note"]
    list_filter = ["kind", "purpose"]
    search_fields = ["user__display_name", "user__phone", "note"]
    date_hierarchy = "at"
    raw_id_fields = ["user", "actor", "challenge"]


@admin.register(FaceChallenge)
class FaceChallengeAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "user",
        "purpose",
        "target",
        "actions",
        "expires_at",
        "used_at",
        "outcome",
        "attempts",
    ]
    list_filter = ["purpose", "outcome"]
    fields = ["user", "purpose", "target", "actions", "created_at", "expires_at", "used_at", "outcome", "attempts"]
    search_fields = ["user__display_name", "user__phone"]
    raw_id_fields = ["user"]


@admin.register(FaceLock)
class FaceLockAdmin(ReadOnlyAdmin):
    list_display = ["user", "failures", "window_started_at", "locked_until"]
    raw_id_fields = ["user"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A supervisor may lift a lock (e.g. after checking the resident at a counter) by editing locked_until.
        return bool(request.user.is_superuser)
