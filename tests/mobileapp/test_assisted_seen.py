"""帮办代办 seen by the resident in the drawn app (issue 14 item 2; a real Flet page without a browser against the
live backend): the case a counter clerk filed for 张建国 is in his own list, its timeline says 工作人员帮办 and names
the counter, his notices tell him, and his data-access screen shows the clerk as the reader."""

from __future__ import annotations

import pytest

from backend.accounts import sms
from tests import personas
from tests.assisted.test_assisted_api import RENT, WITHDRAWAL, confirm, opened, send_code
from tests.mobileapp.conftest import run
from tests.mobileapp.test_acting_for import ZHANG, app_for, texts

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_case_filed_at_the_counter_is_in_the_residents_own_app(city) -> None:
    app = app_for(city, ZHANG)
    counter = personas.PROVIDENT_FUND_CLERK.login()  # the staff API, as the counter screen in the admin calls it
    session = opened(counter, personas.ZHANG_JIANGUO.record())
    filled = counter.post(
        f"/api/v1/staff/assisted-sessions/{session['id']}/application",
        {"service": WITHDRAWAL, "form": RENT, "consent": True},
        format="json",
    )
    assert filled.status_code == 200, filled.content
    sms.outbox.clear()
    done = confirm(counter, session, code=send_code(counter, session))
    assert done.status_code == 200, done.content
    case = done.json()["case"]

    run(app.reset("cases"))
    assert any(case["reference_no"] in t for t in texts(app)), texts(app)

    run(app.reset("case", case_id=case["id"]))
    shown = " ".join(texts(app))
    assert "工作人员帮办：提交申请" in shown and "公积金" in shown, shown

    run(app.reset("data_access"))
    shown = " ".join(texts(app))
    assert "工作人员帮办" in shown and "读取方：住房公积金管理中心 公积金中心窗口" in shown, shown

    run(app.reset("notifications"))
    assert any("帮办" in t or "窗口" in t for t in texts(app)), texts(app)
