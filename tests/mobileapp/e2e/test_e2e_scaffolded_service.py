"""Journey (issue 13): a service made today by ``manage.py startservice`` is applied for in the app and its decision
is shown in the app as it is — the app (mobileapp/) knows nothing of the new service, it draws the server's
``decision_rows``.

The command runs for real, writing into a temporary importable package instead of ``backend/servicemodules`` (so
the working tree, and other tests running meanwhile, never see it); the new module is then switched on for the
live server the way a deployment switches on an installed package (``YIWANG_SERVICES``)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from backend.cases import discovery
from tests.mobileapp.conftest import staff_decide
from tests.mobileapp.e2e.conftest import log_in
from tests.mobileapp.flet_browser import FletPage
from tests.personas import HOUSING_CLERK, LI_ZHIQIANG

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CODE = "yw-e2e-home-repair"
PACKAGE = "yw_e2e_scaffolded"


@pytest.fixture
def scaffolded(tmp_path: Path, settings) -> Iterator[Any]:
    """``startservice`` run into a temporary package, then that module switched on for the live server."""
    package = tmp_path / PACKAGE
    package.mkdir()
    (package / "__init__.py").write_text("")
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(tmp_path))
        with pytest.MonkeyPatch.context() as writing:
            writing.setattr(discovery, "BUILTIN_PACKAGE", PACKAGE)  # where the command writes the module
            writing.setattr(settings, "BASE_DIR", tmp_path)  # and its test
            out = StringIO()
            call_command(
                "startservice",
                CODE,
                department="housing",
                name_zh="房屋修缮补助",
                name_en="Home repair grant",
                stdout=out,
            )
            assert f"Registered service '{CODE}' (review, housing)" in out.getvalue()
        assert (package / "yw_e2e_home_repair.py").exists()
        assert (tmp_path / "tests" / "servicemodules" / "test_yw_e2e_home_repair.py").exists()
        module = importlib.import_module(f"{PACKAGE}.yw_e2e_home_repair")
        patch.setattr(discovery, "_third_party", lambda: [(module.service, module.__name__)])
        settings.YIWANG_SERVICES = [*discovery.builtin_codes(), CODE]
        discovery.reload()
        try:
            yield module.service
        finally:
            discovery.reload()
            for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
                del sys.modules[name]
    discovery.reload()
    assert discovery.get_service(CODE) is None


def screen_texts(ui: FletPage) -> str:
    """Everything the screen says to a screen reader (the texts of the semantics tree)."""
    return ui.page.evaluate(
        "Array.from(document.querySelectorAll('flt-semantics, [aria-label]'))"
        ".map(e => (e.getAttribute('aria-label') || '') + ' ' + (e.textContent || '')).join(' | ')"
    )


def test_a_scaffolded_services_decision_renders_in_the_app(ui: FletPage, me, city, scaffolded) -> None:
    li = me(LI_ZHIQIANG)
    li.bind_real_name()
    log_in(ui, LI_ZHIQIANG)

    ui.click("tab_services")
    ui.fill("service_search", "修缮")
    ui.page.keyboard.press("Enter")
    ui.wait_text(f"service_{CODE}", "房屋修缮补助")
    ui.click(f"service_{CODE}")
    ui.click("service_apply")
    ui.fill("form_details", "屋顶漏水修缮")
    ui.click("consent_checkbox")
    ui.click("apply_submit")
    ui.wait_text("case_status", "等待审核", timeout=60)
    case = next(c for c in li.cases() if c["service"] == CODE)
    assert case["status"] == "in_review" and case["decision_rows"] == []

    staff_decide(city["url"], str(HOUSING_CLERK.phone), case["id"], "approve")
    assert li.get(f"/api/v1/cases/{case['id']}")["decision_rows"] == [
        {"label": "办理结果", "value": "已批准"},
        {"label": "申请说明", "value": "屋顶漏水修缮"},
    ]

    # the resident opens the case: the new service's result, in rows, drawn by the app as it is
    ui.click("view_case")
    ui.wait_text("case_status", "办理成功", timeout=60)
    shown = screen_texts(ui)
    for text in ("办理结果", "已批准", "申请说明", "屋顶漏水修缮"):
        assert text in shown, (text, shown[:2000])
    ui.shot("54-scaffolded-service-decision")
