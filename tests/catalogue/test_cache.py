"""The public catalogue is served from the cache (backend/catalogue/cache.py), per language, the same for everyone,
and never stale after a department or a service module changes.

Real HTTP through DRF's test client on the demo city; the uncached path (``CATALOGUE_CACHE = False``) is the
reference the cached answers are compared with.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from backend.accounts.models import Department
from backend.cases import discovery
from backend.cases.plugins import Mode, ServiceModule
from backend.catalogue import cache as catalogue_cache
from backend.core.i18n import Text
from tests.faults.conftest import FAULT_REDIS_URL, closed_port, reachable
from tests.personas import ZHANG_JIANGUO

pytestmark = pytest.mark.django_db

LIST = "/api/v1/services"
PFW = "provident-fund-withdrawal"
DETAIL = f"{LIST}/{PFW}"
ZHANG = ZHANG_JIANGUO.phone
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def department_queries(client: APIClient, url: str, **headers: str) -> tuple[Any, int]:
    """The response, and how many queries read the departments (what the catalogue itself costs uncached)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    return response, sum("accounts_department" in q["sql"] for q in ctx.captured_queries)


def snapshot(response: Any) -> tuple[int, str, str, Any]:
    return response.status_code, response["Content-Type"], response.get("Content-Language"), response.json()


def rename(code: str, zh: str, en: str) -> None:
    department = Department.objects.get(code=code)
    department.name_zh, department.name_en = zh, en
    department.save()


# -- served from the cache ----------------------------------------------------------------------------------------
def test_second_request_is_served_without_queries(demo, api, django_assert_num_queries) -> None:
    cache.clear()
    for url in (LIST, DETAIL):
        first = api.get(url)
        assert first.status_code == 200
        with django_assert_num_queries(0):
            second = api.get(url)
        assert second.json() == first.json()


def test_filters_are_served_from_the_one_cached_index(demo, api, django_assert_num_queries) -> None:
    """Any query string is answered from the same entry: ?q= cannot grow the cache (it holds throttles too)."""
    cache.clear()
    api.get(LIST)
    entries = len(caches["default"]._cache)  # LocMemCache's store: counted, not read
    with django_assert_num_queries(0):
        assert [s["code"] for s in api.get(f"{LIST}?q=公积金").json()] == [PFW]
        assert [s["code"] for s in api.get(f"{LIST}?q=Rental").json()] == ["public-rental-housing"]
        assert {s["code"] for s in api.get(f"{LIST}?department=housing").json()} == {
            "public-rental-housing",
            "talent-housing-subsidy",
            "deed-tax-subsidy",
        }
        by_name = {s["code"] for s in api.get(f"{LIST}?department=Housing Security Bureau").json()}
        assert by_name == {"public-rental-housing", "talent-housing-subsidy", "deed-tax-subsidy"}
        assert [s["code"] for s in api.get(f"{LIST}?category=教育").json()] == [
            "primary-school-enrolment",
            "school-district-check",
        ]
        for i in range(20):
            assert api.get(f"{LIST}?q=nothing-{i}").json() == []
    assert len(caches["default"]._cache) == entries


def test_cacheable_responses_say_so(demo, api) -> None:
    for url in (LIST, DETAIL, f"{LIST}?q=公积金"):
        for _ in range(2):  # cold, then from the cache
            response = api.get(url)
            assert response["Cache-Control"] == f"public, max-age={catalogue_cache.HTTP_MAX_AGE}"
            assert "Accept-Language" in response["Vary"] and "Accept" in response["Vary"]
            assert response["Content-Type"] == "application/json"
    browsable = api.get(LIST, HTTP_ACCEPT="text/html")  # shows the logged-in user: never public
    assert browsable["Content-Type"].startswith("text/html") and "public" not in browsable.get("Cache-Control", "")


# -- per language, the same for everyone ----------------------------------------------------------------------------
def test_languages_do_not_mix(demo, api, django_assert_num_queries) -> None:
    cache.clear()
    zh, en = api.get(DETAIL), api.get(DETAIL, **EN)
    zh_list, en_list = api.get(LIST), api.get(LIST, **EN)
    with django_assert_num_queries(0):
        for _ in range(2):
            again_zh, again_en = api.get(DETAIL), api.get(DETAIL, **EN)
            assert again_zh.json() == zh.json() and again_en.json() == en.json()
            assert again_zh["Content-Language"] == "zh-hans" and again_en["Content-Language"] == "en"
            assert api.get(LIST).json() == zh_list.json() and api.get(LIST, **EN).json() == en_list.json()
    assert zh.json()["department"] == "住房公积金管理中心" and zh.json()["name"] == "公积金提取"
    assert en.json()["department"] == "Housing Provident Fund Center" and en.json()["name"] == en.json()["name_en"]
    assert {d["department"] for d in en.json()["data_items"]} <= {
        "Housing Provident Fund Center",
        "Natural Resources and Planning Bureau",
    }
    assert zh_list.json() != en_list.json()


