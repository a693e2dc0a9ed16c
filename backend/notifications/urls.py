from django.urls import path

from .api import NotificationListView, NotificationReadAllView, NotificationReadView

urlpatterns = [
    path("notifications", NotificationListView.as_view(), name="notifications"),
    path("notifications/read-all", NotificationReadAllView.as_view(), name="notifications-read-all"),
    path("notifications/<id:pk>/read", NotificationReadView.as_view(), name="notification-read"),
]
