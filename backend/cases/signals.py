"""Signals the case engine sends to apps above it (which cases must not import).

``counter_verified`` (``sender=Case``, ``case=``, ``clerk=``) is sent inside the transaction of
:func:`backend.cases.services.verify_identity_at_counter`, after the decision ran: the appointments app marks the
case's identity-check booking attended, so a failure there rolls the whole counter check back.
"""

from __future__ import annotations

from django.dispatch import Signal

counter_verified = Signal()
