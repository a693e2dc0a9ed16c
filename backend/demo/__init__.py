"""Demo data for Yiwang: department registry records, staff accounts and departments.

A plain Python package (not a Django app): it only builds data structures, so it can be imported by the
``make run`` loader, by management commands and by tests without touching the database.
"""

from .city import DEMO_PASSWORD, DEPARTMENTS, STAFF_ACCOUNTS, build_demo_registry

__all__ = ["DEMO_PASSWORD", "DEPARTMENTS", "STAFF_ACCOUNTS", "build_demo_registry"]
