"""The case page in the admin shows the result as display rows (issue 13): the same ``decision_rows`` the resident's
app shows, from the module's typed outcomes, so a clerk reads any module's result in words, a new module's too; the
stored decision stays below as data."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.test import Client

from backend.cases.models import Case
from backend.demo.city import DEMO_PASSWORD
from tests.personas import ZHANG_JIANGUO

pytestmark = pytest.mark.django_db

HOUSING = "13700000001"
RENTAL = "public-rental-housing"


def clerk() -> Client:
    client = Client()
    assert client.login(username=HOUSING, password=DEMO_PASSWORD)
    return client


def section(html: str, title: str) -> list[tuple[str, str]]:
    """The (header, cell) rows of the table under the section titled ``title``."""
    match = re.search(rf'<h2 class="yw-section">{re.escape(title)}</h2>\s*<table[^>]*>(.*?)</table>', html, re.S)
    if match is None:
        return []
    return [
        (unescape(th).strip(), unescape(td).strip())
        for th, td in re.findall(r"<tr><th>(.*?)</th><td>(.*?)</td></tr>", match.group(1), re.S)
    ]


def approved_rental(resident) -> tuple[dict[str, Any], Client]:
    case = resident(ZHANG_JIANGUO.phone).apply(RENTAL)
    client = clerk()
    decided = client.post(f"/admin/cases/case/{case['id']}/decide/", {"action": "approve"}, follow=True)
    assert decided.status_code == 200
    assert Case.objects.get(pk=case["id"]).status == "approved"
    return case, client


def test_the_case_page_shows_the_decision_rows_the_resident_sees(resident) -> None:
    case, client = approved_rental(resident)
    zhang = resident(ZHANG_JIANGUO.phone)
    seen_by_resident = [(r["label"], r["value"]) for r in zhang.case(case["id"])["decision_rows"]]
    assert seen_by_resident  # a waitlist number, in words

    page = client.get(f"/admin/cases/case/{case['id']}/change/").content.decode()
    assert section(page, "办理结果 Decision") == seen_by_resident
    # the stored decision as data is still there, for the exact values
    data = dict(section(page, "决定数据 Decision data"))
    assert data["type"] == "waitlist" and "waitlist_number" in data


def test_an_older_case_without_outcomes_shows_rows_from_its_decision(resident) -> None:
    case, client = approved_rental(resident)
    Case.objects.filter(pk=case["id"]).update(outcomes=[])  # decided before typed outcomes were kept
    page = client.get(f"/admin/cases/case/{case['id']}/change/").content.decode()
    rows = section(page, "办理结果 Decision")
    assert rows and all(label and value for label, value in rows)


def test_a_rejection_has_no_result_rows_but_its_reason_as_data(resident) -> None:
    case = resident(ZHANG_JIANGUO.phone).apply(RENTAL)
    client = clerk()
    client.post(f"/admin/cases/case/{case['id']}/decide/", {"action": "reject", "reason": "材料不全"}, follow=True)
    page = client.get(f"/admin/cases/case/{case['id']}/change/").content.decode()
    assert section(page, "办理结果 Decision") == []
    assert dict(section(page, "决定数据 Decision data"))["reason_code"] == "clerk_rejected"
