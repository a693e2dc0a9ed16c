"""Clerks work city events in the Django admin: their own department's reports only, every action through the
same domain functions as the staff API (so the timeline, notifications and the transition table apply)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from backend.accounts import permissions
from backend.accounts.models import Department
from backend.core.errors import DomainError

from . import services
from .models import EventAction, EventCategory, EventReport, RoutingRule


class RoutingRuleInline(admin.TabularInline):
    model = RoutingRule
    extra = 0


@admin.register(EventCategory)
class EventCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "department", "response_hours", "resolution_hours", "active"]
    list_filter = ["department", "active"]
    search_fields = ["code", "name_zh", "name_en"]
    inlines = [RoutingRuleInline]

    def has_module_permission(self, request) -> bool:
        return permissions.is_staff_member(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return permissions.is_staff_member(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return permissions.sees_all_departments(request.user)

    def has_add_permission(self, request) -> bool:
        return permissions.sees_all_departments(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser


class EventActionInline(admin.TabularInline):
    model = EventAction
    extra = 0
    can_delete = False
    fields = ("at", "kind", "actor", "from_status", "to_status", "department", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class EventActionForm(ActionForm):
    reason = forms.CharField(label=_("原因/说明"), required=False, max_length=500)
    department = forms.ModelChoiceField(
        label=_("转办部门"), queryset=Department.objects.all(), required=False, to_field_name="code"
    )


def _run(modeladmin: EventReportAdmin, request, queryset, action: str) -> None:
    reason = request.POST.get("reason", "")
    department = request.POST.get("department") or None
    done, failed = 0, []
    for report in queryset:
        try:
            services.staff_action(report, request.user, action, reason=reason, department=department)
            done += 1
        except DomainError as exc:
            failed.append(f"#{report.pk}: {exc.message}")
    if done:
        modeladmin.message_user(request, _("已处理 %(n)d 条。") % {"n": done}, messages.SUCCESS)
    for line in failed:
        modeladmin.message_user(request, line, messages.ERROR)


@admin.action(description=_("派单 dispatch"))
def dispatch(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, "dispatch")


@admin.action(description=_("开始处置 start"))
def start(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, "start")


@admin.action(description=_("处置完毕 resolve"))
def resolve(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, "resolve")


@admin.action(description=_("关闭 close（未处置的须填原因）"))
def close(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, "close")


@admin.action(description=_("转办 transfer（选部门并填原因）"))
def transfer(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, "transfer")


@admin.register(EventReport)
class EventReportAdmin(admin.ModelAdmin):
    """Clerks see their department's reports only (get_queryset); changes happen through the actions."""

    list_display = ["id", "category", "status", "department", "district", "created_at", "due", "duplicate_of"]
    list_filter = ["status", "category", "district"]
    search_fields = ["id", "description", "address"]
    date_hierarchy = "created_at"
    action_form = EventActionForm
    actions = [dispatch, start, resolve, close, transfer]
    inlines = [EventActionInline]
    readonly_fields = [
        "reporter", "category", "department", "district", "lat", "long", "address", "description", "attributes",
        "photo_preview", "photo_lat", "photo_long", "media_url", "status", "duplicate_of", "source", "created_at",
        "updated_at", "response_due_at", "resolution_due_at", "responded_at", "resolved_at", "closed_at", "rating",
        "rating_comment", "rated_at",
    ]  # fmt: skip
    exclude = ["photo"]

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("category", "department", "duplicate_of")
        return permissions.visible_to(qs, request.user)

    @admin.display(description=_("处置期限"))
    def due(self, obj: EventReport):
        if obj.overdue:
            return format_html('<strong style="color:#c00">{} ⚠</strong>', f"{obj.resolution_due_at:%Y-%m-%d %H:%M}")
        return f"{obj.resolution_due_at:%Y-%m-%d %H:%M}"

    @admin.display(description=_("照片"))
    def photo_preview(self, obj: EventReport):
        if not obj.photo:
            return "-"
        from django.urls import reverse

        url = reverse("event-photo", kwargs={"pk": obj.pk})
        return format_html('<a href="{0}" target="_blank"><img src="{0}" style="max-height:240px"></a>', url)

    def has_module_permission(self, request) -> bool:
        return permissions.is_staff_member(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return permissions.is_staff_member(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        # Needed for the action bar; every field is read-only, so the change form cannot edit anything.
        return permissions.is_staff_member(request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser
