"""API routes of this app, mounted under /api/v1/ by backend/urls.py."""

urlpatterns: list[object] = []
