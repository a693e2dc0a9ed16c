"""Mandate representations: the other person by masked name and phone only (the principal's list and the
delegate's list show each other, never an ID number)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from backend.accounts.models import User
from backend.core.inputs import Judged
from backend.core.masking import mask_name, mask_phone
from backend.registries.identity import resident_of

from .models import Mandate


def person(user: User) -> dict[str, Any]:
    resident = resident_of(user)
    return {
        "name": mask_name(resident.name if resident else user.display_name),
        "phone": mask_phone(user.phone) if user.phone else "",
    }


class PersonSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="masked: 张*国")
    phone = serializers.CharField(help_text="masked: 138****0001; empty for a managed (child's) account")


class MandateSerializer(serializers.ModelSerializer):
    principal = serializers.SerializerMethodField()
    delegate = serializers.SerializerMethodField()
    scope = serializers.ListField(child=serializers.CharField(), help_text='["all"] or service codes')

    class Meta:
        model = Mandate
        fields = [
            "id",
            "principal",
            "delegate",
            "relation",
            "scope",
            "status",
            "created_at",
            "starts_at",
            "ends_at",
            "accepted_at",
            "ended_at",
        ]

    def get_principal(self, mandate: Mandate) -> dict[str, Any]:
        return person(mandate.principal)

    def get_delegate(self, mandate: Mandate) -> dict[str, Any]:
        return person(mandate.delegate)


# drf-spectacular reads the method fields' type from here
MandateSerializer.get_principal.__annotations__["return"] = PersonSerializer
MandateSerializer.get_delegate.__annotations__["return"] = PersonSerializer


class MandateListSerializer(serializers.Serializer):
    as_principal = MandateSerializer(many=True, help_text="mandates you gave: who may act for you")
    as_delegate = MandateSerializer(many=True, help_text="mandates you hold: for whom you may act")


class InviteSerializer(serializers.Serializer):
    phone = Judged(serializers.CharField(help_text="the family member's mobile number (138…, +86 138…)"))
    scope = Judged(serializers.JSONField(required=False, help_text='"all" (default) or a list of service codes'))
    ends_at = serializers.DateTimeField(required=False, help_text="default: one year from now; at most one year")


class AcceptSerializer(serializers.Serializer):
    face_token = Judged(
        serializers.CharField(help_text='the challenge_id of a passed face check {"purpose": "delegation"}')
    )


class GuardianshipSerializer(serializers.Serializer):
    id_number = Judged(serializers.CharField(help_text="the child's or ward's identity number"))
