"""Django classes that django-stubs declares generic but that Django itself cannot subscript at run time.

Typed code writes ``ModelAdmin[Resident]``; at run time that is ``ModelAdmin`` itself. django-stubs-ext's
``monkeypatch()`` does the same for every such class, but calling it would make a typing package a runtime
dependency of the deployment; the three classes the project subclasses are enough. Import them from here (not from
Django) in modules that are type-checked strictly.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin import ModelAdmin, StackedInline, TabularInline
from django.forms import ModelForm

__all__ = ["ModelAdmin", "ModelForm", "StackedInline", "TabularInline"]


def _subscriptable(cls: type) -> None:
    if "__class_getitem__" not in vars(cls):

        def class_getitem(klass: type, *args: Any) -> type:
            return klass

        cls.__class_getitem__ = classmethod(class_getitem)  # type: ignore[attr-defined]


for _cls in (ModelAdmin, ModelForm, StackedInline, TabularInline):
    _subscriptable(_cls)
