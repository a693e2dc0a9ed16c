"""CatalogueController: search, the services a resident qualifies for, groups by topic or department."""

from __future__ import annotations

import pytest

from mobileapp.controllers.catalogue import CatalogueController
from tests.mobileapp.conftest import run, verified_state
from tests.personas import LI_ZHIQIANG

pytestmark = pytest.mark.django_db(transaction=True)

LI = LI_ZHIQIANG.phone


def test_catalogue_groups_by_category_and_department(city) -> None:
    state = verified_state(city, LI)
    catalogue = CatalogueController(state.api)
    run(catalogue.load())
    by_department = {label: [s["code"] for s in items] for _, label, items in catalogue.groups("department")}
    assert "primary-school-enrolment" in by_department["教育局"]
    assert sum(len(items) for _, _, items in catalogue.groups("category")) == len(catalogue.services)
    eligible = run(catalogue.load_eligible())
    assert "deed-tax-subsidy" in {s["code"] for s in eligible}


def test_search_and_groups_in_english(city) -> None:
    state = verified_state(city, LI)
    run(state.set_language("en"))
    catalogue = CatalogueController(state.api)
    assert [s["code"] for s in run(catalogue.load(q="deed tax"))] == ["deed-tax-subsidy"]
    run(catalogue.load())
    departments = {label for _, label, _ in catalogue.groups("department")}
    assert "Education Bureau" in departments or all(label.isascii() for label in departments)
