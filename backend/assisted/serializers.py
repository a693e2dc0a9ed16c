"""Assisted sessions in the staff API: the resident masked (the clerk saw the ID card; the screen need not repeat
it), the pending application as the resident reviews it, the code's state (never the code), the audit trail."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from backend.cases.actors import describe
from backend.core.inputs import Judged
from backend.core.masking import mask_name, mask_phone

from . import conf, services
from .models import AssistedEvent, AssistedSession


class StartSerializer(serializers.Serializer[Any]):
    id_number = Judged(serializers.CharField(help_text="the number on the ID card the clerk holds"))
    name = Judged(serializers.CharField(help_text="the name on the ID card, as in the registry"))
    id_card_checked = Judged(
        serializers.BooleanField(help_text="true: the clerk checked the original ID card against the person")
    )


class ApplicationSerializer(serializers.Serializer[Any]):
    service = Judged(serializers.CharField(help_text="the service code"))
    form = Judged(serializers.JSONField(required=False, help_text="the service's form, as for POST /cases"))
    consent = Judged(serializers.BooleanField(help_text="the resident agreed to the data reads listed"))


class ConfirmSerializer(serializers.Serializer[Any]):
    method = Judged(serializers.CharField(help_text="sms_code or counter_face: how the resident confirmed"))
    code = Judged(serializers.CharField(required=False, help_text="the SMS code, for sms_code"), text=True)


class CancelSerializer(serializers.Serializer[Any]):
    reason = Judged(serializers.CharField(required=False, allow_blank=True), text=True)


class AssistedResidentSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(help_text="masked")
    id_number = serializers.CharField(help_text="masked")
    registry_phone = serializers.CharField(help_text="masked; empty when the registry has none")
    has_account = serializers.BooleanField(help_text="false: a managed account is created on confirmation")


class AssistedIdentitySerializer(serializers.Serializer[Any]):
    id_card_checked = serializers.BooleanField()
    face_verified = serializers.BooleanField()
    face_verified_at = serializers.DateTimeField(allow_null=True)
    face_attempts_left = serializers.IntegerField()


class AssistedDataItemSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label (cases/serializers.py)
    department = serializers.CharField(help_text="the department's name")
    purpose = serializers.CharField(help_text="why the service reads it")


class AssistedApplicationSerializer(serializers.Serializer[Any]):
    service = serializers.CharField()
    service_name = serializers.CharField()
    form = serializers.JSONField(help_text="identifiers masked")
    data = AssistedDataItemSerializer(many=True, help_text="the registry data the decision reads")  # type: ignore[assignment]
    consent_at = serializers.DateTimeField()
    filled_at = serializers.DateTimeField()


class AssistedCodeSerializer(serializers.Serializer[Any]):
    sent_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    attempts_left = serializers.IntegerField()
    codes_left = serializers.IntegerField()


class AssistedCaseSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    reference_no = serializers.CharField()
    status = serializers.CharField()


class AssistedEventSerializer(serializers.ModelSerializer[AssistedEvent]):
    kind = serializers.CharField(help_text="started, identity_checked, face_checked, face_failed, form_filled, ...")
    label = serializers.CharField(source="get_kind_display")  # type: ignore[assignment]
    actor = serializers.SerializerMethodField()

    class Meta:
        model = AssistedEvent
        fields = ["at", "kind", "label", "actor", "note"]

    def get_actor(self, event: AssistedEvent) -> str:
        return str(describe(event.actor))


class AssistedSessionSerializer(serializers.ModelSerializer[AssistedSession]):
    status_label = serializers.CharField(source="get_status_display")
    confirmation = serializers.CharField(help_text="sms_code or counter_face; empty until confirmed")
    resident = serializers.SerializerMethodField()
    identity = serializers.SerializerMethodField()
    application = serializers.SerializerMethodField()
    code = serializers.SerializerMethodField()
    case = serializers.SerializerMethodField()
    events = AssistedEventSerializer(many=True)

    class Meta:
        model = AssistedSession
        fields = [
            "id",
            "status",
            "status_label",
            "started_at",
            "expires_at",
            "closed_at",
            "resident",
            "identity",
            "application",
            "code",
            "confirmation",
            "confirmed_at",
            "case",
            "events",
        ]

    def get_resident(self, session: AssistedSession) -> dict[str, Any]:
        resident = session.resident
        return {
            "name": mask_name(resident.name),
            "id_number": resident.id_number_masked,
            "registry_phone": mask_phone(resident.phone) if resident.phone else "",
            "has_account": resident.account_id is not None,
        }

    def get_identity(self, session: AssistedSession) -> dict[str, Any]:
        return {
            "id_card_checked": True,  # a session is opened only after the clerk confirmed it
            "face_verified": session.face_verified_at is not None,
            "face_verified_at": session.face_verified_at,
            "face_attempts_left": services.face_attempts_left(session),
        }

    def get_application(self, session: AssistedSession) -> dict[str, Any] | None:
        return services.summary(session)

    def get_code(self, session: AssistedSession) -> dict[str, Any]:
        return {
            "sent_at": session.code_sent_at,
            "expires_at": session.code_expires_at if session.code_hash else None,
            "attempts_left": services.code_attempts_left(session),
            "codes_left": max(0, conf.max_codes() - session.codes_sent),
        }

    def get_case(self, session: AssistedSession) -> dict[str, Any] | None:
        case = services.case_of(session)
        return None if case is None else {"id": case.pk, "reference_no": case.reference_no, "status": case.status}


# drf-spectacular reads the method fields' types from here
AssistedSessionSerializer.get_resident.__annotations__["return"] = AssistedResidentSerializer
AssistedSessionSerializer.get_identity.__annotations__["return"] = AssistedIdentitySerializer
AssistedSessionSerializer.get_application.__annotations__["return"] = AssistedApplicationSerializer(allow_null=True)
AssistedSessionSerializer.get_code.__annotations__["return"] = AssistedCodeSerializer
AssistedSessionSerializer.get_case.__annotations__["return"] = AssistedCaseSerializer(allow_null=True)


class AssistedFaceResultSerializer(serializers.Serializer[Any]):
    verified = serializers.BooleanField()
    attempts_left = serializers.IntegerField()
    session = AssistedSessionSerializer()
