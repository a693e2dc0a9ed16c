"""A service made by ``startservice`` today shows its decision in the app as it is (issue 13): the app reads the
server's ``decision_rows`` and knows nothing of the new service. The module is the one the command writes (its
templates, rendered by ``startservice.render``), loaded from a temporary directory and registered like an installed
package, so the working tree is left alone; the resident applies and reads the result through the app's own
controllers against the live backend."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from backend.cases import discovery
from backend.cases.management.commands.startservice import render
from backend.demo.city import DEMO_PASSWORD
from mobileapp.controllers.apply import ApplyController
from mobileapp.controllers.cases import CaseController
from mobileapp.decisions import describe_decision
from tests.mobileapp.conftest import app_state, run, staff_decide, verified_state

pytestmark = pytest.mark.django_db(transaction=True)

CODE = "yw-app-decision-check"
HOUSING_CLERK = "13700000001"
LI = "13800000003"


@pytest.fixture
def scaffolded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings):
    source, _ = render(CODE, "housing", "住房保障局", "房屋修缮补助", "Home repair grant")
    path = tmp_path / "yw_app_decision_check.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("yw_app_decision_check", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(discovery, "_third_party", lambda: [(module.service, str(path))])
    settings.YIWANG_SERVICES = [*discovery.builtin_codes(), CODE]  # from outside the package: off until listed
    discovery.reload()
    yield module.service
    monkeypatch.undo()
    discovery.reload()


def test_a_scaffolded_services_decision_renders_in_the_app(city, scaffolded) -> None:
    state = verified_state(city, LI)
    apply = ApplyController(state.api, CODE)
    run(apply.load())
    apply.values, apply.consent = {"details": "屋顶漏水修缮"}, True
    case = run(apply.submit())
    assert case["status"] == "in_review", case
    assert describe_decision(case).rows == []  # nothing decided yet

    staff_decide(city["url"], HOUSING_CLERK, case["id"], "approve")
    ctrl = CaseController(state.api, case["id"])
    run(ctrl.load())
    assert ctrl.case is not None and ctrl.status == "approved"
    view = describe_decision(ctrl.case, state.language)
    assert view.rows == [("办理结果", "已批准"), ("申请说明", "屋顶漏水修缮")]
    assert ctrl.case["decision"] == {"type": "approval", "details": "屋顶漏水修缮"}

    # The same case read by an English-speaking device: the server renders the rows in English.
    english = app_state(city, language="en")
    run(english.api.login(LI, DEMO_PASSWORD))
    seen = run(english.api.case(case["id"]))
    assert describe_decision(seen, "en").rows == [("Result", "Approved"), ("Details", "屋顶漏水修缮")]
