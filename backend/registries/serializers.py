from __future__ import annotations

from typing import TypedDict

from rest_framework import serializers

from backend.core.masking import mask_name

from .models import DataAccessLog


class CaseLink(TypedDict):
    """The case a registry read was made for, as the access log shows it to the resident."""

    id: int
    reference_no: str


class RealNameSerializer(serializers.Serializer[None]):  # input only: never bound to an instance
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=32)


class DataAccessSerializer(serializers.ModelSerializer[DataAccessLog]):
    department = serializers.CharField(source="department.name")
    department_code = serializers.CharField(source="department.code")
    actor = serializers.SerializerMethodField()
    case = serializers.SerializerMethodField()
    item_labels = serializers.SerializerMethodField()

    class Meta:
        model = DataAccessLog
        fields = [
            "id",
            "at",
            "department",
            "department_code",
            "items",
            "item_labels",
            "purpose",
            "actor_type",
            "actor",
            "case",
            "proactive_scan",
        ]

    def get_item_labels(self, log: DataAccessLog) -> list[str]:
        from .items import ITEMS

        return [str(ITEMS[key].label) if key in ITEMS else key for key in log.items]

    def get_actor(self, log: DataAccessLog) -> str:
        """The clerk's name, or the system: residents see who looked, not staff account details."""
        if log.actor_type == "clerk" and log.actor is not None:
            dept = log.actor.department.name_zh if log.actor.department is not None else ""
            return f"{dept} {log.actor.display_name or log.actor.username}".strip()
        if log.actor_type == "delegate" and log.actor is not None:  # 亲情代办: the family member who read it
            return f"{log.get_actor_type_display()} {mask_name(log.actor.display_name)}".strip()
        return log.get_actor_type_display()

    def get_case(self, log: DataAccessLog) -> CaseLink | None:
        if log.case_id is None:
            return None
        return {"id": log.case_id, "reference_no": log.case_reference}
