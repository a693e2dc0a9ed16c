"""DataAccessController: the data-access log of *Me*, with the registry items' names from the server."""

from __future__ import annotations

import pytest

from mobileapp.api import ApiClient
from mobileapp.controllers.apply import ApplyController
from mobileapp.controllers.profile import DataAccessController
from tests.mobileapp.conftest import run, verified_state
from tests.personas import ZHANG_JIANGUO

pytestmark = pytest.mark.django_db(transaction=True)

ZHANG = ZHANG_JIANGUO.phone


def test_every_registry_read_is_listed_with_its_items_names(city) -> None:
    state = verified_state(city, ZHANG)
    apply = ApplyController(state.api, "provident-fund-withdrawal")
    run(apply.load())
    shown = {i.key: i.label for i in run(apply.load_prefill())}  # the consent screen reads (and logs) them
    log = DataAccessController(state.api)
    run(log.load())
    assert log.items and not log.has_more
    preview = [row for row in log.items if "授权确认页" in row["purpose"]]
    assert {label for row in preview for label in row["item_labels"]} == set(shown.values())
    for row in preview:
        assert row["item_labels"] == [shown[key] for key in row["items"]]
        assert row["actor"] and row["department"] and row["case"] is None

    english = DataAccessController(ApiClient(city["url"], token=state.api.token, language="en"))
    run(english.load())
    assert all(label.isascii() for row in english.items for label in row["item_labels"])
