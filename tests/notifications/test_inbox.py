import pytest
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.notifications.models import Notification
from backend.notifications.services import notify

pytestmark = pytest.mark.django_db(transaction=True)  # on_commit push runs


def test_inbox_lists_own_notices_and_marks_read(resident, resident_client: APIClient) -> None:
    user = User.objects.get(phone="+86" + resident["phone"])
    first = notify(user, "case.approved", "您的申请已通过", target={"type": "case", "id": 1})
    notify(user, "case.in_review", "您的申请已受理")
    body = resident_client.get("/api/v1/notifications").json()
    assert body["count"] == 2 and body["unread"] == 2
    assert body["results"][0]["title"] == "您的申请已受理"
    response = resident_client.post(f"/api/v1/notifications/{first.pk}/read")
    assert response.status_code == 200 and response.json()["read"] is True
    assert resident_client.get("/api/v1/notifications").json()["unread"] == 1
    assert resident_client.get("/api/v1/notifications?unread=true").json()["count"] == 1
    assert resident_client.post("/api/v1/notifications/read-all").json() == {"updated": 1}


def test_another_users_notice_is_404(wang_fang, resident) -> None:
    owner = User.objects.get(phone="+86" + resident["phone"])
    notice = notify(owner, "case.approved", "x")
    other = wang_fang
    response = other.post(f"/api/v1/notifications/{notice.pk}/read")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert Notification.objects.get(pk=notice.pk).read_at is None
