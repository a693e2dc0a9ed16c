"""Family delegation in the back office: mandates (masked, read-only), the uses of each, and the clerk's
confirmation of a relation outside the household (permission ``delegation.confirm_relation``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import User
from backend.accounts.phones import to_e164
from backend.core.errors import DomainError
from backend.core.masking import mask_name, mask_phone

from . import services
from .models import ConfirmedRelation, Mandate, MandateUse


def _person(user: User) -> str:
    return f"{mask_name(user.display_name or '')} {mask_phone(user.phone) if user.phone else ''}".strip()


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class UseInline(admin.TabularInline):
    model = MandateUse
    fields = ["at", "method", "path", "action", "status_code"]
    readonly_fields = ["at", "method", "path", "action", "status_code"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Mandate)
class MandateAdmin(ReadOnly):
    list_display = ["id", "principal_masked", "delegate_masked", "relation", "status", "starts_at", "ends_at"]
    list_filter = ["status", "relation"]
    list_select_related = ["principal", "delegate"]
    search_fields = ["=principal__phone", "=delegate__phone"]
    search_help_text = _("按委托人或代办人的完整手机号查找")
    fields = [
        "principal_masked",
        "delegate_masked",
        "relation",
        "scope",
        "status",
        "created_at",
        "starts_at",
        "ends_at",
        "accepted_at",
        "accepted_face_event",
        "ended_at",
        "ended_by_masked",
    ]
    inlines = [UseInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str) -> tuple[Any, bool]:
        return super().get_search_results(request, queryset, to_e164(search_term) if search_term else search_term)

    @admin.display(description=_("委托人"))
    def principal_masked(self, mandate: Mandate) -> str:
        return _person(mandate.principal)

    @admin.display(description=_("代办人"))
    def delegate_masked(self, mandate: Mandate) -> str:
        return _person(mandate.delegate)

    @admin.display(description=_("终止人"))
    def ended_by_masked(self, mandate: Mandate) -> str:
        return _person(mandate.ended_by) if mandate.ended_by else ""


@admin.register(MandateUse)
class MandateUseAdmin(ReadOnly):
    list_display = ["at", "mandate", "method", "path", "action", "status_code"]
    list_filter = ["action", "method"]
    date_hierarchy = "at"
    list_select_related = ["mandate"]


class ConfirmRelationForm(forms.ModelForm):
    principal_phone = forms.CharField(label=_("委托人手机号"), max_length=20)
    delegate_phone = forms.CharField(label=_("代办人手机号"), max_length=20)

    class Meta:
        model = ConfirmedRelation
        fields = ["kinship", "evidence"]

    def __init__(self, *args: Any, clerk: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clerk = clerk

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors or self.clerk is None:
            return data
        try:
            self.confirmed = services.confirm_relation(
                self.clerk, data["principal_phone"], data["delegate_phone"], data["kinship"], data["evidence"]
            )
        except DomainError as exc:
            raise ValidationError(exc.fields or str(exc.message)) from exc
        return data

    def save(self, commit: bool = True) -> ConfirmedRelation:
        return self.confirmed

    def save_m2m(self) -> None:
        pass


@admin.register(ConfirmedRelation)
class ConfirmedRelationAdmin(admin.ModelAdmin):
    list_display = ["id", "principal_masked", "delegate_masked", "kinship", "confirmed_by", "confirmed_at"]
    list_select_related = ["principal", "delegate", "confirmed_by"]
    readonly_fields = ["principal_masked", "delegate_masked", "kinship", "evidence", "confirmed_by", "confirmed_at"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is not None:
            return super().get_form(request, obj, change, **kwargs)
        clerk = request.user

        class Form(ConfirmRelationForm):
            def __init__(self, *args: Any, **inner: Any) -> None:
                super().__init__(*args, clerk=clerk if isinstance(clerk, User) else None, **inner)

        return Form

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["principal_phone", "delegate_phone", "kinship", "evidence"]
        return list(self.readonly_fields)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return list(self.readonly_fields) if obj is not None else []

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(services.CONFIRM_PERMISSION)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(services.CONFIRM_PERMISSION)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        pass  # services.confirm_relation saved it while the form was validated

    @admin.display(description=_("委托人"))
    def principal_masked(self, relation: ConfirmedRelation) -> str:
        return _person(relation.principal)

    @admin.display(description=_("代办人"))
    def delegate_masked(self, relation: ConfirmedRelation) -> str:
        return _person(relation.delegate)