def test_same_catalogue_for_residents_and_anonymous_callers(demo, api, resident) -> None:
    cache.clear()
    zhang = resident(ZHANG)
    for url, cold in ((LIST, 1), (DETAIL, 1), (f"{LIST}?department=housing", 0)):  # filters: the list's entry
        anonymous, uncached = department_queries(api, url)
        assert uncached == cold
        logged_in, queries = department_queries(zhang.client, url)
        assert queries == 0, "warmed by an anonymous caller, served to a resident from the cache"
        assert logged_in.json() == anonymous.json()
    cache.clear()
    warmed_by_resident = zhang.client.get(LIST).json()
    anonymous, queries = department_queries(api, LIST)
    assert queries == 0 and anonymous.json() == warmed_by_resident


@pytest.mark.parametrize(
    "url",
    [
        LIST,
        f"{LIST}?q=公积金",
        f"{LIST}?q=%20rental%20",
        f"{LIST}?q=%00",
        f"{LIST}?q={'x' * 3000}",
        f"{LIST}?category=Housing&department=住房保障局",
        f"{LIST}?department=nope",
        f"{LIST}?eligible=false",
        f"{LIST}?eligible=true",  # anonymous: 401
        DETAIL,
        f"{DETAIL}?eligible=true",
        f"{LIST}/nope",
        f"{LIST}/NOPE_1",
        f"{LIST}/a%20b",
    ],
)
def test_answers_are_those_of_the_uncached_catalogue(demo, api, settings, url: str) -> None:
    """Good and bad input alike: the same status, JSON, content type and language as without the cache."""
    for headers in ({}, EN):
        settings.CATALOGUE_CACHE = False
        expected = snapshot(api.get(url, **headers))
        settings.CATALOGUE_CACHE = True
        cache.clear()
        assert snapshot(api.get(url, **headers)) == expected  # cold
        assert snapshot(api.get(url, **headers)) == expected  # warm
    if expected[0] >= 400:
        assert "error" in expected[3]
        assert "public" not in api.get(url).get("Cache-Control", "")


# -- invalidation -----------------------------------------------------------------------------------------------
def test_renaming_a_department_shows_at_once(demo, api) -> None:
    cache.clear()
    assert api.get(DETAIL).json()["department"] == "住房公积金管理中心"
    assert api.get(LIST).json()[0]["department"]
    api.get(DETAIL, **EN)
    rename("provident_fund", "公积金中心", "Provident Fund Centre")
    detail, queries = department_queries(api, DETAIL)
    assert queries == 1 and detail.json()["department"] == "公积金中心"
    assert api.get(DETAIL, **EN).json()["department"] == "Provident Fund Centre"
    listed = {s["code"]: s for s in api.get(LIST).json()}
    assert listed[PFW]["department"] == "公积金中心"
    assert [s["code"] for s in api.get(f"{LIST}?department=Provident Fund Centre").json()] == [PFW]
    assert api.get(f"{LIST}?department=Housing Provident Fund Center").json() == []
    data_item = next(d for d in detail.json()["data_items"] if d["department_code"] == "provident_fund")
    assert data_item["department"] == "公积金中心"


def test_a_rename_in_another_process_is_seen_at_once(demo, api) -> None:
    """Each process holds the entries it read, but asks the shared cache for the generation on every request."""
    cache.clear()
    api.get(DETAIL)
    Department.objects.filter(code="provident_fund").update(name_zh="公积金中心")  # no signal here…
    cache.incr(catalogue_cache.GENERATION_KEY)  # …the other process's post_save bumped the shared counter
    detail, queries = department_queries(api, DETAIL)
    assert queries == 1 and detail.json()["department"] == "公积金中心"


def test_adding_and_deleting_a_department_invalidate(demo, api) -> None:
    cache.clear()
    api.get(LIST)
    Department.objects.create(code="sports", name_zh="体育局", name_en="Sports Bureau")
    _, queries = department_queries(api, LIST)
    assert queries == 1
    Department.objects.get(code="sports").delete()
    _, queries = department_queries(api, LIST)
    assert queries == 1
    _, queries = department_queries(api, LIST)
    assert queries == 0


def test_a_missing_generation_key_starts_afresh(demo, api) -> None:
    """Evicted or flushed: the counter restarts at a random value, not at one whose entries may still be cached."""
    cache.clear()
    api.get(DETAIL)
    cache.delete(catalogue_cache.GENERATION_KEY)
    _, queries = department_queries(api, DETAIL)
    assert queries == 1
    cache.delete(catalogue_cache.GENERATION_KEY)
    rename("provident_fund", "公积金中心", "Provident Fund Centre")  # incr on a missing key
    assert cache.get(catalogue_cache.GENERATION_KEY) is not None
    assert api.get(DETAIL).json()["department"] == "公积金中心"


def test_the_generation_is_bumped_again_at_commit(demo, api, django_capture_on_commit_callbacks) -> None:
    """A request that read the departments before the commit may have cached them under the first bump."""
    api.get(DETAIL)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rename("provident_fund", "公积金中心", "Provident Fund Centre")
    assert callbacks, "bump deferred to the commit"
    before = cache.get(catalogue_cache.GENERATION_KEY)
    for callback in callbacks:
        callback()
    assert cache.get(catalogue_cache.GENERATION_KEY) == before + 1


