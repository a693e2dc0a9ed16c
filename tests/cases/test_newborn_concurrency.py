"""新生儿出生一件事 under concurrency, on PostgreSQL through real HTTP against a live server.

* Six newborns of one county and day approved by the clerk at the same moment get six different ID numbers (the
  per-day sequence counter is taken under a row lock in each decision's transaction).
* Both parents (two households: the engine's household lock does not serialize them) enrol the same child, or
  apply for its card, at the same moment: exactly one enrolment, exactly one card; the other is rejected.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from backend.registries.importer import import_registry
from backend.registries.models import BirthCertificate, MedicalInsuranceEnrolment, Resident, SocialSecurityCard
from tests.cases.test_concurrency import _bind, _fire_together, _login
from tests.idnumbers import check_character
from tests.personas import HOUSEHOLD_CLERK, LIU_FANG, WANG_LEI

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-lock behaviour is tested on PostgreSQL"),
]


def _sextuplets(tmp_path) -> list[str]:
    birth = timezone.localdate() - dt.timedelta(days=2)
    liu = Resident.objects.get(name="刘芳")
    numbers = [f"O41012620{i}" for i in range(1, 7)]
    import_registry(
        {
            "birth_certificates": [
                {
                    "certificate_no": number,
                    "child_name": f"王{i}宝",
                    "child_gender": "F",
                    "birth_date": birth.isoformat(),
                    "birth_time": f"10:0{i}",
                    "hospital": "郑州大学第三附属医院",
                    "mother_name": "刘芳",
                    "mother_id_number": liu.id_number,
                    "issued_date": birth.isoformat(),
                }
                for i, number in enumerate(numbers, start=1)
            ]
        },
        tmp_path,
    )
    return numbers


def test_simultaneous_approvals_assign_different_numbers(live_server, tmp_path) -> None:
    call_command("load_demo", "--skip", "cases", stdout=StringIO())
    numbers = _sextuplets(tmp_path)
    mother = _bind(live_server.url, LIU_FANG.phone)
    cases = [
        mother.post(
            "/api/v1/cases",
            json={"service": "newborn-household-registration", "form": {"certificate_no": n}, "consent": True},
        ).json()
        for n in numbers
    ]
    assert {c["status"] for c in cases} == {"in_review"}, cases
    HOUSEHOLD_CLERK.account()
    clerks = [_login(live_server.url, HOUSEHOLD_CLERK.phone) for _ in cases]
    responses = _fire_together(
        [
            lambda c=c, clerk=clerk: clerk.post(f"/api/v1/staff/cases/{c['id']}/decide", json={"action": "approve"})
            for c, clerk in zip(cases, clerks, strict=True)
        ]
    )
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
    children = [BirthCertificate.objects.get(certificate_no=n).child for n in numbers]
    ids = [c.id_number for c in children]
    assert len(set(ids)) == 6
    assert sorted(n[14:17] for n in ids) == ["002", "004", "006", "008", "010", "012"]
    assert all(n[17] == check_character(n[:17]) for n in ids)


def test_both_parents_at_once_enrol_and_order_the_card_once(live_server) -> None:
    call_command("load_demo", "--skip", "cases", stdout=StringIO())
    base = live_server.url
    mother, father = _bind(base, LIU_FANG.phone), _bind(base, WANG_LEI.phone)
    form = {"certificate_no": "O410126001"}
    case = mother.post(
        "/api/v1/cases", json={"service": "newborn-household-registration", "form": form, "consent": True}
    ).json()
    HOUSEHOLD_CLERK.account()
    clerk = _login(base, HOUSEHOLD_CLERK.phone)
    assert clerk.post(f"/api/v1/staff/cases/{case['id']}/decide", json={"action": "approve"}).status_code == 200
    child = BirthCertificate.objects.get(certificate_no="O410126001").child

    for service, code in (
        ("medical-insurance-enrolment", "already_enrolled"),
        ("social-security-card", "card_already_active"),
    ):
        body = {"service": service, "form": form, "consent": True}
        parents = [lambda b=body, p=parent: p.post("/api/v1/cases", json=b) for parent in (mother, father)]
        results = [r.json() for r in _fire_together(parents)]
        statuses = sorted(r["status"] for r in results)
        assert statuses == ["approved", "rejected"], results
        rejected = next(r for r in results if r["status"] == "rejected")
        assert rejected["decision"]["reason_code"] == code
    assert MedicalInsuranceEnrolment.objects.filter(resident=child).count() == 1
    assert SocialSecurityCard.objects.filter(resident=child).count() == 1
