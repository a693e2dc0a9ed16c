"""Journey: 张建国 installs the app, logs in, keeps his session across a reload and a new tab, binds his real name
from the profile, and the home screen then lists the services he qualifies for."""

from __future__ import annotations

import pytest

from tests.mobileapp.e2e.conftest import log_in
from tests.mobileapp.flet_browser import FletPage
from tests.personas import ZHANG_JIANGUO

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_resident_logs_in_binds_their_real_name_and_sees_their_services(ui: FletPage, app) -> None:
    record = ZHANG_JIANGUO.record()
    ui.shot("01-login")
    log_in(ui, ZHANG_JIANGUO)
    ui.shot("02-home-before-real-name")

    # the session survives a reload, and a new tab (a new app session) restores it from the device's storage
    ui.open(app.url)
    ui.wait("quick_cases", timeout=60_000)
    second = FletPage(ui.page.context.new_page())
    second.open(app.url)
    second.wait("quick_cases", timeout=60_000)
    assert not second.has("login_phone")
    second.page.close()

    # real-name binding from the profile
    ui.click("tab_me")
    ui.click("me_realname")
    ui.fill("realname_name", record["name"])
    ui.fill("realname_id_number", record["id_number"])
    ui.shot("03-real-name")
    ui.click("realname_submit")
    ui.wait("realname_ok")
    ui.click("nav_back")
    ui.wait("me_face")
    ui.shot("04-profile")

    # home now lists services the resident qualifies for
    ui.click("tab_home")
    ui.wait("service_provident-fund-withdrawal")
    ui.shot("05-home")
