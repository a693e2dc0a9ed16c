"""学区核验 school-district-check (backend/servicemodules/school_district_check.py): the catchment school of a home
bought within a year, from the property registry and the education bureau's catchments; the bureau's clerk
confirms. Every rule both ways, on the demo city's people."""

from __future__ import annotations

from typing import Any

import pytest

from tests import personas

pytestmark = pytest.mark.django_db

CODE = "school-district-check"


def rejected_with(case: dict[str, Any], code: str) -> None:
    assert case["status"] == "rejected", case
    assert case["decision"]["reason_code"] == code and case["decision"]["reason"]
    assert next(r["code"] for r in case["rule_trace"] if r["passed"] is False) == code


def test_the_new_homes_catchment_school_is_confirmed_by_the_education_clerk(acting, clerk) -> None:
    li = acting(personas.LI_ZHIQIANG)  # first home bought 30 days ago, 郑东新区如意西路
    case = li.apply(CODE)
    assert case["status"] == "in_review" and case["working_days_left"] == 5
    education = clerk("education")
    staff_view = education.get(f"/api/v1/staff/cases/{case['id']}").json()
    assert staff_view["proposal"] == {"type": "assignment", "school": "郑州市郑东新区如意湖小学"}
    approved = education.post(f"/api/v1/staff/cases/{case['id']}/decide", {"action": "approve"}).json()
    assert approved["status"] == "approved" and approved["decision"]["school"] == "郑州市郑东新区如意湖小学"
    assert approved["decision_rows"] == [{"label": "对口学区学校", "value": "郑州市郑东新区如意湖小学"}]


def test_one_check_at_a_time(acting) -> None:
    li = acting(personas.LI_ZHIQIANG)
    assert li.apply(CODE)["status"] == "in_review"
    rejected_with(li.apply(CODE), "duplicate_application")


@pytest.mark.parametrize(
    "person",
    [personas.ZHANG_JIANGUO, personas.ZHAO_MING],  # owns nothing; bought 400 days ago
    ids=["owns-nothing", "bought-400-days-ago"],
)
def test_without_a_home_bought_within_a_year_there_is_nothing_to_check(acting, person) -> None:
    rejected_with(acting(person).apply(CODE), "no_new_home")


def test_a_new_home_outside_every_catchment_is_rejected(acting) -> None:
    rejected_with(acting(personas.FENG_XUE).apply(CODE), "no_school_district")  # 郑东新区商务外环路
