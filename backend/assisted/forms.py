"""The counter's screens: Django forms for the admin, including a service's application form built from its JSON
Schema (the same schema the app renders and the case engine validates with: the form here only shapes the inputs;
``services.fill`` judges them, so a value refused here is refused with the engine's message)."""

from __future__ import annotations

from typing import Any

from django import forms

from backend.cases.plugins import ServiceModule


class StartForm(forms.Form):
    id_number = forms.CharField(label="身份证号 ID number", max_length=18)
    name = forms.CharField(label="姓名 Name", max_length=60)
    id_card_checked = forms.BooleanField(
        label="已查验本人身份证原件，人证一致 I checked the original ID card against the person", required=False
    )


class FaceForm(forms.Form):
    image = forms.ImageField(label="窗口摄像头照片 Counter camera photo")


class CodeForm(forms.Form):
    code = forms.CharField(label="短信确认码 SMS code", max_length=12, required=False)


def _field(name: str, schema: dict[str, Any], required: bool) -> forms.Field:
    """Every field optional for Django: whether it is missing is the engine's judgement (its message, its code)."""
    label = str(schema.get("title") or name) + (" *" if required else "")
    required = False
    kind = schema.get("type")
    if "enum" in schema:
        labels = schema.get("x-labels", {})
        choices = [("", "—")] + [(value, labels.get(value, value)) for value in schema["enum"]]
        return forms.ChoiceField(label=label, choices=choices, required=required)
    if kind == "boolean":
        return forms.BooleanField(label=label, required=False)  # unticked means false, not missing
    if kind == "integer":
        return forms.IntegerField(label=label, required=required)
    return forms.CharField(
        label=label,
        required=required,
        max_length=schema.get("maxLength"),
        help_text=str(schema.get("description") or ""),
    )


def application_form(service: ServiceModule, data: Any = None) -> forms.Form:
    """A form with one field per property of the service's schema (enums as choices, with their ``x-labels``)."""
    schema = service.form or {}
    required = set(schema.get("required", []))
    fields = {name: _field(name, prop, name in required) for name, prop in (schema.get("properties") or {}).items()}
    fields["consent"] = forms.BooleanField(
        label="居民已阅读以上数据用途并同意授权调取 The resident read the data uses above and agrees", required=False
    )
    form_class = type("ApplicationForm", (forms.Form,), fields)
    form: forms.Form = form_class(data)
    return form


def form_values(service: ServiceModule, form: forms.Form) -> dict[str, Any]:
    """The schema's values from a bound form: empty optional strings left out, as the app leaves them out."""
    properties = (service.form or {}).get("properties") or {}
    values: dict[str, Any] = {}
    for name in properties:
        value = form.cleaned_data.get(name)
        if value in (None, ""):
            continue
        values[name] = value
    return values
