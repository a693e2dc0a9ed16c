from django.apps import AppConfig


class DelegationConfig(AppConfig):
    """Family delegation (亲情代办): mandates, acting for a family member, the record of every use."""

    name = "backend.delegation"
    label = "delegation"
    verbose_name = "亲情代办 Family delegation"

    def ready(self) -> None:
        from backend.faceauth.purposes import register_purpose

        from .services import FACE_PURPOSE, check_face_target, face_verified

        register_purpose(FACE_PURPOSE, resolve=check_face_target, on_verified=face_verified, label="亲情代办接受")
