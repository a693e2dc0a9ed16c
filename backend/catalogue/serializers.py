"""How services are shown to residents (DESIGN §3.4)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from backend.accounts.models import Department
from backend.cases.plugins import Mode, ServiceModule
from backend.cases.serializers import RuleTraceEntrySerializer
from backend.registries.items import ITEMS


def _name(departments: dict[str, Department], code: str) -> str:
    department = departments.get(code)
    return department.name if department else code


def service_summary(service: ServiceModule, departments: dict[str, Department]) -> dict[str, Any]:
    return {
        "code": service.code,
        "name": str(service.name),
        "name_en": service.name.en,
        "department": _name(departments, service.department),
        "department_code": service.department,
        "category": str(service.category),
        "mode": str(service.mode),
        "requires_face": service.requires_face,
        "time_limit_days": service.time_limit_days,
        "summary": str(service.summary),
    }


def service_detail(service: ServiceModule, departments: dict[str, Department]) -> dict[str, Any]:
    return {
        **service_summary(service, departments),
        "post_check_days": service.post_check_days,
        "steps": [str(step) for step in service.steps],
        "form": service.form,
        "data_items": [
            {
                "key": use.key,
                "label": str(ITEMS[use.key].label),
                "department": _name(departments, ITEMS[use.key].department),
                "department_code": ITEMS[use.key].department,
                "purpose": str(use.purpose),
            }
            for use in service.data
        ],
        "issues_certificate": service.certificate_title is not None,
    }


# --- response shapes for the OpenAPI schema ----------------------------------------------------------------------
# The views above build plain dicts (they are cached per language, catalogue/cache.py); these serializers only
# describe them, so the schema (and docs/API.md, which tests/docs/test_api_doc.py compares with it) name every field.
# tests/catalogue/test_schema.py checks that real responses carry exactly these fields.


class DataItemSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="registry item, e.g. provident_fund.account")
    # the serializer metaclass pops declared fields off the class; the stubs only see the clash with Field.label
    label = serializers.CharField()  # type: ignore[assignment]
    department = serializers.CharField(help_text="the department's name")
    department_code = serializers.CharField()
    purpose = serializers.CharField(help_text="why the service reads it")


class ServiceSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    department = serializers.CharField(help_text="the department's name")
    department_code = serializers.CharField()
    category = serializers.CharField()
    mode = serializers.ChoiceField(choices=[m.value for m in Mode])
    requires_face = serializers.BooleanField()
    time_limit_days = serializers.IntegerField(help_text="statutory limit in working days; 0: decided at once")
    summary = serializers.CharField()


class ServiceDetailSerializer(ServiceSerializer):
    post_check_days = serializers.IntegerField(allow_null=True)
    steps = serializers.ListField(child=serializers.CharField())
    form = serializers.JSONField(help_text="JSON Schema of the fields the resident fills")
    data_items = DataItemSerializer(many=True)
    issues_certificate = serializers.BooleanField()


class PrefillItemSerializer(DataItemSerializer):
    value = serializers.JSONField(help_text="the registry value as shown to the resident, masked")
    updated_at = serializers.DateTimeField(allow_null=True, help_text="when the department last updated it")


class PrefillSerializer(serializers.Serializer):
    service = serializers.CharField()
    items = PrefillItemSerializer(many=True)
    consent_text = serializers.CharField()


class EligibilitySerializer(serializers.Serializer):
    service = serializers.CharField()
    eligible = serializers.BooleanField()
    reason_code = serializers.CharField(allow_null=True)
    rule_trace = RuleTraceEntrySerializer(many=True)


# --- bundles (一件事一次办, catalogue/bundles.py) --------------------------------------------------------------------
class BundleMemberServiceSerializer(serializers.Serializer):
    service = serializers.CharField()
    name = serializers.CharField()
    department = serializers.CharField(help_text="the department's name")
    department_code = serializers.CharField()
    mode = serializers.CharField()
    time_limit_days = serializers.IntegerField()
    requires_face = serializers.BooleanField()
    after = serializers.ListField(child=serializers.CharField(), help_text="members whose approval it waits for")


class BundleSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    category = serializers.CharField()
    summary = serializers.CharField()
    requires_face = serializers.BooleanField(help_text="one face check for the whole bundle")
    members = BundleMemberServiceSerializer(many=True)


class BundleConsentItemSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    purposes = serializers.ListField(child=serializers.CharField())
    services = serializers.ListField(child=serializers.CharField(), help_text="the members that read it")


class BundleConsentDepartmentSerializer(serializers.Serializer):
    department = serializers.CharField()
    department_code = serializers.CharField()
    items = BundleConsentItemSerializer(many=True)


class BundleDetailSerializer(BundleSerializer):
    form = serializers.JSONField(help_text="JSON Schema of the shared form: only what no registry knows")
    consent = BundleConsentDepartmentSerializer(many=True)


class BundlePrefillDepartmentSerializer(serializers.Serializer):
    department = serializers.CharField()
    department_code = serializers.CharField()
    items = PrefillItemSerializer(many=True)


class BundlePrefillSerializer(serializers.Serializer):
    bundle = serializers.CharField()
    departments = BundlePrefillDepartmentSerializer(many=True)
    consent_text = serializers.CharField()
