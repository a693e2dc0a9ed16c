"""Forms generated from a service's JSON Schema (mobileapp/forms.py): a new service module needs no app release."""

from __future__ import annotations

from mobileapp import forms


def test_forms_from_json_schema_need_no_app_release() -> None:
    schema = {
        "type": "object",
        "required": ["degree", "amount", "people"],
        "properties": {
            "degree": {
                "type": "string",
                "enum": ["bachelor", "master"],
                "title": "学历 Degree",
                "x-labels": {"bachelor": "本科 Bachelor", "master": "硕士 Master"},
            },
            "amount": {"type": "number", "minimum": 0, "maximum": 4500, "title": "金额 Amount"},
            "people": {"type": "integer", "title": "人数"},
            "note": {"type": "string", "maxLength": 5, "title": "备注"},
            "agree": {"type": "boolean", "title": "同意"},
        },
    }
    specs = forms.parse_schema(schema)
    assert [s.kind for s in specs] == ["enum", "number", "integer", "string", "boolean"]
    assert forms.localized(specs[0].choices[1].label, "en") == "Master"
    values, errors = forms.collect(
        specs, {"degree": "master", "amount": "4500.5", "people": "2.5", "note": "太长了太长了"}
    )
    assert set(errors) == {"amount", "people", "note"}
    values, errors = forms.collect(specs, {"degree": "master", "amount": "4500", "people": "3", "agree": True})
    assert errors == {} and values == {"degree": "master", "amount": 4500, "people": 3, "agree": True}
    assert forms.display_value(specs[0], "master") == "硕士 Master"
