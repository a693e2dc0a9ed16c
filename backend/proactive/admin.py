from __future__ import annotations

from django.contrib import admin

from .models import Offer, ScanRun


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin[Offer]):
    list_display = ["service_code", "resident", "period_key", "status", "created_at", "case"]
    list_filter = ["service_code", "status"]
    readonly_fields = [f.name for f in Offer._meta.fields]
    raw_id_fields = ["resident", "case", "scan"]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(ScanRun)
class ScanRunAdmin(admin.ModelAdmin[ScanRun]):
    list_display = ["service_code", "full", "started_at", "finished_at", "evaluated", "offered", "expired"]
    list_filter = ["service_code", "full"]
    readonly_fields = [f.name for f in ScanRun._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False
