"""Drafts in the back office: read-only, masked. A draft is the resident's unfinished business, not a case; staff
with the view permission (superusers; no clerk group grants it) see that it exists, never the typed identifiers."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from backend.core.masking import mask_name, mask_phone

from . import services
from .models import Draft


@admin.register(Draft)
class DraftAdmin(admin.ModelAdmin):
    list_display = ["id", "service_code", "resident", "created_at", "updated_at", "expires"]
    list_filter = ["service_code"]
    date_hierarchy = "updated_at"
    fields = ("service_code", "resident", "masked_form", "created_at", "updated_at", "expires", "reminded_at")
    readonly_fields = fields
    list_select_related = ["user"]

    @admin.display(description=_("居民"))
    def resident(self, draft: Draft) -> str:
        user = draft.user
        return f"{mask_name(getattr(user, 'display_name', '') or '')} {mask_phone(getattr(user, 'phone', '') or '')}"

    @admin.display(description=_("表单（已脱敏）"))
    def masked_form(self, draft: Draft) -> Any:
        return draft.form  # stored masked: the sealed identifiers are never decrypted here

    @admin.display(description=_("到期时间"))
    def expires(self, draft: Draft) -> Any:
        return services.expires_at(draft)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
