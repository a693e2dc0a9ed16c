from __future__ import annotations

from rest_framework import serializers

from backend.core.masking import mask_name, mask_phone

from .models import User


class DepartmentRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(source="name_zh")
    name_en = serializers.CharField()


class MeSerializer(serializers.Serializer):
    """The resident's own profile. Identifiers are masked even here: the app never needs the full values."""

    id = serializers.IntegerField()
    phone = serializers.SerializerMethodField()
    role = serializers.CharField()
    department = DepartmentRefSerializer(allow_null=True)
    real_name_verified = serializers.SerializerMethodField()
    name = serializers.SerializerMethodField()
    id_number = serializers.SerializerMethodField()
    face_enrolled = serializers.SerializerMethodField()

    @staticmethod
    def _resident(user: User):
        return getattr(user, "resident", None) if hasattr(user, "resident") else None

    def get_phone(self, user: User) -> str:
        return mask_phone(user.phone)

    def get_real_name_verified(self, user: User) -> bool:
        return self._resident(user) is not None

    def get_name(self, user: User) -> str:
        resident = self._resident(user)
        return mask_name(resident.name if resident else user.display_name)

    def get_id_number(self, user: User) -> str | None:
        resident = self._resident(user)
        return resident.id_number_masked if resident else None

    def get_face_enrolled(self, user: User) -> bool:
        return hasattr(user, "face_template")
