from django.apps import AppConfig


class FaceauthConfig(AppConfig):
    name = "backend.faceauth"
    label = "faceauth"
    verbose_name = "人脸核验 Face verification"

    def ready(self) -> None:
        from .purposes import register_builtin_purposes

        register_builtin_purposes()
