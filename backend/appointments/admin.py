"""Venues, slots and bookings in the Django admin. Clerks mark attendance and no-shows for the venues of their
department (and shared halls without a department) through the same domain functions as everything else."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from backend.accounts import permissions
from backend.core.errors import DomainError

from . import services
from .models import Booking, BookingPurpose, Slot, Venue


class StaffReadMixin:
    def has_module_permission(self, request) -> bool:
        return permissions.is_staff_member(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return permissions.is_staff_member(request.user)

    def has_add_permission(self, request) -> bool:
        return permissions.sees_all_departments(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return permissions.sees_all_departments(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser


@admin.register(Venue)
class VenueAdmin(StaffReadMixin, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "district", "department", "slot_minutes", "slot_capacity", "active"]
    list_filter = ["kind", "district", "active"]
    search_fields = ["code", "name", "address"]


@admin.register(Slot)
class SlotAdmin(StaffReadMixin, admin.ModelAdmin):
    list_display = ["starts_at", "venue", "service", "capacity", "booked"]
    list_filter = ["venue", "service"]
    date_hierarchy = "starts_at"
    readonly_fields = ["booked"]

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("venue")
        if permissions.sees_all_departments(request.user):
            return qs
        return qs.filter(Q(venue__department_id=request.user.department_id) | Q(venue__department__isnull=True))


def _run(modeladmin, request, queryset, action) -> None:
    done, failed = 0, []
    for booking in queryset:
        try:
            action(booking, request.user)
            done += 1
        except DomainError as exc:
            failed.append(f"#{booking.pk}: {exc.message}")
    if done:
        modeladmin.message_user(request, _("已标记 %(n)d 条。") % {"n": done}, messages.SUCCESS)
    for line in failed:
        modeladmin.message_user(request, line, messages.ERROR)


@admin.action(description=_("标记为爽约 no-show"))
def mark_no_show(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, services.mark_no_show)


@admin.action(description=_("标记为已到场 attended"))
def mark_attended(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, services.mark_attended)


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Bookings of the clerk's venues; an identity check at the counter (窗口核验身份) is listed to the clerks of its
    case's department, wherever it was booked, and links to the case page where the clerk confirms it."""

    list_display = ["id", "slot", "user", "purpose_label", "case_link", "status", "created_at", "reminded_at"]
    list_filter = ["purpose", "status", "slot__venue"]
    search_fields = ["id", "user__display_name", "case__reference_no"]
    actions = [mark_no_show, mark_attended]
    readonly_fields = ["slot", "user", "purpose", "case_link", "status", "created_at", "cancelled_at", "reminded_at",
                       "status_changed_by"]  # fmt: skip
    exclude = ["case"]

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("slot__venue", "user", "case")
        if permissions.sees_all_departments(request.user):
            return qs
        if permissions.is_department_clerk(request.user):
            department = request.user.department_id
            return qs.filter(
                Q(purpose=BookingPurpose.IDENTITY_CHECK, case__department_id=department)
                | (
                    ~Q(purpose=BookingPurpose.IDENTITY_CHECK)
                    & (Q(slot__venue__department_id=department) | Q(slot__venue__department__isnull=True))
                )
            )
        return qs.none()

    @admin.display(description=_("预约事由"), ordering="purpose")
    def purpose_label(self, booking: Booking) -> str:
        if booking.purpose == BookingPurpose.IDENTITY_CHECK:
            return format_html("<b>{}</b>", "窗口核验身份 identity check")
        return booking.get_purpose_display()

    @admin.display(description=_("办件"))
    def case_link(self, booking: Booking) -> str:
        if booking.case is None:
            return "—"
        url = reverse("admin:cases_case_change", args=[booking.case_id]) + "#verify-identity"
        return format_html('<a href="{}" class="yw-case-link">{} → 当面核验身份</a>', url, booking.case.reference_no)

    def has_module_permission(self, request) -> bool:
        return permissions.is_staff_member(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return permissions.is_staff_member(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return permissions.is_staff_member(request.user)  # for the actions; every field is read-only

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
