"""A service that wants the applicant in person (``requires_principal_presence``), written on the SDK only, and how
a test switches it on like an installed third-party package (the API tests, the app's tests)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backend.cases import discovery, sdk

CODE = "yw-test-in-person-permit"


class InPersonPermit(sdk.ServiceModule):
    code = CODE
    name = sdk.Text("本人到场许可", "In-person permit")
    department = "housing"
    category = sdk.Text("测试", "Test")
    mode = sdk.Mode.INSTANT
    time_limit_days = 0
    requires_face = True
    requires_principal_presence = True


def switched_on(monkeypatch: pytest.MonkeyPatch, settings) -> Iterator[sdk.ServiceModule]:
    """Body of a fixture: the service installed and listed in ``YIWANG_SERVICES`` for one test."""
    service = InPersonPermit()
    monkeypatch.setattr(discovery, "_third_party", lambda: [(service, __name__)])
    settings.YIWANG_SERVICES = [*discovery.builtin_codes(), CODE]
    discovery.reload()
    yield service
    monkeypatch.undo()
    discovery.reload()
