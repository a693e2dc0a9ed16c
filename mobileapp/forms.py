"""The application form generated from a service's JSON Schema (``GET /api/v1/services/{code}`` → ``form``).

A new service module ships its own schema and the app renders it with no release: this module turns the schema
into :class:`FieldSpec` objects (plain data the screens draw) and converts what the resident typed into JSON
values. Only the schema's own constraints are checked here (required, type, enum, bounds, pattern); whether the
resident qualifies is the server's business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from mobileapp.i18n import translate


@dataclass
class Choice:
    value: Any
    label: str


@dataclass
class FieldSpec:
    name: str
    label: str
    kind: str  # "string" | "number" | "integer" | "boolean" | "enum" | "text"
    required: bool = False
    description: str = ""
    choices: list[Choice] = field(default_factory=list)
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    min_length: int | None = None
    pattern: str | None = None
    placeholder: str = ""
    default: Any = None
    decimal_string: bool = False  # a money amount sent as a decimal string ("4500.00")
    unit: str = ""


def _choices(prop: dict[str, Any]) -> list[Choice]:
    if "oneOf" in prop or "anyOf" in prop:
        options = prop.get("oneOf") or prop.get("anyOf") or []
        return [Choice(o.get("const"), str(o.get("title", o.get("const")))) for o in options if "const" in o]
    enum = prop.get("enum")
    if not enum:
        items = prop.get("items") or {}
        enum = items.get("enum")
    if not enum:
        return []
    names = prop.get("enumNames") or prop.get("x-enumNames") or prop.get("enum_names") or []
    labels = prop.get("x-labels") or prop.get("x-enum-labels") or {}
    out = []
    for i, value in enumerate(enum):
        label = labels.get(str(value)) if isinstance(labels, dict) else None
        if label is None and i < len(names):
            label = names[i]
        out.append(Choice(value, str(label if label is not None else value)))
    return out


def parse_schema(schema: dict[str, Any] | None) -> list[FieldSpec]:
    """Fields in the schema's order (``x-order``/``ui:order`` when given, else the properties' order)."""
    if not schema:
        return []
    props: dict[str, Any] = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    order = schema.get("x-order") or schema.get("ui:order") or list(props)
    order = [name for name in order if name in props] + [name for name in props if name not in order]
    fields = []
    for name in order:
        prop = props[name] or {}
        if prop.get("readOnly"):
            continue
        json_type = prop.get("type", "string")
        if isinstance(json_type, list):
            json_type = next((t for t in json_type if t != "null"), "string")
        choices = _choices(prop)
        if choices:
            kind = "enum"
        elif json_type in ("number", "integer", "boolean"):
            kind = json_type
        elif prop.get("format") == "textarea" or (prop.get("maxLength") or 0) > 200:
            kind = "text"
        else:
            kind = "string"
        decimal_string = json_type == "string" and prop.get("format") in ("decimal", "money")
        if decimal_string:
            kind = "number"
        fields.append(
            FieldSpec(
                name=name,
                label=str(prop.get("title") or name),
                kind=kind,
                required=name in required,
                description=str(prop.get("description") or ""),
                choices=choices,
                minimum=_num(prop.get("minimum", prop.get("exclusiveMinimum"))),
                maximum=_num(prop.get("maximum", prop.get("exclusiveMaximum"))),
                max_length=prop.get("maxLength"),
                min_length=prop.get("minLength"),
                pattern=None if decimal_string else prop.get("pattern"),
                placeholder=str(
                    prop.get("examples", [""])[0] if prop.get("examples") else prop.get("x-placeholder", "")
                ),
                default=prop.get("default"),
                decimal_string=decimal_string,
                unit=str(prop.get("x-unit", "")),
            )
        )
    return fields


def _placeholder(prop: dict[str, Any]) -> str:
    examples = prop.get("examples")
    if isinstance(examples, list) and examples:
        return str(examples[0])
    return str(prop.get("x-placeholder", ""))


_BILINGUAL = re.compile(r"^(?P<zh>.*[\u3000-\u9fff\uff00-\uffef][^A-Za-z]*?)\s+(?P<en>[A-Za-z].*)$")


def localized(text: str, language: str) -> str:
    """``"提取原因 Reason"`` → ``"提取原因"`` in Chinese, ``"Reason"`` in English; other text unchanged."""
    match = _BILINGUAL.match(text or "")
    if not match:
        return text
    return match.group("en") if language == "en" else match.group("zh").strip()


def numeric_pattern(pattern: str | None) -> bool:
    """A string field whose pattern only admits digits (an amount, an ID number): offer the number keyboard."""
    return pattern is not None and pattern.startswith(("^\\d", "\\d", "^[0-9]"))


def _num(value: Any) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def convert(spec: FieldSpec, raw: Any, language: str = "zh-CN") -> tuple[Any, str | None]:
    """The JSON value for what the resident entered, or an error message (schema constraints only)."""

    def t(key: str, **params: object) -> str:
        return translate(key, language, **params)

    if spec.kind == "boolean":
        return bool(raw), None
    if spec.kind == "enum":
        if raw in (None, ""):
            return None, t("error.choose") if spec.required else None
        for choice in spec.choices:
            if str(choice.value) == str(raw):
                return choice.value, None
        return None, t("error.choose")
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None, t("error.required") if spec.required else None
    if spec.kind in ("number", "integer"):
        try:
            number = Decimal(text.replace(",", "").replace("，", ""))
        except InvalidOperation:
            return None, t("error.number")
        if not number.is_finite():
            return None, t("error.number")
        if spec.kind == "integer" and number != number.to_integral_value():
            return None, t("error.integer")
        if spec.minimum is not None and number < Decimal(str(spec.minimum)):
            return None, t("error.min", min=_fmt(spec.minimum))
        if spec.maximum is not None and number > Decimal(str(spec.maximum)):
            return None, t("error.max", max=_fmt(spec.maximum))
        if spec.kind == "integer":
            return int(number), None
        if spec.decimal_string:
            exponent = number.as_tuple().exponent  # an int: the number is finite (checked above)
            two_places = isinstance(exponent, int) and exponent >= -2
            return f"{number.quantize(Decimal('0.01'))}" if two_places else str(number), None
        return (int(number) if number == number.to_integral_value() else float(number)), None
    if spec.min_length is not None and len(text) < spec.min_length:
        return None, t("error.min_length", n=spec.min_length)
    if spec.max_length is not None and len(text) > spec.max_length:
        return None, t("error.max_length", n=spec.max_length)
    if spec.pattern and not re.search(spec.pattern, text):
        return None, t("error.pattern")
    return text, None


def collect(
    specs: list[FieldSpec], raw: dict[str, Any], language: str = "zh-CN"
) -> tuple[dict[str, Any], dict[str, str]]:
    """All fields converted: ``(values, errors)``; values leave out empty optional fields."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for spec in specs:
        value, error = convert(spec, raw.get(spec.name), language)
        if error:
            errors[spec.name] = error
        elif value is not None:
            values[spec.name] = value
    return values, errors


def display_value(spec: FieldSpec | None, value: Any) -> str:
    """A submitted value shown back in words (an enum's label rather than its code)."""
    if spec is not None and spec.choices:
        for choice in spec.choices:
            if str(choice.value) == str(value):
                return choice.label
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return "" if value is None else str(value)
