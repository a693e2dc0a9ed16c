from django.urls import path

from . import api, bundle_api

urlpatterns = [
    path("cases", api.CaseListCreateView.as_view(), name="cases"),
    path("cases/<id:pk>", api.CaseDetailView.as_view(), name="case-detail"),
    path("cases/<id:pk>/withdraw", api.CaseWithdrawView.as_view(), name="case-withdraw"),
    path("cases/<id:pk>/rating", api.CaseRatingView.as_view(), name="case-rating"),
    path("certificates", api.CertificateListView.as_view(), name="certificates"),
    path("certificates/verify/<str:code>", api.CertificateVerifyView.as_view(), name="certificate-verify"),
    path("staff/cases", api.StaffCaseListView.as_view(), name="staff-cases"),
    path("staff/cases/<id:pk>", api.StaffCaseDetailView.as_view(), name="staff-case-detail"),
    path("staff/cases/<id:pk>/decide", api.StaffDecideView.as_view(), name="staff-case-decide"),
    path("staff/follow-ups", api.StaffFollowUpListView.as_view(), name="staff-follow-ups"),
    path("staff/follow-ups/<id:pk>/close", api.StaffFollowUpCloseView.as_view(), name="staff-follow-up-close"),
    path("staff/cases/<id:pk>/verify-identity", api.StaffVerifyIdentityView.as_view(), name="staff-case-verify"),
    path("bundles/<slug:code>/apply", bundle_api.BundleApplyView.as_view(), name="bundle-apply"),
    path("me/bundles", bundle_api.MyBundleListView.as_view(), name="my-bundles"),
    path("me/bundles/<str:reference_no>", bundle_api.MyBundleDetailView.as_view(), name="my-bundle-detail"),
    path(
        "me/bundles/<str:reference_no>/continue", bundle_api.MyBundleContinueView.as_view(), name="my-bundle-continue"
    ),
    path(
        "me/bundles/<str:reference_no>/withdraw", bundle_api.MyBundleWithdrawView.as_view(), name="my-bundle-withdraw"
    ),
]
