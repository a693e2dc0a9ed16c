"""Module metadata and the deployment's allow-list (discovery.py): a module declares its version, the Yiwang versions
it supports (PEP 440, checked at discovery) and its settings with defaults; ``YIWANG_SERVICES`` decides which
modules are on (default: every built-in). Installed entry points are tested with a real package in
tests/thirdparty (test_thirdparty.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework.test import APIClient

from backend.cases import discovery, sdk
from backend.cases.apps import check_services

BUILTINS = [
    "deed-tax-subsidy",
    "medical-insurance-enrolment",
    "newborn-household-registration",
    "primary-school-enrolment",
    "provident-fund-withdrawal",
    "public-rental-housing",
    "school-district-check",
    "senior-allowance",
    "social-security-card",
    "talent-housing-subsidy",
]


class Versioned(sdk.ServiceModule):
    code = "yw-test-versioned"
    name = sdk.Text("版本测试", "Versioned")
    department = "housing"
    category = sdk.Text("测试", "Test")
    version = "2.1.0"
    yiwang_requires = ">=1.13,<2"
    settings = {"monthly_cap": "500.00", "districts": ["金水区"]}


@pytest.fixture(autouse=True)
def _fresh_discovery():
    discovery.reload()
    yield
    discovery.reload()


def test_the_default_is_every_builtin_and_nothing_else() -> None:
    assert list(discovery.all_services()) == BUILTINS == discovery.builtin_codes()


@pytest.mark.django_db
def test_the_allow_list_switches_services_off(settings) -> None:
    settings.YIWANG_SERVICES = ["deed-tax-subsidy"]
    assert list(discovery.all_services()) == ["deed-tax-subsidy"]
    assert [s["code"] for s in APIClient().get("/api/v1/services").json()] == ["deed-tax-subsidy"]
    assert APIClient().get("/api/v1/services/public-rental-housing").status_code == 404


@pytest.mark.parametrize(
    ("requires", "version", "ok"),
    [
        ("", "1.13.0", True),
        (">=1.13,<2", "1.13.0", True),
        (">=1.13,<2", "1.14.2", True),
        (">=1.13,<2", "2.0.0", False),
        (">=1.14", "1.13.0", False),
        ("~=1.13", "1.13.5", True),
        (">=1.13", "1.14.0rc1", True),  # a pre-release of a supported version counts
    ],
)
def test_yiwang_requires_is_a_pep440_specifier(requires: str, version: str, ok: bool) -> None:
    service = Versioned()
    Versioned.yiwang_requires = requires
    try:
        if ok:
            discovery.check_compatible(service, "tests", version)
        else:
            with pytest.raises(
                ImproperlyConfigured, match=re.escape(f"supports Yiwang {requires}, not this Yiwang {version}")
            ):
                discovery.check_compatible(service, "tests", version)
    finally:
        Versioned.yiwang_requires = ">=1.13,<2"


def test_a_malformed_specifier_is_refused() -> None:
    Versioned.yiwang_requires = "1.13+"
    try:
        with pytest.raises(ImproperlyConfigured, match="not a PEP 440 specifier"):
            discovery.check_compatible(Versioned(), "tests")
    finally:
        Versioned.yiwang_requires = ">=1.13,<2"


def _install(monkeypatch: pytest.MonkeyPatch, settings: Any, service: sdk.ServiceModule) -> None:
    """As an allow-listed package's entry point would be: validated by discovery (``_as_service``)."""
    monkeypatch.setattr(discovery, "_third_party", lambda: [(discovery._as_service(service, "tests"), "tests")])
    settings.YIWANG_SERVICES = [*BUILTINS, service.code]


def test_an_unsupported_module_fails_the_system_check(monkeypatch: pytest.MonkeyPatch, settings) -> None:
    Versioned.yiwang_requires = ">=3"
    try:
        _install(monkeypatch, settings, Versioned())
        with pytest.raises(ImproperlyConfigured, match=re.escape("yw-test-versioned 2.1.0")):
            discovery.all_services()
        [error] = check_services()
        assert error.id == "yiwang.E101" and "supports Yiwang >=3" in error.msg
    finally:
        Versioned.yiwang_requires = ">=1.13,<2"


def test_a_supported_module_is_on_when_listed(monkeypatch: pytest.MonkeyPatch, settings) -> None:
    _install(monkeypatch, settings, Versioned())
    assert "yw-test-versioned" in discovery.all_services()
    assert check_services() == []


def test_an_allow_listed_code_nothing_provides_is_a_warning(settings) -> None:
    settings.YIWANG_SERVICES = [*BUILTINS, "yw-not-installed"]
    [warning] = check_services()
    assert warning.id == "yiwang.W101" and "yw-not-installed" in warning.msg


def test_settings_have_defaults_and_deployment_overrides(settings) -> None:
    service = Versioned()
    assert service.setting("monthly_cap") == "500.00"
    settings.YIWANG_SERVICE_SETTINGS = {"yw-test-versioned": {"monthly_cap": "800.00"}}
    assert service.setting("monthly_cap") == "800.00"
    assert service.setting("districts") == ["金水区"]  # not overridden: the default
    with pytest.raises(ImproperlyConfigured, match="without declaring it"):
        service.setting("undeclared")
