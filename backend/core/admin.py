"""The audit trail of unmasked personal-data reads: read-only for everyone, visible to superusers and supervisors."""

from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "action", "object_type", "object_id", "query", "ip"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_id"]
    date_hierarchy = "at"

    def has_view_permission(self, request, obj=None) -> bool:
        user = request.user
        return bool(user.is_active and (user.is_superuser or getattr(user, "role", "") == "supervisor"))

    def has_module_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
