"""Journey (亲情代办): 李德福, born 1948, lets 李志强 act for him (a relative from another household whose relation a
clerk confirmed at the counter). In his own app 李志强 accepts with his own face, switches to acting for 李德福 (every
screen then says so), applies in 李德福's name for the provident fund withdrawal with his own face check, and sees
the decision. 李德福's own list shows the case, and he was told of what was done for him."""

from __future__ import annotations

import pytest

from backend.accounts.models import User
from backend.delegation.models import ConfirmedRelation
from tests.mobileapp.e2e.conftest import log_in, wait_for
from tests.mobileapp.flet_browser import FletPage
from tests.personas import HOUSING_CLERK, LI_DEFU, LI_ZHIQIANG, PHOTOS

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PFW = "provident-fund-withdrawal"


def test_a_delegate_applies_for_an_elder(ui: FletPage, me) -> None:
    elder, son = me(LI_DEFU), me(LI_ZHIQIANG)
    elder.bind_real_name()
    son.bind_real_name()
    son.enrol("biden_2.jpg")
    # at the counter a clerk saw both ID cards and the birth certificate (admin: 窗口确认的亲属关系)
    ConfirmedRelation.objects.create(
        principal=User.objects.get(phone="+86" + str(LI_DEFU.phone)),
        delegate=User.objects.get(phone="+86" + str(LI_ZHIQIANG.phone)),
        kinship="子女",
        evidence="户口簿、出生证明",
        confirmed_by=HOUSING_CLERK.account(),
    )
    invited = elder.post("/api/v1/delegations", json={"phone": str(LI_ZHIQIANG.phone)})
    assert invited["status"] == "invited"

    # the son, in his own app: 我的 → 亲情代办, accept with his own face
    log_in(ui, LI_ZHIQIANG)
    assert not ui.has("acting_banner")
    ui.click("tab_me")
    ui.click("me_delegation")
    ui.wait(f"mandate_{invited['id']}")
    ui.shot("50-delegation-invited")
    ui.upload(f"delegation_accept_{invited['id']}", PHOTOS / "biden_1.jpg")
    ui.wait_text("screen_notice", "已接受", timeout=60)
    ui.click(f"delegation_act_{invited['id']}")
    ui.wait("acting_banner")
    ui.wait_text("acting_banner", "正在为 李*福 代办")
    ui.shot("51-acting-for")

    # every screen says it; he applies in his father's name, with his own face
    ui.click("nav_back")
    ui.wait_text("acting_banner", "正在为 李*福 代办")
    ui.click("tab_services")
    ui.wait_text("acting_banner", "正在为 李*福 代办")
    ui.click(f"service_{PFW}")
    ui.click("service_apply")
    ui.wait("acting_banner")
    ui.click("form_reason_rent")
    ui.fill("form_amount", "300.00")
    ui.click("consent_checkbox")
    ui.click("apply_submit")
    ui.wait("face_step_check")
    ui.wait("acting_banner")
    ui.shot("52-acting-face-check")
    ui.upload("face_capture", PHOTOS / "biden_1.jpg")
    # 李德福's account was closed when he retired: the decision says so, in his name
    ui.wait_text("case_status", "未能通过", timeout=90)
    ui.shot("53-acting-decision")

    cases = elder.cases()
    assert (
        len(cases) == 1 and cases[0]["service"] == PFW and cases[0]["decision"]["reason_code"] == "account_not_active"
    )
    timeline = elder.get(f"/api/v1/cases/{cases[0]['id']}")["timeline"]
    assert timeline[0]["actor"] == "代办人 李*强"
    assert son.cases() == []  # not his case: his own list stays his
    notices = elder.get("/api/v1/notifications")["results"]
    used = [n for n in notices if n["kind"] == "delegation.used"]
    assert any(cases[0]["reference_no"] in n["body"] and "李志强代您提交了办件申请" in n["body"] for n in used)
    assert any("完成了办件的刷脸核验" in n["body"] for n in used)

    # the case is in "my cases" while acting; one tap back to himself
    ui.click("view_case")
    ui.wait("acting_banner")
    ui.click("acting_back")
    wait_for(lambda: not ui.has("acting_banner"))
    ui.wait_text("screen_notice", "已切换回本人办理")
