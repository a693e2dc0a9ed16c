"""Input serializers (backend/core/inputs.py): every body goes through one, which checks the envelope and hands the
values the domain judges on as sent, so the domain's codes (and the ownership check before them) stay."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from backend.core.inputs import Judged, single, validated
from tests.factories import login

MISSING = 2_000_000_000


class Example(serializers.Serializer):
    score = Judged(serializers.IntegerField(min_value=1, max_value=5))
    reason = Judged(serializers.CharField(required=False), text=True)
    code = Judged(serializers.CharField(required=False), single=True)


def test_values_are_handed_on_as_sent_for_the_domain_to_judge() -> None:
    assert validated(Example, {"score": "nine", "reason": None, "code": ["a", "b"]}) == {
        "score": "nine",  # not judged here: the domain answers with its own code and message
        "reason": "",
        "code": "a",
    }
    assert validated(Example, {}) == {"score": None, "reason": "", "code": None}
    assert validated(Example, {"score": True, "reason": 12})["reason"] == "12"


def test_form_encodings_give_one_value_per_key() -> None:
    data = QueryDict("code=x&code=y&score=3")
    assert single(data, "code") == "y"  # QueryDict.get: the last, as request.data.get always gave
    assert validated(Example, data)["score"] == "3"
    assert single({"code": []}, "code") is None and single(["not", "a", "mapping"], "code") is None


def test_the_envelope_must_be_an_object() -> None:
    with pytest.raises(ValidationError) as refused:
        validated(Example, ["score", 5])
    assert "non_field_errors" in refused.value.detail


@pytest.mark.django_db
def test_the_schema_shows_the_documented_field(client) -> None:
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()["components"]["schemas"]
    rating = schema["RatingRequest"]["properties"]
    assert rating["score"] == {"type": "integer", "maximum": 5, "minimum": 1}
    assert rating["comment"]["maxLength"] == 500 and schema["RatingRequest"]["required"] == ["score"]
    assert schema["BookingCreateRequest"]["properties"]["slot"]["format"] == "int64"
    assert schema["EventCreateRequest"]["properties"]["media"]["format"] == "binary"


ENDPOINTS = [
    ("resident", "patch", f"/api/v1/cases/{MISSING}"),
    ("resident", "post", f"/api/v1/cases/{MISSING}/rating"),
    ("resident", "post", "/api/v1/events"),
    ("resident", "post", "/api/v1/appointments"),
    ("clerk", "post", f"/api/v1/staff/cases/{MISSING}/decide"),
    ("clerk", "post", f"/api/v1/staff/cases/{MISSING}/verify-identity"),
    ("clerk", "post", f"/api/v1/staff/follow-ups/{MISSING}/close"),
]


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize(("who", "method", "path"), ENDPOINTS)
def test_a_json_body_that_is_not_an_object_is_refused_before_any_view(who: str, method: str, path: str) -> None:
    """The parser (backend/core/parsers.py) answers first, for every endpoint alike: the views never see it."""
    client = login("13800000001" if who == "resident" else "13700000001", "Demo-Pass-2026")
    response = getattr(client, method)(path, [1, 2], format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "parse_error"
