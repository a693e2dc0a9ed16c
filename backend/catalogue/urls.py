from django.urls import path

from .api import (
    BundleDetailView,
    BundleListView,
    BundlePrefillView,
    EligibilityView,
    PrefillView,
    ServiceDetailView,
    ServiceListView,
)

urlpatterns = [
    path("services", ServiceListView.as_view(), name="services"),
    path("services/<slug:code>", ServiceDetailView.as_view(), name="service-detail"),
    path("services/<slug:code>/prefill", PrefillView.as_view(), name="service-prefill"),
    path("services/<slug:code>/eligibility", EligibilityView.as_view(), name="service-eligibility"),
    path("bundles", BundleListView.as_view(), name="bundles"),
    path("bundles/<slug:code>", BundleDetailView.as_view(), name="bundle-detail"),
    path("bundles/<slug:code>/prefill", BundlePrefillView.as_view(), name="bundle-prefill"),
]
