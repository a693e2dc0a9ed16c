"""API routes of this app, mounted under /api/v1/ by backend/urls.py."""

from django.urls import path

from . import api

urlpatterns = [
    path("events", api.EventListCreateView.as_view(), name="events"),
    path("events/categories", api.CategoryListView.as_view(), name="event-categories"),
    path("events/<id:pk>", api.EventDetailView.as_view(), name="event-detail"),
    path("events/<id:pk>/photo", api.EventPhotoView.as_view(), name="event-photo"),
    path("events/<id:pk>/confirm", api.EventConfirmView.as_view(), name="event-confirm"),
    path("events/<id:pk>/dispute", api.EventDisputeView.as_view(), name="event-dispute"),
    path("events/<id:pk>/rating", api.EventRatingView.as_view(), name="event-rating"),
    path("staff/events", api.StaffEventListView.as_view(), name="staff-events"),
    path("staff/events/<id:pk>", api.StaffEventDetailView.as_view(), name="staff-event-detail"),
    path("staff/events/<id:pk>/action", api.StaffEventActionView.as_view(), name="staff-event-action"),
]
