"""Signals of the registries app (apps above listen; the registries import none of them)."""

from __future__ import annotations

from django.dispatch import Signal

#: Sent by ``manage.py import_registry`` after a file was imported and committed (``report``: the ImportReport).
#: The 免申即享 scan (``backend.proactive``) runs an incremental scan on it.
registry_imported = Signal()
