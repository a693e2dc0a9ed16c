"""The case state machine as an explicit table.

We keep a small table of our own rather than an FSM library (django-fsm is archived; its successors tie transitions
to model methods): transitions here carry side effects that span several models (payouts, certificates, the clock,
notifications), which live in :mod:`backend.cases.services`; the table only answers "may this action happen now?",
is introspectable by the admin and the API (``actions`` a client may offer), and is tested on its own.
"""

from __future__ import annotations

from .models import Case, Status

# action -> statuses it may start from
TRANSITIONS: dict[str, frozenset[str]] = {
    "face_verified": frozenset({Status.PENDING_FACE}),
    "counter_verified": frozenset({Status.PENDING_FACE}),
    "approve": frozenset({Status.IN_REVIEW}),
    "reject": frozenset({Status.IN_REVIEW}),
    "return": frozenset({Status.IN_REVIEW}),
    "resubmit": frozenset({Status.RETURNED}),
    "withdraw": frozenset({Status.PENDING_FACE, Status.IN_REVIEW, Status.RETURNED}),
    "revoke": frozenset({Status.APPROVED}),
    "post_check": frozenset({Status.APPROVED}),
}

RESIDENT_ACTIONS = ("withdraw", "resubmit")
CLERK_ACTIONS = ("post_check", "approve", "reject", "return", "revoke")
# Before ``post_check`` had a name of its own, a clerk "approved" a commitment approval to say its post-check found
# the commitments true. That request still works (outside clients and the conformance check send it): on a case
# awaiting its post-check, ``approve`` is an alias of ``post_check``.
POST_CHECK_ALIAS = "approve"


def allows(case: Case, action: str) -> bool:
    if case.status not in TRANSITIONS.get(action, frozenset()):
        return False
    if action in {"revoke", "post_check"}:
        # Only commitment-based approvals are post-checked (and revoked when the commitment was false).
        return case.is_awaiting_post_check
    return True


def clerk_action(case: Case, action: str) -> str:
    """The action a clerk's request means on this case: the historic alias resolved (see ``POST_CHECK_ALIAS``)."""
    if action == POST_CHECK_ALIAS and allows(case, "post_check"):
        return "post_check"
    return action


def clerk_actions(case: Case) -> list[str]:
    actions = [a for a in CLERK_ACTIONS if allows(case, a)]
    if allows(case, "post_check"):
        actions.insert(1, POST_CHECK_ALIAS)  # still offered under its old name, right after the new one
    if allows(case, "counter_verified"):
        actions.append("verify_identity")  # the counter alternative to the face check
    return actions


def resident_actions(case: Case) -> list[str]:
    actions = [a for a in RESIDENT_ACTIONS if allows(case, a)]
    if case.status == Status.PENDING_FACE:
        actions.insert(0, "face_check")
    if case.is_final and not hasattr(case, "rating"):
        actions.append("rate")
    return actions
