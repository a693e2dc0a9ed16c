"""API routes of this app, mounted under /api/v1/ by backend/urls.py."""

from django.urls import path

from . import api

urlpatterns = [
    path("appointments", api.BookingListCreateView.as_view(), name="appointments"),
    path("appointments/venues", api.VenueListView.as_view(), name="appointment-venues"),
    path("appointments/slots", api.SlotListView.as_view(), name="appointment-slots"),
    path("appointments/<id:pk>", api.BookingDetailView.as_view(), name="appointment-detail"),
    path("appointments/<id:pk>/cancel", api.BookingCancelView.as_view(), name="appointment-cancel"),
]
