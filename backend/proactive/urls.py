from django.urls import path

from . import api

urlpatterns = [
    path("me/offers", api.OfferListView.as_view(), name="offers"),
    path("me/offers/<id:pk>", api.OfferDetailView.as_view(), name="offer-detail"),
    path("me/offers/<id:pk>/confirm", api.OfferConfirmView.as_view(), name="offer-confirm"),
    path("me/offers/<id:pk>/decline", api.OfferDeclineView.as_view(), name="offer-decline"),
]
