"""Does an API answer have the type ``mobileapp.api`` declares for it? (TypedDicts, lists, unions, Literals.)

The app codes against those types only, so a member the server renamed, dropped or changed in kind must fail a
test rather than a screen. Extra members are allowed (the contract lets the server add them).
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints, is_typeddict


def mismatches(value: Any, expected: Any, path: str = "answer") -> list[str]:
    """Where ``value`` does not fit ``expected``: ``["answer.results[0].status: 'x' not in (...)", ...]``."""
    if expected is Any or isinstance(expected, TypeVar):
        return []
    origin = get_origin(expected)
    if origin is typing.NotRequired or origin is typing.Required:
        return mismatches(value, get_args(expected)[0], path)
    if origin in (Union, types.UnionType):
        options = [mismatches(value, option, path) for option in get_args(expected)]
        return [] if any(not found for found in options) else min(options, key=len)
    if origin is Literal:
        return [] if value in get_args(expected) else [f"{path}: {value!r} not in {get_args(expected)}"]
    if expected is type(None):
        return [] if value is None else [f"{path}: {value!r} is not null"]
    if is_typeddict(expected) or is_typeddict(origin):
        cls = origin or expected
        if not isinstance(value, dict):
            return [f"{path}: {type(value).__name__} is not an object ({cls.__name__})"]
        hints = get_type_hints(cls, include_extras=True)
        # under ``from __future__ import annotations`` Python 3.11 counts NotRequired members as required
        required = {k for k in cls.__required_keys__ if get_origin(hints[k]) is not typing.NotRequired}
        found = [f"{path}.{key}: missing" for key in sorted(required - set(value))]
        for key, hint in hints.items():
            if key in value:
                found += mismatches(value[key], _bind(hint, cls, expected), f"{path}.{key}")
        return found
    if origin is list:
        if not isinstance(value, list):
            return [f"{path}: {type(value).__name__} is not a list"]
        (item,) = get_args(expected)
        return [m for i, v in enumerate(value) for m in mismatches(v, item, f"{path}[{i}]")]
    if origin is dict:
        return [] if isinstance(value, dict) else [f"{path}: {type(value).__name__} is not an object"]
    if expected is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return [] if ok else [f"{path}: {value!r} is not a number"]
    if expected is int and isinstance(value, bool):
        return [f"{path}: {value!r} is not an integer"]
    return [] if isinstance(value, expected) else [f"{path}: {value!r} is not {expected.__name__}"]


def _bind(hint: Any, cls: Any, expected: Any) -> Any:
    """``results: list[T]`` of ``Page[Case]`` (or of a TypedDict deriving from ``Page[Case]``) is ``list[Case]``."""
    bound: dict[Any, Any] = {}
    if get_origin(expected) is cls:
        bound.update(zip(cls.__parameters__, get_args(expected), strict=True))
    for base in getattr(cls, "__orig_bases__", ()):
        generic = get_origin(base)
        if generic is not None and is_typeddict(generic):
            bound.update(zip(generic.__parameters__, get_args(base), strict=True))
    if isinstance(hint, TypeVar):
        return bound.get(hint, Any)
    if get_origin(hint) is list and isinstance(get_args(hint)[0], TypeVar):
        return list[bound.get(get_args(hint)[0], Any)]
    return hint


def assert_shape(value: Any, expected: Any) -> None:
    found = mismatches(value, expected)
    assert not found, "\n".join(found)
