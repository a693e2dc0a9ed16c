"""Supervisor cockpit pages, mounted at /cockpit/ by backend/urls.py."""

urlpatterns: list = []
