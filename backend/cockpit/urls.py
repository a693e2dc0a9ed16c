"""Supervisor cockpit pages, mounted at /cockpit/ by backend/urls.py."""

from django.urls import path

from . import views

app_name = "cockpit"

urlpatterns = [
    path("", views.cockpit, name="index"),
    path("data.json", views.data_json, name="data"),
]
