"""Declaring bundles (plugins.ServiceBundle) and finding them (discovery.py): built-ins are on while their members
are, a third-party bundle only when allow-listed, and a declaration that cannot work is a start-up error (system
check ``yiwang.E102`` for an unknown member or a shared field meaning two things; ``ImproperlyConfigured`` for a
malformed declaration)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from backend.cases import discovery, sdk
from backend.cases.apps import check_services
from backend.cases.bundling import member_form, shared_form


class Moving(sdk.ServiceBundle):
    code = "yw-test-moving"
    name = sdk.Text("搬家一件事", "Moving house")
    category = sdk.Text("住房", "Housing")
    members = [sdk.Member("provident-fund-withdrawal", fixed={"reason": "rent"}), sdk.Member("yw-not-installed")]


class Clashing(sdk.ServiceBundle):
    """The enrolment's child ID number and the withdrawal's amount put under one shared name: refused."""

    code = "yw-test-clashing"
    name = sdk.Text("冲突", "Clashing")
    category = sdk.Text("测试", "Test")
    members = [
        sdk.Member("primary-school-enrolment", answers={"child_id_number": "value"}),
        sdk.Member("provident-fund-withdrawal", answers={"amount": "value"}),
    ]


@pytest.fixture(autouse=True)
def _fresh_discovery():
    discovery.reload()
    yield
    discovery.reload()


def _install(monkeypatch: pytest.MonkeyPatch, settings: Any, bundle: sdk.ServiceBundle) -> None:
    """As an allow-listed package's ``yiwang.bundles`` entry point would be: validated by discovery."""
    monkeypatch.setattr(discovery, "_third_party_bundles", lambda: [(discovery._as_bundle(bundle, "tests"), "tests")])
    settings.YIWANG_SERVICES = [*discovery.builtin_codes(), bundle.code]


def test_the_builtin_bundles_are_offered_by_default() -> None:
    assert list(discovery.all_bundles()) == ["birth-of-a-child", "buying-a-home"]
    assert check_services() == []


def test_a_bundle_naming_an_unknown_member_fails_the_system_check(monkeypatch, settings) -> None:
    _install(monkeypatch, settings, Moving())
    [error] = check_services()
    assert error.id == "yiwang.E102" and "yw-not-installed" in error.msg and "yw-test-moving" in error.msg
    assert "yw-test-moving" not in discovery.all_bundles()  # and it is never offered
    assert "buying-a-home" in discovery.all_bundles()


def test_two_questions_under_one_shared_name_fail_the_system_check(monkeypatch, settings) -> None:
    _install(monkeypatch, settings, Clashing())
    [error] = check_services()
    assert error.id == "yiwang.E102" and "'value' means different things" in error.msg
    assert "yw-test-clashing" not in discovery.all_bundles()


def test_an_installed_bundle_that_is_not_allow_listed_is_not_offered(monkeypatch, settings) -> None:
    class Fine(sdk.ServiceBundle):
        code = "yw-test-fine"
        name = sdk.Text("可以", "Fine")
        category = sdk.Text("测试", "Test")
        members = [sdk.Member("deed-tax-subsidy"), sdk.Member("public-rental-housing")]

    _install(monkeypatch, settings, Fine())
    assert "yw-test-fine" in discovery.all_bundles()
    settings.YIWANG_SERVICES = discovery.builtin_codes()
    assert "yw-test-fine" not in discovery.all_bundles()


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ([sdk.Member("deed-tax-subsidy")], "at least two distinct members"),
        ([sdk.Member("deed-tax-subsidy"), sdk.Member("deed-tax-subsidy")], "at least two distinct members"),
        ([sdk.Member("deed-tax-subsidy", after=("nope",)), sdk.Member("public-rental-housing")], "not a member"),
        (
            [
                sdk.Member("deed-tax-subsidy", after=("public-rental-housing",)),
                sdk.Member("public-rental-housing", after=("deed-tax-subsidy",)),
            ],
            "a cycle",
        ),
    ],
)
def test_a_malformed_declaration_is_refused(members: list[sdk.Member], message: str) -> None:
    class Broken(sdk.ServiceBundle):
        code = "yw-test-broken"
        name = sdk.Text("坏", "Broken")
        category = sdk.Text("测试", "Test")

    Broken.members = members
    with pytest.raises(ImproperlyConfigured, match=message):
        discovery._as_bundle(Broken(), "tests")


def test_a_bundle_code_may_not_be_a_service_code(monkeypatch, settings) -> None:
    class Shadow(Moving):
        code = "deed-tax-subsidy"
        members = [sdk.Member("deed-tax-subsidy"), sdk.Member("public-rental-housing")]

    monkeypatch.setattr(discovery, "_third_party_bundles", lambda: [(Shadow(), "tests")])
    with pytest.raises(ImproperlyConfigured, match="bundle code 'deed-tax-subsidy'"):
        discovery.installed_bundles()


def test_the_shared_form_and_the_member_forms() -> None:
    bundle = discovery.get_bundle("buying-a-home")
    services = {code: discovery.get_service(code) for code in ("deed-tax-subsidy", "provident-fund-withdrawal")}
    form = shared_form(bundle, {k: v for k, v in services.items() if v})
    assert form["properties"] == {"amount": sdk.AMOUNT_SCHEMA} and form["required"] == ["amount"]
    pfw = bundle.member("provident-fund-withdrawal")
    assert member_form(pfw, services["provident-fund-withdrawal"], {"amount": "1.00"}) == {
        "amount": "1.00",
        "reason": "purchase",
    }
    assert bundle.dependants_of("deed-tax-subsidy") == ["school-district-check"]
    assert bundle.upstream_of("school-district-check") == {"deed-tax-subsidy"}
