from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Department, SmsMessage, User


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "display_name", "phone", "role", "department", "is_staff", "is_active"]
    list_filter = ["role", "department", "is_staff", "is_active"]
    search_fields = ["username", "display_name", "phone"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("一网"), {"fields": ("display_name", "phone", "phone_verified", "role", "department")}),
    )


@admin.register(SmsMessage)
class SmsMessageAdmin(admin.ModelAdmin):
    list_display = ["sent_at", "phone", "purpose"]
    readonly_fields = ["sent_at", "phone", "purpose"]

    def has_add_permission(self, request) -> bool:
        return False
