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
    language = serializers.CharField(help_text="zh-hans or en: the language of push notifications")

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


class MeUpdateSerializer(serializers.Serializer):
    """What a resident may change about themselves here: only the language of their push notifications. Anything
    else in the body (role, phone, department, …) is ignored, not an error: clients send whole profiles back."""

    language = serializers.CharField(max_length=16)

    def validate_language(self, value: str) -> str:
        code = value.strip().lower()
        if code.startswith("zh"):
            return "zh-hans"
        if code.startswith("en"):
            return "en"
        raise serializers.ValidationError("must be zh-hans (zh-CN) or en")
