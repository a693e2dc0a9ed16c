from django.urls import path

from . import api

urlpatterns = [
    path("staff/assisted-sessions", api.SessionListCreateView.as_view(), name="staff-assisted-sessions"),
    path("staff/assisted-sessions/<id:pk>", api.SessionDetailView.as_view(), name="staff-assisted-session"),
    path("staff/assisted-sessions/<id:pk>/face", api.SessionFaceView.as_view(), name="staff-assisted-face"),
    path(
        "staff/assisted-sessions/<id:pk>/application",
        api.SessionApplicationView.as_view(),
        name="staff-assisted-application",
    ),
    path("staff/assisted-sessions/<id:pk>/send-code", api.SessionSendCodeView.as_view(), name="staff-assisted-code"),
    path("staff/assisted-sessions/<id:pk>/confirm", api.SessionConfirmView.as_view(), name="staff-assisted-confirm"),
    path("staff/assisted-sessions/<id:pk>/cancel", api.SessionCancelView.as_view(), name="staff-assisted-cancel"),
]
