"""Open311 GeoReport v2 routes, mounted at /open311/v2/ by backend/urls.py."""

urlpatterns: list = []
