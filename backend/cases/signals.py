"""Signals the case engine sends to apps above it (which cases must not import).

``counter_verified`` (``sender=Case``, ``case=``, ``clerk=``) is sent inside the transaction of
:func:`backend.cases.services.verify_identity_at_counter`, after the decision ran: the appointments app marks the
case's identity-check booking attended, so a failure there rolls the whole counter check back.

``case_changed`` (``sender=Case``, ``case=``, ``action=``) is sent inside the transaction of every step the engine
records on a case timeline (submitted, decided, approved by a clerk, withdrawn...), after the case was saved: the
bundle engine (cases/bundles.py) moves a bundle on when one of its member cases changed, in the same transaction.
"""

from __future__ import annotations

from django.dispatch import Signal

counter_verified = Signal()
case_changed = Signal()
