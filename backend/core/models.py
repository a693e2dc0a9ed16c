"""Cross-cutting records. The core app stays at the bottom of the dependency graph: it imports no app (the audit
row names its actor by the swappable user model's label, not by importing accounts)."""

from __future__ import annotations

from django.db import models


class AuditEvent(models.Model):
    """Append-only record of a staff member reading personal data in full (DESIGN §3.2: identifiers are masked
    everywhere else). Written by :class:`backend.core.audit.PersonalDataAuditMiddleware`; shown read-only in the
    admin to superusers and supervisors; no one can change or delete a row through the application."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_constraint=True
    )
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=20)  # view | search
    object_type = models.CharField(max_length=80)  # app_label.model
    object_id = models.CharField(max_length=64, blank=True)
    query = models.CharField(max_length=200, blank=True)  # a search term, masked
    path = models.CharField(max_length=300)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "个人信息查阅记录 Personal-data read"
        verbose_name_plural = "个人信息查阅记录 Personal-data reads"
        indexes = [models.Index(fields=["object_type", "object_id"]), models.Index(fields=["actor", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type} {self.object_id}"
