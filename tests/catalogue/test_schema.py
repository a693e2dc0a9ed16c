"""The catalogue's responses are plain dicts (cached per language, catalogue/cache.py); the serializers at the end
of catalogue/serializers.py only describe them for the OpenAPI schema, which docs/API.md is checked against. These
tests hold that description to the real responses, field for field, for every service, in both languages: a key
added to a response without the schema (or the other way round) fails here.

Real HTTP on the demo city, a demo resident who binds their identity through the API.
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.personas import ZHANG_JIANGUO

pytestmark = pytest.mark.django_db

ZHANG = ZHANG_JIANGUO.phone
LANGUAGES = ({}, {"HTTP_ACCEPT_LANGUAGE": "en"})


@pytest.fixture(scope="module")
def components() -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]


def fields(components: dict[str, Any], name: str) -> set[str]:
    assert name in components, f"the schema has no component {name!r}"
    return set(components[name]["properties"])


@pytest.mark.parametrize("headers", LANGUAGES)
def test_list_and_detail_carry_exactly_the_schema_fields(
    demo, api: APIClient, components: dict[str, Any], headers: dict[str, str]
) -> None:
    listing = api.get("/api/v1/services", **headers)
    assert listing.status_code == 200
    services = listing.json()
    assert len(services) >= 5
    for service in services:
        assert set(service) == fields(components, "Service"), service["code"]
        assert service["mode"] in components["ModeEnum"]["enum"]
        detail = api.get(f"/api/v1/services/{service['code']}", **headers)
        assert detail.status_code == 200
        body = detail.json()
        assert set(body) == fields(components, "ServiceDetail"), service["code"]
        assert body["data_items"], service["code"]
        for item in body["data_items"]:
            assert set(item) == fields(components, "DataItem"), (service["code"], item)


@pytest.mark.parametrize("headers", LANGUAGES)
def test_prefill_and_eligibility_carry_exactly_the_schema_fields(
    demo, resident, components: dict[str, Any], headers: dict[str, str]
) -> None:
    zhang = resident(ZHANG)
    codes = [s["code"] for s in zhang.client.get("/api/v1/services").json()]
    for code in codes:
        prefill = zhang.client.get(f"/api/v1/services/{code}/prefill", **headers)
        assert prefill.status_code == 200, prefill.content
        body = prefill.json()
        assert set(body) == fields(components, "Prefill"), code
        for item in body["items"]:
            assert set(item) == fields(components, "PrefillItem"), (code, item)

        eligibility = zhang.client.get(f"/api/v1/services/{code}/eligibility", **headers)
        assert eligibility.status_code == 200, eligibility.content
        body = eligibility.json()
        assert set(body) == fields(components, "Eligibility"), code
        assert body["rule_trace"], code
        for entry in body["rule_trace"]:
            assert set(entry) == fields(components, "RuleTraceEntry"), (code, entry)


def test_a_decided_case_has_rule_trace_entries_of_the_schema(demo, resident, components: dict[str, Any]) -> None:
    """The case engine writes the same trace as the dry run; ``Case.rule_trace`` is documented with it."""
    case = resident(ZHANG).apply("public-rental-housing")
    assert case["rule_trace"]
    for entry in case["rule_trace"]:
        assert set(entry) == fields(components, "RuleTraceEntry"), entry
    case_fields = components["Case"]["properties"]["rule_trace"]
    assert case_fields["items"]["$ref"].endswith("/RuleTraceEntry")
