"""Deprecated: the helpers moved to the service SDK (``backend.cases.sdk``). Kept so that a module written against
docs/CHANGES.md's earlier ``backend.servicemodules._common.has_other_case`` still imports; new code imports the SDK.
"""

from __future__ import annotations

from backend.cases.sdk import AMOUNT_SCHEMA, has_other_case, within_last
from backend.cases.sdk import yuan as money

__all__ = ["AMOUNT_SCHEMA", "has_other_case", "money", "within_last"]
