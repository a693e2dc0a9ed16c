"""Open311 GeoReport v2 routes, mounted at /open311/v2/ by backend/urls.py.

Each method answers with and without the format suffix (``services.json`` and ``services``); ``.xml`` is
refused with a GeoReport error because only JSON is offered. Unknown paths get a GeoReport 404, not HTML.
"""

from django.urls import path, re_path

from . import open311

FMT = r"(?:\.(?P<fmt>json|xml))?"

urlpatterns = [
    path("", open311.DiscoveryView.as_view(), name="open311-root"),
    re_path(rf"^discovery{FMT}$", open311.DiscoveryView.as_view(), name="open311-discovery"),
    re_path(rf"^services{FMT}$", open311.ServiceListView.as_view(), name="open311-services"),
    re_path(rf"^services/(?P<code>[\w-]+?){FMT}$", open311.ServiceDefinitionView.as_view(), name="open311-service"),
    re_path(rf"^requests{FMT}$", open311.RequestListView.as_view(), name="open311-requests"),
    re_path(rf"^requests/(?P<pk>[\w-]+?){FMT}$", open311.RequestDetailView.as_view(), name="open311-request"),
    path("media/<id:pk>.jpg", open311.MediaView.as_view(), name="open311-media"),
    re_path(r"^(?P<path>.*)$", open311.not_found),
]
