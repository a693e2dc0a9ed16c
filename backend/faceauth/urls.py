"""API routes of this app, mounted under /api/v1/ by backend/urls.py."""

from django.urls import path

from . import api

urlpatterns = [
    path("face/status", api.FaceStatusView.as_view(), name="face-status"),
    path("face/enrol", api.FaceEnrolView.as_view(), name="face-enrol"),
    path("face/challenges", api.FaceChallengeView.as_view(), name="face-challenges"),
    path("face/verify", api.FaceVerifyView.as_view(), name="face-verify"),
]
