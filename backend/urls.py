"""Top-level routes. Each app owns its own ``urls.py``; API routes are mounted under ``/api/v1/``."""

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from backend.core.views import HealthView

API_APPS = [
    "backend.accounts.urls",
    "backend.registries.urls",
    "backend.faceauth.urls",
    "backend.catalogue.urls",
    "backend.cases.urls",
    "backend.cityevents.urls",
    "backend.appointments.urls",
    "backend.notifications.urls",
    "backend.drafts.urls",
    "backend.delegation.urls",
    "backend.assisted.urls",
    "backend.proactive.urls",
]

api_v1: list[URLPattern | URLResolver] = [
    path("health", HealthView.as_view(), name="health"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    *(path("", include(module)) for module in API_APPS),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("open311/v2/", include("backend.cityevents.open311_urls")),
    path("cockpit/", include("backend.cockpit.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "一网 Yiwang 政务后台"
admin.site.site_title = "一网 Yiwang"
admin.site.index_title = "工作台 Workbench"
