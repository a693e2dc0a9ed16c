"""Clerks maintain registry data here (in a real city: the departments' own systems)."""

from django.contrib import admin

from backend.core.masking import mask_id_number

from .models import (
    DataAccessLog,
    HouseholdIncome,
    Property,
    ProvidentFundAccount,
    ProvidentWithdrawal,
    Resident,
    SchoolDistrict,
)


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    list_display = ["name", "masked_id", "gender", "birth_date", "district", "household_id", "account"]
    list_filter = ["district", "gender"]
    search_fields = ["name", "id_number", "household_id", "phone"]
    raw_id_fields = ["account"]
    readonly_fields = ["photo_sha256", "updated_at", "real_name_verified_at"]

    @admin.display(description="身份证号")
    def masked_id(self, obj: Resident) -> str:
        return mask_id_number(obj.id_number)


class WithdrawalInline(admin.TabularInline):
    model = ProvidentWithdrawal
    extra = 0


@admin.register(ProvidentFundAccount)
class ProvidentFundAccountAdmin(admin.ModelAdmin):
    list_display = ["account_no", "resident", "status", "balance", "months_contributed", "updated_at"]
    list_filter = ["status"]
    search_fields = ["account_no", "resident__name", "resident__id_number"]
    raw_id_fields = ["resident"]
    inlines = [WithdrawalInline]


@admin.register(Property)
class PropertyAdmin(admin.ModelAdmin):
    list_display = ["certificate_no", "address", "district", "purchase_date", "price", "first_home"]
    list_filter = ["district", "first_home"]
    search_fields = ["certificate_no", "address", "owners__name"]
    filter_horizontal = ["owners"]


@admin.register(HouseholdIncome)
class HouseholdIncomeAdmin(admin.ModelAdmin):
    list_display = ["household_id", "monthly_income_per_capita", "updated_at"]
    search_fields = ["household_id"]


@admin.register(SchoolDistrict)
class SchoolDistrictAdmin(admin.ModelAdmin):
    list_display = ["district", "address_prefix", "school"]
    list_filter = ["district"]
    search_fields = ["address_prefix", "school"]


@admin.register(DataAccessLog)
class DataAccessLogAdmin(admin.ModelAdmin):
    """Read-only: an access log that staff could edit would prove nothing."""

    list_display = ["at", "subject", "department", "items", "purpose", "actor_type", "actor", "case_reference"]
    list_filter = ["department", "actor_type"]
    search_fields = ["subject__name", "case_reference", "purpose"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
