"""API routes of this app, mounted under /api/v1/ by backend/urls.py."""

from django.urls import path

from . import api

urlpatterns = [
    path("events", api.EventListCreateView.as_view(), name="events"),
    path("events/categories", api.CategoryListView.as_view(), name="event-categories"),
    path("events/<int:pk>", api.EventDetailView.as_view(), name="event-detail"),
    path("events/<int:pk>/photo", api.EventPhotoView.as_view(), name="event-photo"),
    path("events/<int:pk>/confirm", api.EventConfirmView.as_view(), name="event-confirm"),
    path("events/<int:pk>/dispute", api.EventDisputeView.as_view(), name="event-dispute"),
    path("events/<int:pk>/rating", api.EventRatingView.as_view(), name="event-rating"),
    path("staff/events", api.StaffEventListView.as_view(), name="staff-events"),
    path("staff/events/<int:pk>", api.StaffEventDetailView.as_view(), name="staff-event-detail"),
    path("staff/events/<int:pk>/action", api.StaffEventActionView.as_view(), name="staff-event-action"),
]