def test_migrate_bumps_the_generation(demo) -> None:
    """Data migrations save historical models, whose saves send no signal for ``Department``."""
    from django.core.management.sql import emit_post_migrate_signal

    before = catalogue_cache.department_generation()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert cache.get(catalogue_cache.GENERATION_KEY) == before + 1


def test_a_changed_service_module_changes_the_key(demo, api, monkeypatch, settings) -> None:
    """A deploy (or ``startservice``) that adds or changes a module reads fresh entries."""

    class Parking(ServiceModule):
        code = "resident-parking-permit"
        name = Text("居民停车证", "Resident parking permit")
        department = "city_management"
        category = Text("交通", "Transport")
        mode = Mode.REVIEW

    class RenamedParking(Parking):
        name = Text("居住区停车证", "Residential parking permit")

    cache.clear()
    settings.YIWANG_SERVICES = [*discovery.builtin_codes(), "resident-parking-permit"]  # installed: on when listed
    try:
        assert "resident-parking-permit" not in {s["code"] for s in api.get(LIST).json()}
        monkeypatch.setattr(discovery, "_third_party", lambda: [(Parking(), "test")])
        discovery.reload()
        listed = {s["code"]: s for s in api.get(LIST).json()}
        assert listed["resident-parking-permit"]["name"] == "居民停车证"
        assert api.get(f"{LIST}/resident-parking-permit").json()["department"] == "城市管理局"
        monkeypatch.setattr(discovery, "_third_party", lambda: [(RenamedParking(), "test")])
        discovery.reload()
        assert api.get(f"{LIST}/resident-parking-permit").json()["name"] == "居住区停车证"
        listed = {s["code"]: s for s in api.get(LIST).json()}
        assert listed["resident-parking-permit"]["name"] == "居住区停车证"
    finally:
        monkeypatch.undo()
        discovery.reload()
    assert "resident-parking-permit" not in {s["code"] for s in api.get(LIST).json()}


def test_the_fingerprint_is_stable_for_the_same_modules(monkeypatch) -> None:
    """Computed afresh (as by another process, or after a restart) from the same modules: the same value, so
    processes share entries."""
    first = catalogue_cache.registry_fingerprint()
    monkeypatch.setattr(catalogue_cache, "_fingerprint", None)
    assert catalogue_cache.registry_fingerprint() == first


# -- ?eligible=true is per resident ---------------------------------------------------------------------------------
def test_eligible_is_never_from_the_cache(demo, api, resident) -> None:
    cache.clear()
    zhang = resident(ZHANG)
    everything = api.get(LIST).json()  # warm
    for _ in range(2):
        response, queries = department_queries(zhang.client, f"{LIST}?eligible=true")
        assert response.status_code == 200 and queries >= 1  # the departments, read again
        assert response["Cache-Control"] == "private, no-cache"
    eligible = {s["code"] for s in response.json()}
    assert PFW in eligible and "deed-tax-subsidy" not in eligible
    assert {s["code"] for s in everything} > eligible
    # and it did not replace the shared list
    assert api.get(LIST).json() == everything
    rename("provident_fund", "公积金中心", "Provident Fund Centre")
    fresh = zhang.client.get(f"{LIST}?eligible=true&q=公积金").json()
    assert [s["department"] for s in fresh] == ["公积金中心"]


# -- backends: the degrading Redis cache, and a real Redis ---------------------------------------------------------
def resilient_redis(settings, url: str) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "backend.core.cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


def test_served_and_invalidated_while_redis_is_down(demo, api, settings) -> None:
    resilient_redis(settings, f"redis://127.0.0.1:{closed_port()}/0")
    assert api.get(DETAIL).status_code == 200
    _, queries = department_queries(api, DETAIL)
    assert queries == 0, "cached in the process's fallback memory"
    rename("provident_fund", "公积金中心", "Provident Fund Centre")
    assert api.get(DETAIL).json()["department"] == "公积金中心"


def test_on_a_real_redis(demo, api, settings) -> None:
    if not reachable(FAULT_REDIS_URL):
        pytest.skip(f"no Redis at {FAULT_REDIS_URL}")
    resilient_redis(settings, FAULT_REDIS_URL)
    try:
        first = api.get(DETAIL).json()
        response, queries = department_queries(api, DETAIL)
        assert queries == 0 and response.json() == first
        generation = cache.primary.get(catalogue_cache.GENERATION_KEY)  # in Redis, not in the fallback
        assert isinstance(generation, int)
        rename("provident_fund", "公积金中心", "Provident Fund Centre")  # INCR on the Redis counter
        assert cache.primary.get(catalogue_cache.GENERATION_KEY) == generation + 1
        assert api.get(DETAIL).json()["department"] == "公积金中心"
        assert cache.redis_available
    finally:
        cache.primary.delete(catalogue_cache.GENERATION_KEY)  # entries expire; the counter would not
