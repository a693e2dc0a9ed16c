from django.urls import path

from . import api

urlpatterns = [
    path("drafts", api.DraftListCreateView.as_view(), name="drafts"),
    path("drafts/<id:pk>", api.DraftDetailView.as_view(), name="draft-detail"),
]
