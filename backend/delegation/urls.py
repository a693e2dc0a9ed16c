from django.urls import path

from . import api

urlpatterns = [
    path("delegations", api.MandateListCreateView.as_view(), name="delegations"),
    path("delegations/guardianship", api.GuardianshipView.as_view(), name="delegation-guardianship"),
    path("delegations/<id:pk>/accept", api.MandateAcceptView.as_view(), name="delegation-accept"),
    path("delegations/<id:pk>/decline", api.MandateDeclineView.as_view(), name="delegation-decline"),
    path("delegations/<id:pk>/end", api.MandateEndView.as_view(), name="delegation-end"),
]
