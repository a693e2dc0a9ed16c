from django.urls import path

from .api import DataAccessListView, RealNameView

urlpatterns = [
    path("me/real-name", RealNameView.as_view(), name="real-name"),
    path("me/data-access", DataAccessListView.as_view(), name="data-access"),
]
