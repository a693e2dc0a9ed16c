"""DelegationController against the live backend: 李娜 invites her husband 张建国, he accepts with his own face,
switches to acting for her and applies; the inbox still works while acting; a refusal is shown, not raised."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.cases.models import Case
from mobileapp import api
from mobileapp.controllers.delegation import DelegationController
from tests.mobileapp.conftest import run
from tests.mobileapp.shapes import assert_shape

pytestmark = pytest.mark.django_db(transaction=True)

PHOTOS = Path(__file__).resolve().parents[3] / "fixtures" / "photos"
ZHANG, LI_NA, LI_ZHIQIANG = "13800000001", "13800000002", "13800000003"


def photo(name: str) -> bytes:
    return (PHOTOS / name).read_bytes()


def test_invite_accept_with_face_and_act_for(new_client) -> None:
    li_na = DelegationController(new_client(LI_NA, verify=True))
    zhang_client = new_client(ZHANG, verify=True)
    zhang = DelegationController(zhang_client)
    new_client(LI_ZHIQIANG, verify=True)

    assert run(li_na.invite(LI_ZHIQIANG)) is None and li_na.error is not None
    assert li_na.error.code == "no_relation" and li_na.error.message  # shown as the server words it

    invited = run(li_na.invite("138 0000 0001"))
    assert invited is not None and invited["status"] == "invited"
    assert_shape(invited, api.Mandate)
    run(zhang.load())
    assert_shape(zhang.mandates, api.MandateList)
    assert [m["id"] for m in zhang.invitations] == [invited["id"]]

    run(zhang_client.face_enrol(photo("obama_2.jpg"), "obama_2.jpg"))
    assert run(zhang.accept(invited["id"], photo("biden_2.jpg"), "biden_2.jpg")) is None  # not his face
    accepted = run(zhang.accept(invited["id"], photo("obama_3.jpg"), "obama_3.jpg"))
    assert accepted is not None and accepted["status"] == "active" and zhang.invitations == []

    assert zhang.act_for(invited["id"]) is not None and zhang.acting is not None
    case = run(zhang_client.create_case("public-rental-housing", {}, consent=True))
    stored = Case.objects.get(pk=case["id"])
    assert stored.applicant.phone == "+86" + LI_NA and stored.submitted_by.phone == "+86" + ZHANG
    assert [c["id"] for c in run(zhang_client.cases())["results"]] == [case["id"]]
    run(zhang_client.notifications())  # not an acting endpoint: the header is not sent, so no not_while_acting
    assert run(zhang_client.me())["phone"].endswith("0001")

    zhang.act_for(None)
    assert run(zhang_client.cases())["results"] == []
    ended = run(li_na.end(invited["id"]))
    assert ended["status"] == "ended"
    run(zhang.load())
    with pytest.raises(ValueError):
        zhang.act_for(invited["id"])
