"""The app's session (mobileapp/session.py) against the live backend: token and settings on the device, the
language of pushes, the unread count of the tab badge."""

from __future__ import annotations

import pytest

from mobileapp.session import TOKEN_KEY, MemoryStorage
from tests.mobileapp.conftest import app_state, run
from tests.personas import DEMO_PASSWORD, ZHANG_JIANGUO

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = DEMO_PASSWORD
ZHANG = ZHANG_JIANGUO.phone


def test_session_settings_persist_and_a_stale_token_is_dropped(city) -> None:
    storage = MemoryStorage()
    state = app_state(city, storage)
    profile = run(state.login(ZHANG, PASSWORD))
    assert state.logged_in and profile["phone"] == "138****0001"
    assert storage.data[TOKEN_KEY] == state.api.token
    run(state.set_language("en"))
    run(state.set_elder_mode(True))

    again = app_state(city, storage)  # the app opened again on the same device
    run(again.restore())
    assert again.logged_in and again.language == "en" and again.elder_mode is True
    assert again.t("tab.home") == "Home"

    run(again.logout())
    assert TOKEN_KEY not in storage.data and not again.logged_in
    stale = MemoryStorage()
    stale.data[TOKEN_KEY] = "not-a-real-token"
    third = app_state(city, stale)
    run(third.restore())
    assert not third.logged_in and TOKEN_KEY not in stale.data


def test_the_apps_language_is_the_language_of_its_pushes(city) -> None:
    """Pushes are read outside the app: switching the app's language tells the server, and so does a login from
    an app already set to English."""
    from backend.accounts.models import User

    state = app_state(city)
    run(state.login(ZHANG, PASSWORD))
    user = User.objects.get(phone="+86" + ZHANG)
    assert user.language == "zh-hans"
    run(state.set_language("en"))
    user.refresh_from_db()
    assert user.language == "en" and state.profile["language"] == "en"
    run(state.set_language("zh-CN"))
    user.refresh_from_db()
    assert user.language == "zh-hans"

    english = app_state(city, language="en")
    run(english.login(ZHANG, PASSWORD))
    user.refresh_from_db()
    assert user.language == "en"


def test_the_unread_count_is_all_unread_notices(city) -> None:
    """The badge counts every unread notice of the resident, also beyond the first page."""
    from backend.accounts.models import User
    from backend.notifications.services import notify

    state = app_state(city)
    run(state.login(ZHANG, PASSWORD))
    user = User.objects.get(phone="+86" + ZHANG)
    before = run(state.refresh_unread())
    for i in range(23):
        notify(user, "test", f"通知 {i}")
    assert run(state.refresh_unread()) == before + 23 == state.unread
    run(state.api.mark_all_read())
    assert run(state.refresh_unread()) == 0
