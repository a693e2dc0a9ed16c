from django.apps import AppConfig


class CasesConfig(AppConfig):
    """The case engine (办件): state machine, decisions, deadlines, ratings, certificates."""

    name = "backend.cases"
    label = "cases"
    verbose_name = "办件 Cases"

    def ready(self) -> None:
        from backend.faceauth.purposes import register_purpose

        from .face_api import on_face_verified
        from .faces import resolve_face_target

        register_purpose("case", resolve=resolve_face_target, on_verified=on_face_verified, label="办件刷脸核验")
