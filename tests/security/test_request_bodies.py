"""A JSON body that is not an object is a 400 parse_error, never a 500 (schemathesis found four such 500s)."""

from __future__ import annotations

import pytest

from tests.security.conftest import api_routes

pytestmark = pytest.mark.django_db

BODIES = ["[null, null]", "6.858567309559333e+101", '"text"', "null", "true"]


def test_non_object_json_bodies_are_refused_everywhere(world) -> None:
    victim = world["victim"]
    clerk_ids = {"pk": victim.objects["case"], "code": "talent-housing-subsidy"}
    checked = 0
    for route in api_routes():
        if "POST" not in route.methods and "PATCH" not in route.methods:
            continue
        url = route.url(**{p: clerk_ids.get(p, victim.objects["case"]) for p in route.params})
        for method in ("post", "patch"):
            if method.upper() not in route.methods:
                continue
            for body in BODIES:
                response = getattr(victim.client, method)(url, body, content_type="application/json")
                assert response.status_code < 500, (method, url, body, response.content[:200])
                checked += 1
    assert checked > 40


def test_staff_decide_with_a_list_body_is_a_parse_error(world) -> None:
    from tests.personas import HOUSING_CLERK

    clerk = HOUSING_CLERK.login()
    response = clerk.post(
        f"/api/v1/staff/cases/{world['victim'].objects['case']}/decide", "[null, null]", content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "parse_error"
