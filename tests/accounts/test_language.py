"""The resident's language for pushes: set with PATCH /api/v1/me, used by the push backend (the inbox follows each
request's Accept-Language instead)."""

from __future__ import annotations

import logging

import pytest
from django.db import transaction

from backend.accounts.models import Role, User
from backend.core.i18n import pick
from backend.notifications.services import notify_translated
from tests.factories import login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("sent", "stored"), [("en", "en"), ("EN-us", "en"), ("zh-CN", "zh-hans"), ("zh-hans", "zh-hans")]
)
def test_the_language_is_set_and_shown(resident, sent: str, stored: str) -> None:
    client = login(resident["phone"])
    response = client.patch("/api/v1/me", {"language": sent}, format="json")
    assert response.status_code == 200 and response.json()["language"] == stored
    assert client.get("/api/v1/me").json()["language"] == stored
    assert User.objects.get(phone="+86" + resident["phone"]).language == stored


@pytest.mark.parametrize("body", [{"language": "fr"}, {"language": ""}, {}, {"language": ["en"]}])
def test_a_bad_language_is_400_and_changes_nothing(resident, body: dict) -> None:
    client = login(resident["phone"])
    response = client.patch("/api/v1/me", body, format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "validation_error"
    assert "language" in response.json()["error"]["fields"]
    assert User.objects.get(phone="+86" + resident["phone"]).language == "zh-hans"


def test_nothing_else_can_be_changed_here(resident) -> None:
    client = login(resident["phone"])
    body = {"language": "en", "role": Role.SUPERVISOR, "phone": "+8613999999999", "is_staff": True, "id": 1}
    assert client.patch("/api/v1/me", body, format="json").status_code == 200
    user = User.objects.get(phone="+86" + resident["phone"])
    assert (user.role, user.is_staff, user.language) == (Role.RESIDENT, False, "en")


def test_anonymous_is_401(api) -> None:
    assert api.patch("/api/v1/me", {"language": "en"}, format="json").status_code == 401


@pytest.mark.django_db(transaction=True)
def test_pushes_are_written_in_the_users_language(resident, caplog) -> None:
    user = User.objects.get(phone="+86" + resident["phone"])

    def message() -> tuple[str, str]:
        return pick("办件已受理", "Case accepted"), pick("正文", "Body")

    with caplog.at_level(logging.INFO, logger="yiwang.push"):
        with transaction.atomic():
            notify_translated(user, "test.zh", message)
        user.language = "en"
        user.save(update_fields=["language"])
        with transaction.atomic():
            notify_translated(user, "test.en", message)
    pushed = [r.getMessage() for r in caplog.records if r.name == "yiwang.push"]
    assert pushed == [f"push to user {user.pk}: 办件已受理", f"push to user {user.pk}: Case accepted"], pushed
