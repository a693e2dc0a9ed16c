"""``backend.core.generics``: ``ModelAdmin[Model]`` and friends work at run time and are Django's own classes."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from backend.core.generics import ModelAdmin, ModelForm, StackedInline, TabularInline
from backend.registries.admin import ResidentAdmin, ResidentForm
from backend.registries.models import Resident


def test_subscripting_gives_the_class_itself() -> None:
    assert ModelAdmin[Resident] is admin.ModelAdmin
    assert ModelForm[Resident] is forms.ModelForm
    assert TabularInline[Resident, Resident] is admin.TabularInline
    assert StackedInline[Resident, Resident] is admin.StackedInline


def test_typed_admin_classes_are_plain_django_subclasses() -> None:
    assert issubclass(ResidentAdmin, admin.ModelAdmin) and admin.site.is_registered(Resident)
    assert issubclass(ResidentForm, forms.ModelForm) and ResidentForm._meta.model is Resident
