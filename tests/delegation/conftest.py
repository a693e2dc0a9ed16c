"""The demo city and its residents acting through the API, as the case tests use them."""

from tests.cases.conftest import clerk, demo, resident  # noqa: F401
