from django.apps import AppConfig


class FaceauthConfig(AppConfig):
    name = "backend.faceauth"
    label = "faceauth"
    verbose_name = "人脸核验 Face verification"
