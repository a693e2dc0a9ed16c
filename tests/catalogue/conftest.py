"""The demo city and its residents acting through the API (the fixtures of tests/cases, reused)."""

from tests.cases.conftest import demo, resident  # noqa: F401
