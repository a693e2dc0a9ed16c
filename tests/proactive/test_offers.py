"""免申即享 end to end: a registry import makes offers, the resident sees why and confirms through the API, the
case is decided at once and paid once; scans are idempotent and incremental."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from backend.cases.models import Case, Payout, Status
from backend.notifications.models import Notification
from backend.proactive.models import Offer, OfferStatus, ScanRun
from backend.proactive.scan import scan_all
from backend.registries.models import DataAccessLog, Resident

pytestmark = pytest.mark.django_db

DEED, SENIOR = "deed-tax-subsidy", "senior-allowance"


def _import_file(registry_dir: Path, data: dict[str, Any]) -> str:
    path = registry_dir / "registry.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = StringIO()
    call_command("import_registry", str(path), stdout=out)
    return out.getvalue()


def _offers(client) -> list[dict[str, Any]]:
    response = client.get("/api/v1/me/offers")
    assert response.status_code == 200, response.content
    return response.json()["results"] if isinstance(response.json(), dict) else response.json()


def _resident(record: dict[str, Any]) -> Resident:
    return Resident.objects.with_id_number(record["id_number"]).get()


def test_an_import_makes_offers_for_those_who_qualify_and_nobody_else(
    registry_dir, registry, people, import_data, act
) -> None:
    import_data({"residents": [people["elder"]]})  # already in the registry, and bound to the app
    act(people["elder"])
    out = _import_file(registry_dir, registry)
    assert "proactive full scan senior-allowance: 2 evaluated, 2 offered" in out
    assert "proactive full scan deed-tax-subsidy: 1 evaluated, 1 offered" in out
    offers = {(o.resident.name, o.service_code) for o in Offer.objects.select_related("resident")}
    assert offers == {("𠮷龘秀", SENIOR), ("李寿山", SENIOR), ("阿依古丽·买买提", DEED)}
    # the child and the 79-year-old were never even read: the prefilter is SQL, and reads are logged per person
    for who in ("child", "almost"):
        assert not DataAccessLog.objects.filter(subject=_resident(people[who])).exists()
    # the elder bound to an account is told; the others' offers wait for them to bind one (an unbound account is
    # not told anything about a person it has not proven to be)
    elder = _resident(people["elder"])
    notices = Notification.objects.filter(user=elder.account, kind="offer.made")
    assert notices.count() == 1 and notices.get().target["type"] == "offer"
    assert "高龄津贴" in notices.get().title and "Senior allowance" in notices.get().title_en


def test_the_resident_sees_why_and_which_data_then_confirms_and_is_paid_once(
    registry_dir, registry, people, act, today
) -> None:
    _import_file(registry_dir, registry)
    elder = act(people["elder"])
    [offer] = _offers(elder.client)
    assert offer["service"] == SENIOR and offer["status"] == "offered" and offer["requires_face"] is False
    assert offer["proposal"] == {"monthly_amount": "100.00", "months": 12}
    assert [(r["code"], r["passed"]) for r in offer["rule_trace"]] == [
        ("under_age", True),
        ("duplicate_application", True),
    ]
    assert offer["rule_trace"][0]["values"]["age"] == 80
    assert offer["data_used"] == [
        {
            "department": "公安局",
            "department_code": "public_security",
            "items": ["household.identity"],
            "item_labels": ["户籍身份信息"],
        }
    ]
    detail = elder.client.get(f"/api/v1/me/offers/{offer['id']}", HTTP_ACCEPT_LANGUAGE="en")
    assert detail.status_code == 200 and detail.json()["service_name"] == "Senior allowance"
    assert detail.json()["rule_trace"][0]["label"] == "Aged 80 or over"

    # the scan's reads are in the resident's access log, marked as a proactive scan
    log = elder.client.get("/api/v1/me/data-access").json()
    rows = log["results"] if isinstance(log, dict) else log
    scans = [row for row in rows if row["proactive_scan"]]
    assert scans and scans[0]["purpose"] == "免申即享筛查 高龄津贴" and scans[0]["actor_type"] == "system"

    confirmed = elder.client.post(f"/api/v1/me/offers/{offer['id']}/confirm")
    assert confirmed.status_code == 201, confirmed.content
    case = confirmed.json()["case"]
    assert case["status"] == "approved" and case["service"] == SENIOR
    assert case["decision"]["type"] == "subsidy" and case["decision"]["monthly_amount"] == "100.00"
    assert confirmed.json()["offer"]["status"] == "confirmed"
    assert confirmed.json()["offer"]["case"]["reference_no"] == case["reference_no"]

    again = elder.client.post(f"/api/v1/me/offers/{offer['id']}/confirm")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json()["case"]["id"] == case["id"]
    assert Case.objects.filter(service_code=SENIOR, resident=_resident(people["elder"])).count() == 1

    # a scan now offers the elder nothing new (the allowance is granted; the period "once" is settled)
    results = {r.service_code: r for r in scan_all()}
    assert results[SENIOR].offered == 0
    assert elder.client.post(f"/api/v1/me/offers/{offer['id']}/decline").json()["error"]["code"] == "offer_confirmed"


def test_the_deed_tax_offer_is_confirmed_with_a_face_check_and_paid_once(registry_dir, registry, people, act) -> None:
    _import_file(registry_dir, registry)
    buyer = act(people["buyer"])
    buyer.enrol("biden_1.jpg")  # matched against the registry photo
    [offer] = _offers(buyer.client)
    assert offer["service"] == DEED and offer["requires_face"] is True
    assert offer["proposal"] == {"amount": "6900.00"}
    # what the scan read: the rules need the homes only (the bank card is read when the confirmed case pays)
    assert [d["items"] for d in offer["data_used"]] == [["property.owned"]]
    confirmed = buyer.client.post(f"/api/v1/me/offers/{offer['id']}/confirm")
    assert confirmed.status_code == 201, confirmed.content
    case = confirmed.json()["case"]
    assert case["status"] == "pending_face"
    assert not Payout.objects.exists()  # nothing is paid before the identity check
    assert buyer.client.post(f"/api/v1/me/offers/{offer['id']}/confirm").json()["case"]["id"] == case["id"]
    decided = buyer.face_check(case, "biden_2.jpg")
    assert decided["status"] == "approved" and decided["decision"]["amount"] == "6900.00"
    assert Payout.objects.filter(case_id=case["id"]).count() == 1 and Payout.objects.count() == 1
    assert buyer.client.post(f"/api/v1/me/offers/{offer['id']}/confirm").json()["case"]["status"] == "approved"
    assert Payout.objects.count() == 1


def test_a_second_scan_offers_nothing_new_and_an_incremental_one_reads_only_the_changed_resident(
    registry_dir, registry, people, import_data
) -> None:
    _import_file(registry_dir, registry)
    logs = DataAccessLog.objects.count()
    results = scan_all()
    assert [(r.evaluated, r.offered) for r in results] == [(0, 0), (0, 0)]  # nothing changed: nobody read
    assert DataAccessLog.objects.count() == logs
    assert all(r.offered == 0 for r in scan_all(full=True)) and Offer.objects.count() == 3  # full: reads all
    logs = DataAccessLog.objects.count()

    # one resident's registry row changes (a new address): the next scan evaluates that resident only
    nonagenarian = {**people["nonagenarian"], "address": "郑州市金水区经三路66号"}
    import_data({"residents": [nonagenarian]})
    results = {r.service_code: r for r in scan_all()}
    assert (results[SENIOR].evaluated, results[SENIOR].offered) == (1, 0)
    assert results[DEED].evaluated == 0
    new_logs = DataAccessLog.objects.order_by("-pk")[: DataAccessLog.objects.count() - logs]
    assert {log.subject.name for log in new_logs} == {"李寿山"}


def test_an_elder_turning_80_is_offered_the_next_day_without_any_registry_change(
    registry_dir, registry, people, today
) -> None:
    _import_file(registry_dir, registry)
    almost = _resident(people["almost"])
    assert not Offer.objects.filter(resident=almost).exists()
    results = {r.service_code: r for r in scan_all(today=today + dt.timedelta(days=1))}
    assert (results[SENIOR].evaluated, results[SENIOR].offered) == (1, 1)
    offer = Offer.objects.get(resident=almost)
    assert offer.service_code == SENIOR and offer.rule_trace[0]["values"]["age"] == 80


def test_declining_is_remembered_and_a_resident_who_no_longer_qualifies_gets_the_normal_rejection(
    registry_dir, registry, people, act, import_data
) -> None:
    _import_file(registry_dir, registry)
    elder = act(people["elder"])
    [offer] = _offers(elder.client)
    declined = elder.client.post(f"/api/v1/me/offers/{offer['id']}/decline")
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert elder.client.post(f"/api/v1/me/offers/{offer['id']}/decline").status_code == 200  # idempotent
    refused = elder.client.post(f"/api/v1/me/offers/{offer['id']}/confirm")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "offer_declined"
    english = elder.client.post(f"/api/v1/me/offers/{offer['id']}/confirm", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["error"]["message"] == "You declined this offer."
    shown = elder.client.get(f"/api/v1/me/offers/{offer['id']}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert (shown["status"], shown["status_label"]) == ("declined", "Declined")
    scan_all(full=True)
    assert Offer.objects.filter(resident=_resident(people["elder"])).count() == 1  # never offered again
    assert not Case.objects.exists()

    # the buyer's home turns out not to be a first home (the registry corrected it) before they confirm
    buyer = act(people["buyer"])
    buyer.enrol("biden_1.jpg")
    [deed] = _offers(buyer.client)
    corrected = {**registry["properties"][0], "first_home": False}
    import_data({"properties": [corrected]})  # the plain import: no scan has seen it yet
    case = buyer.client.post(f"/api/v1/me/offers/{deed['id']}/confirm").json()["case"]
    decided = buyer.face_check(case, "biden_2.jpg")
    assert decided["status"] == "rejected" and decided["decision"]["reason_code"] == "no_eligible_property"
    assert not Payout.objects.exists()


def test_an_offer_whose_resident_no_longer_qualifies_expires(registry_dir, registry, people, act) -> None:
    _import_file(registry_dir, registry)
    buyer = act(people["buyer"])
    [deed] = _offers(buyer.client)
    _import_file(registry_dir, {"properties": [{**registry["properties"][0], "deed_tax_paid": "0.00"}]})
    assert Offer.objects.get(pk=deed["id"]).status == OfferStatus.EXPIRED
    assert ScanRun.objects.filter(service_code=DEED, expired=1).exists()
    refused = buyer.client.post(f"/api/v1/me/offers/{deed['id']}/confirm")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "offer_expired"
    assert not Case.objects.exists()
    assert [o["status"] for o in _offers(buyer.client)] == ["expired"]


def test_bad_requests_get_a_clear_error_and_change_nothing(registry_dir, registry, people, act, wang_fang) -> None:
    _import_file(registry_dir, registry)
    elder = act(people["elder"])
    [offer] = _offers(elder.client)
    buyer = act(people["buyer"])
    others = buyer.client.post(f"/api/v1/me/offers/{offer['id']}/confirm")
    assert others.status_code == 404 and others.json()["error"]["code"] == "offer_not_found"
    assert buyer.client.get(f"/api/v1/me/offers/{offer['id']}").status_code == 404
    assert buyer.client.post(f"/api/v1/me/offers/{offer['id']}/decline").status_code == 404
    missing = elder.client.get("/api/v1/me/offers/999999")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "offer_not_found"
    assert elder.client.get("/api/v1/me/offers/abc").status_code == 404
    bad = elder.client.get("/api/v1/me/offers?status=paid")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "validation_error"
    assert [o["id"] for o in elder.client.get("/api/v1/me/offers?status=offered").json()["results"]] == [offer["id"]]
    unbound = wang_fang.get("/api/v1/me/offers")  # logged in, real name not bound
    assert unbound.status_code == 403 and unbound.json()["error"]["code"] == "real_name_required"
    # an id is answered before anything about the caller: 404, as for a missing one
    for path in ("", "/confirm", "/decline"):
        call = wang_fang.get if not path else wang_fang.post
        assert call(f"/api/v1/me/offers/{offer['id']}{path}").json()["error"]["code"] == "offer_not_found"
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/me/offers").status_code == 401
    assert APIClient().post(f"/api/v1/me/offers/{offer['id']}/confirm").status_code == 401
    assert Offer.objects.get(pk=offer["id"]).status == OfferStatus.OFFERED and not Case.objects.exists()
    assert Case.objects.filter(status=Status.APPROVED).count() == 0


def test_a_family_member_confirms_the_allowance_for_the_elder(import_data, people, act, registry_dir) -> None:
    """亲情代办: the elder's son, of her household, accepted with his own face, confirms for her; she is told."""
    from tests.factories import resident_record

    son = resident_record(
        "𠮷大山", dt.date(1972, 3, 3), 631, household_id="HH-P-1", phone="16600000631", photo="photos/obama_1.jpg"
    )
    import_data({"residents": [people["elder"], son]})
    scan_all()
    elder, delegate = act(people["elder"]), act(son)
    delegate.enrol("obama_2.jpg")
    invited = elder.client.post("/api/v1/delegations", {"phone": son["phone"], "scope": [SENIOR]}, format="json")
    assert invited.status_code == 201 and invited.json()["scope"] == [SENIOR], invited.content
    challenge = delegate.client.post(
        "/api/v1/face/challenges", {"purpose": "delegation", "mandate": invited.json()["id"]}, format="json"
    ).json()["challenge_id"]
    from tests.personas import PHOTOS

    with open(PHOTOS / "obama_3.jpg", "rb") as image:
        assert delegate.client.post(
            "/api/v1/face/verify", {"challenge_id": challenge, "image": image}, format="multipart"
        ).json()["verified"]
    accepted = delegate.client.post(
        f"/api/v1/delegations/{invited.json()['id']}/accept", {"face_token": challenge}, format="json"
    )
    assert accepted.status_code == 200, accepted.content
    header = {"HTTP_X_ACTING_FOR": str(accepted.json()["id"])}

    assert delegate.client.get("/api/v1/me/offers").json()["results"] == []  # his own: none
    [offer] = delegate.client.get("/api/v1/me/offers", **header).json()["results"]
    confirmed = delegate.client.post(f"/api/v1/me/offers/{offer['id']}/confirm", **header)
    assert confirmed.status_code == 201, confirmed.content
    case = Case.objects.get(pk=confirmed.json()["case"]["id"])
    assert case.status == Status.APPROVED and case.resident == _resident(people["elder"])
    assert case.submitted_by is not None and case.submitted_by.phone == "+86" + son["phone"]
    told = Notification.objects.filter(user=case.applicant, kind="delegation.used")
    assert any("确认领取了免申即享服务" in n.body for n in told)
