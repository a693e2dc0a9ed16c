"""The demo city and its residents acting through the API, as the case tests use them."""

from tests.cases.conftest import resident  # noqa: F401  (demo, clerk: tests/conftest.py)
