"""List endpoints run a fixed number of queries, however many rows the page has (no N+1).

Each test measures the endpoint with one row, then with twenty, and asserts (a) the count did not grow and (b) it
stays under a budget (``django_assert_max_num_queries``) — the budget is today's count, so a new per-request query
shows up here too. Every authenticated call costs 2 queries before the view runs (the session row once —
backend/accounts/tokens.py; allauth's own strategy read it twice — and the user); the budgets include them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.accounts.models import User
from backend.cases import services
from backend.registries.access import record_access
from backend.registries.models import ActorType, Resident
from tests.personas import HOUSING_CLERK, WU_MIN, ZHANG_JIANGUO, Acting

pytestmark = pytest.mark.django_db

ZHANG = ZHANG_JIANGUO.phone
TALENT = ("talent-housing-subsidy", {"degree": "master", "employer": "郑州大学"})


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries)


def assert_flat(client, url: str, add_rows: Callable[[int], Any], budget: int, assert_max) -> None:
    add_rows(1)
    one = count(client, url)
    add_rows(19)
    with assert_max(budget):
        response = client.get(url)
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    assert len(rows) >= 20 or isinstance(body, list)
    twenty = count(client, url)
    assert twenty == one, f"{url}: {one} queries with 1 row, {twenty} with 20 (N+1)"


@pytest.fixture
def zhang(zhang_jianguo: Acting) -> Any:
    r = zhang_jianguo
    r.user = User.objects.get(phone="+86" + ZHANG)
    return r


def submit(user: User, n: int) -> None:
    for _ in range(n):
        services.submit(user, TALENT[0], TALENT[1], True)


def test_case_list(zhang, django_assert_max_num_queries) -> None:
    assert_flat(zhang.client, "/api/v1/cases", lambda n: submit(zhang.user, n), 6, django_assert_max_num_queries)


def test_notification_list(zhang, django_assert_max_num_queries) -> None:
    assert_flat(
        zhang.client, "/api/v1/notifications", lambda n: submit(zhang.user, n), 5, django_assert_max_num_queries
    )


def test_data_access_list(zhang, django_assert_max_num_queries) -> None:
    clerk = User.objects.get(phone="+8613700000003")
    subject = Resident.objects.get(account=zhang.user)

    def reads(n: int) -> None:
        for i in range(n):
            record_access(
                subject=subject,
                department="provident_fund",
                items=["provident.account"],
                purpose="办理 公积金提取",
                actor=clerk if i % 2 else None,
                actor_type=ActorType.CLERK if i % 2 else ActorType.SYSTEM,
                case_id=1000 + i,
                case_reference=f"ZZ-X-{i}",
            )

    assert_flat(zhang.client, "/api/v1/me/data-access", reads, 5, django_assert_max_num_queries)


def test_staff_case_list(demo, django_assert_max_num_queries) -> None:
    applicants = [Acting(demo[phone]) for phone in (ZHANG, WU_MIN.phone, "13800000012", "13800000013")]
    users = [User.objects.get(phone="+86" + a.record["phone"]) for a in applicants]
    clerk = HOUSING_CLERK.login()  # housing: talent housing subsidy cases

    def cases(n: int) -> None:
        for i in range(n):
            submit(users[i % len(users)], 1)

    assert_flat(clerk, "/api/v1/staff/cases", cases, 6, django_assert_max_num_queries)


def test_service_catalogue_list(demo, api, django_assert_max_num_queries, django_assert_num_queries) -> None:
    """Anonymous browsing: one query (the departments, once) for the whole list when the cache is cold, none when
    it is warm (backend/catalogue/cache.py) — also for a search, which filters the cached list."""
    cache.clear()
    with django_assert_max_num_queries(1):
        assert api.get("/api/v1/services").status_code == 200
    with django_assert_num_queries(0):
        assert api.get("/api/v1/services").status_code == 200
        assert api.get("/api/v1/services?q=公积金").status_code == 200
    cache.clear()
    with django_assert_max_num_queries(1):
        assert api.get("/api/v1/services?q=公积金").status_code == 200


def test_service_detail(demo, api, django_assert_max_num_queries, django_assert_num_queries) -> None:
    cache.clear()
    with django_assert_max_num_queries(1):
        assert api.get("/api/v1/services/primary-school-enrolment").status_code == 200
    with django_assert_num_queries(0):
        assert api.get("/api/v1/services/primary-school-enrolment").status_code == 200


def test_my_bundles(zhang, django_assert_max_num_queries) -> None:
    """一件事 applications, each with members (some not yet submitted) and a merged timeline: no N+1."""
    from backend.cases import bundles

    def apply(n: int) -> None:
        for _ in range(n):
            bundles.submit(zhang.user, "buying-a-home", {"amount": "100.00"}, True)

    assert_flat(zhang.client, "/api/v1/me/bundles", apply, 8, django_assert_max_num_queries)
