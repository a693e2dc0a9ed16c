"""The demo city and its residents acting through the API (the personas of ``tests/conftest.py``)."""

from collections.abc import Callable
from typing import Any

import pytest

from tests.personas import Acting


@pytest.fixture
def resident(acting) -> Callable[[Any], Acting]:
    """Here ``resident(phone)`` is the demo resident with that phone, logged in and verified."""
    return acting
