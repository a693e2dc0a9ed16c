"""Clerks maintain registry data here (in a real city: the departments' own systems)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from backend.core.generics import ModelAdmin, ModelForm, TabularInline

from .idnumbers import InvalidIdNumber, id_indexes, validate_id_number
from .models import (
    BirthCertificate,
    DataAccessLog,
    HouseholdIncome,
    MedicalInsuranceEnrolment,
    Property,
    ProvidentFundAccount,
    ProvidentWithdrawal,
    Resident,
    SchoolDistrict,
    SocialSecurityCard,
)


class IdNumberSearchMixin(ModelAdmin[Any]):
    """Admin search by a *full* identity number, through its blind index (the table holds no numbers).

    ``id_number_owner`` is the path from the listed model to the resident ("" for residents themselves). A partial
    number finds nothing by design: the index is an exact-match HMAC.
    """

    id_number_owner = ""

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        try:
            number = validate_id_number(search_term)
        except InvalidIdNumber:
            return results, may_have_duplicates
        prefix = f"{self.id_number_owner}__" if self.id_number_owner else ""
        return results | queryset.filter(**{f"{prefix}id_number_index__in": id_indexes(number)}), may_have_duplicates


class ResidentForm(ModelForm[Resident]):
    """The number is typed in full (checked like real-name verification) and stored sealed; on an existing person
    an empty field keeps the number, so a clerk never has to see it to edit an address."""

    id_number = forms.CharField(label=_("身份证号"), max_length=18, required=False)

    class Meta:
        model = Resident
        fields = [
            "name",
            "gender",
            "birth_date",
            "phone",
            "address",
            "district",
            "household_id",
            "photo",
            "account",
            "real_name_verified_at",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["id_number"].help_text = _("当前：%(masked)s，留空则不变。") % {
                "masked": self.instance.id_number_masked
            }
        else:
            self.fields["id_number"].required = True

    def clean_id_number(self) -> str:
        value: str = self.cleaned_data.get("id_number", "")
        if not value:
            return ""
        try:
            number = validate_id_number(value)
        except InvalidIdNumber as exc:
            raise forms.ValidationError(str(exc.message)) from exc
        clash = Resident.objects.with_id_number(number).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("该身份证号已登记。"))
        return number

    def save(self, commit: bool = True) -> Resident:
        if self.cleaned_data.get("id_number"):
            self.instance.id_number = self.cleaned_data["id_number"]
        return super().save(commit)


@admin.register(Resident)
class ResidentAdmin(IdNumberSearchMixin):
    form = ResidentForm
    list_display = ["name", "id_number_masked", "gender", "birth_date", "district", "household_id", "account"]
    list_filter = ["district", "gender"]
    search_fields = ["name", "household_id", "phone"]
    search_help_text = _("姓名、户号、手机号，或完整身份证号")
    raw_id_fields = ["account"]
    readonly_fields = ["id_number_masked", "photo_sha256", "updated_at", "real_name_verified_at"]


class WithdrawalInline(TabularInline[ProvidentWithdrawal, ProvidentFundAccount]):
    model = ProvidentWithdrawal
    extra = 0


@admin.register(ProvidentFundAccount)
class ProvidentFundAccountAdmin(IdNumberSearchMixin):
    id_number_owner = "resident"
    list_display = ["account_no", "resident", "status", "balance", "months_contributed", "updated_at"]
    list_filter = ["status"]
    search_fields = ["account_no", "resident__name"]
    raw_id_fields = ["resident"]
    inlines = [WithdrawalInline]


@admin.register(Property)
class PropertyAdmin(ModelAdmin[Property]):
    list_display = ["certificate_no", "address", "district", "purchase_date", "price", "first_home"]
    list_filter = ["district", "first_home"]
    search_fields = ["certificate_no", "address", "owners__name"]
    filter_horizontal = ["owners"]


@admin.register(HouseholdIncome)
class HouseholdIncomeAdmin(ModelAdmin[HouseholdIncome]):
    list_display = ["household_id", "monthly_income_per_capita", "updated_at"]
    search_fields = ["household_id"]


@admin.register(SchoolDistrict)
class SchoolDistrictAdmin(ModelAdmin[SchoolDistrict]):
    list_display = ["district", "address_prefix", "school"]
    list_filter = ["district"]
    search_fields = ["address_prefix", "school"]


class DepartmentRecordAdmin(ModelAdmin[Any]):
    """Read-only: these records are the health, medical insurance and social security departments' own (loaded by
    ``import_registry`` or written by a service's effect, with the case reference); a clerk here looks, never edits."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(BirthCertificate)
class BirthCertificateAdmin(DepartmentRecordAdmin):
    list_display = [
        "certificate_no",
        "child_name",
        "child_gender",
        "birth_date",
        "hospital",
        "mother_id_masked",
        "father_id_masked",
        "child",
    ]
    list_filter = ["child_gender", "hospital"]
    search_fields = ["certificate_no", "child_name", "mother_name", "father_name"]
    search_help_text = _("证明编号、新生儿或父母姓名，或父母完整身份证号")
    exclude = ["mother_id_index", "mother_id_sealed", "father_id_index", "father_id_sealed"]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        try:
            indexes = id_indexes(validate_id_number(search_term))
        except InvalidIdNumber:
            return results, may_have_duplicates
        by_parent = queryset.filter(mother_id_index__in=indexes) | queryset.filter(father_id_index__in=indexes)
        return results | by_parent, may_have_duplicates


@admin.register(MedicalInsuranceEnrolment)
class MedicalInsuranceEnrolmentAdmin(IdNumberSearchMixin, DepartmentRecordAdmin):
    id_number_owner = "resident"
    list_display = ["resident", "scheme", "status", "coverage_start", "enrolled_date", "case_reference"]
    list_filter = ["scheme", "status"]
    search_fields = ["resident__name", "case_reference"]


@admin.register(SocialSecurityCard)
class SocialSecurityCardAdmin(IdNumberSearchMixin, DepartmentRecordAdmin):
    id_number_owner = "resident"
    list_display = ["card_no", "resident", "status", "issued_date", "delivery", "case_reference"]
    list_filter = ["status", "delivery"]
    search_fields = ["card_no", "resident__name", "case_reference"]


@admin.register(DataAccessLog)
class DataAccessLogAdmin(ModelAdmin[DataAccessLog]):
    """Read-only: an access log that staff could edit would prove nothing."""

    list_display = ["at", "subject", "department", "items", "purpose", "actor_type", "actor", "case_reference"]
    list_filter = ["department", "actor_type"]
    search_fields = ["subject__name", "case_reference", "purpose"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
