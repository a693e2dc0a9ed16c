"""NotificationsController: the inbox, its unread count, marking read, where a notice leads."""

from __future__ import annotations

import pytest

from mobileapp.controllers.notifications import NotificationsController, case_of
from tests.mobileapp.conftest import run, verified_state
from tests.personas import ZHANG_JIANGUO

pytestmark = pytest.mark.django_db(transaction=True)

ZHANG = ZHANG_JIANGUO.phone


def test_notices_lead_to_their_case_and_are_read_once(city) -> None:
    from backend.accounts.models import User
    from backend.notifications.services import notify

    state = verified_state(city, ZHANG)
    case = run(state.api.create_case("public-rental-housing", {}, consent=True))
    user = User.objects.get(phone="+86" + ZHANG)
    for i in range(21):  # more than a page
        notify(user, "test", f"通知 {i}", target={"type": "appointment", "id": i})
    inbox = NotificationsController(state.api)
    run(inbox.load())
    assert len(inbox.items) == 20 and inbox.list.has_more
    unread = inbox.unread
    assert unread >= 22  # the page carries the count of all unread notices
    run(inbox.load_more())
    about_case = next(n for n in inbox.items if n["target"].get("type") == "case")
    assert case_of(about_case) == case["id"]
    assert case_of(inbox.items[0]) is None  # an appointment notice opens nothing

    run(inbox.mark_read(about_case))
    run(inbox.mark_read(about_case))  # a second tap changes nothing
    assert about_case["read"] and inbox.unread == unread - 1
    assert run(state.refresh_unread()) == unread - 1
    run(inbox.mark_all_read())
    assert inbox.unread == 0 == run(state.refresh_unread())
