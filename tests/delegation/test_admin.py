"""The delegation admin: masked mandates and uses (read-only), and the clerk's confirmation of a relation outside
the household, which only staff holding ``delegation.confirm_relation`` may add."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from backend.accounts.models import User
from backend.delegation.models import ConfirmedRelation, Mandate, MandateUse

pytestmark = pytest.mark.django_db

HOUSING_CLERK = "13700000001"
ZHANG, LI_NA, LI_ZHIQIANG = "13800000001", "13800000002", "13800000003"


def admin_client(username: str) -> Client:
    from backend.demo.city import DEMO_PASSWORD

    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def grant(phone: str, *codenames: str) -> None:
    user = User.objects.get(phone="+86" + phone)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="delegation", codename__in=codenames))


def confirm(client: Client, principal: str, delegate: str, **extra: str):
    return client.post(
        "/admin/delegation/confirmedrelation/add/",
        {"principal_phone": principal, "delegate_phone": delegate, "kinship": "兄妹", "evidence": "户口簿原件"} | extra,
    )


def test_a_clerk_with_the_permission_confirms_a_relative_outside_the_household(resident) -> None:
    li_na, li_zhiqiang = resident(LI_NA), resident(LI_ZHIQIANG)
    refused = li_na.client.post("/api/v1/delegations", {"phone": LI_ZHIQIANG}, format="json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "no_relation"

    clerk = admin_client(HOUSING_CLERK)
    assert confirm(clerk, LI_NA, LI_ZHIQIANG).status_code == 403  # no permission: no relation confirmed
    assert not ConfirmedRelation.objects.exists()

    grant(HOUSING_CLERK, "confirm_relation", "view_confirmedrelation")
    assert clerk.get("/admin/delegation/confirmedrelation/add/").status_code == 200
    bad = confirm(clerk, LI_NA, "13999999999")
    assert bad.status_code == 200 and "没有该手机号的实名用户" in bad.content.decode()
    assert confirm(clerk, LI_NA, LI_ZHIQIANG, evidence="").status_code == 200  # evidence is required
    assert not ConfirmedRelation.objects.exists()
    done = confirm(clerk, LI_NA, LI_ZHIQIANG)
    assert done.status_code == 302, done.content.decode()[:2000]
    relation = ConfirmedRelation.objects.get()
    assert relation.confirmed_by.phone == "+86" + HOUSING_CLERK and relation.kinship == "兄妹"
    listing = clerk.get("/admin/delegation/confirmedrelation/").content.decode()
    assert "李*" in listing and "李娜" not in listing and LI_NA not in listing

    invited = li_na.client.post("/api/v1/delegations", {"phone": LI_ZHIQIANG}, format="json")
    assert invited.status_code == 201 and invited.json()["relation"] == "clerk_confirmed"
    # only that direction: he cannot invite her on the strength of it
    assert li_zhiqiang.client.post("/api/v1/delegations", {"phone": LI_NA}, format="json").status_code == 403


def test_mandates_and_their_uses_are_masked_and_read_only(resident) -> None:
    li_na, zhang = resident(LI_NA), resident(ZHANG)
    mandate = li_na.client.post("/api/v1/delegations", {"phone": ZHANG}, format="json").json()
    MandateUse.objects.create(
        mandate_id=mandate["id"], method="POST", path="/api/v1/cases", action="cases", status_code=201
    )
    superuser = admin_client("admin")
    listing = superuser.get("/admin/delegation/mandate/").content.decode()
    assert "李*" in listing and "138****0002" in listing and "李娜" not in listing and "13800000002" not in listing
    found = superuser.get("/admin/delegation/mandate/", {"q": "138 0000 0002"}).content.decode()
    assert f"/admin/delegation/mandate/{mandate['id']}/change/" in found
    assert (
        f"/admin/delegation/mandate/{mandate['id']}/change/"
        not in superuser.get("/admin/delegation/mandate/", {"q": LI_ZHIQIANG}).content.decode()
    )
    page = superuser.get(f"/admin/delegation/mandate/{mandate['id']}/change/").content.decode()
    assert "/api/v1/cases" in page and "张建国" not in page and "13800000001" not in page
    assert superuser.get("/admin/delegation/mandate/add/").status_code == 403
    assert superuser.post(f"/admin/delegation/mandate/{mandate['id']}/delete/", {"post": "yes"}).status_code == 403
    assert superuser.get("/admin/delegation/mandateuse/").status_code == 200
    assert superuser.get("/admin/delegation/mandateuse/add/").status_code == 403
    assert Mandate.objects.count() == 1 and zhang.client.get("/api/v1/delegations").status_code == 200
