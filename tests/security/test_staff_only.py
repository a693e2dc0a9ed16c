"""Residents cannot reach staff functions: the staff API (every route under /api/v1/staff/, read from the resolver),
the Django admin and the supervisors' cockpit. Clerks cannot rewrite the audit trail: case timelines (CaseEvent) and
the data-access log are not editable in the admin, not even by the department's clerk."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client

from backend.accounts.models import User
from backend.cases.models import CaseEvent
from backend.registries.models import DataAccessLog
from tests.personas import HOUSING_CLERK
from tests.security.conftest import VICTIM, all_routes, api_routes

pytestmark = pytest.mark.django_db


def test_every_staff_api_route_refuses_residents(world) -> None:
    victim = world["victim"]
    case = victim.objects["case"]
    staff = [r for r in api_routes() if r.route.startswith("api/v1/staff/")]
    assert len(staff) >= 5
    for route in staff:
        url = route.url(**dict.fromkeys(route.params, case))
        for method in sorted(route.methods):
            response = getattr(victim.client, method.lower())(url, {"action": "approve", "reason": "x"}, format="json")
            assert response.status_code == 403, (method, url, response.status_code, response.content[:200])
            assert response.json()["error"]["code"] == "permission_denied"
    assert victim.client.get(f"/api/v1/cases/{case}").json()["status"] == "pending_face"


@pytest.fixture
def resident_browser(world) -> Client:
    """The resident with a Django session cookie, as a browser would have after any login."""
    browser = Client()
    browser.force_login(User.objects.get(phone="+86" + VICTIM))
    return browser


def test_residents_cannot_open_the_admin(resident_browser: Client) -> None:
    for url in ["/admin/", "/admin/cases/case/", "/admin/registries/resident/", "/admin/registries/dataaccesslog/"]:
        response = resident_browser.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], (url, response.status_code)


def test_residents_cannot_open_the_cockpit(resident_browser: Client, world) -> None:
    routes = [r for r in all_routes() if r.route.startswith("cockpit/") and not r.params]
    assert routes, "the cockpit has pages"
    for route in routes:
        response = resident_browser.get(route.url())
        assert response.status_code in {302, 403, 404}, (route.route, response.status_code)
        if response.status_code == 302:
            assert "login" in response["Location"]


@pytest.fixture
def clerk_browser(world) -> Client:
    browser = Client()
    browser.force_login(HOUSING_CLERK.account())  # housing: the victim's cases' department
    return browser


def test_case_timeline_is_not_editable_in_the_admin(clerk_browser: Client, world) -> None:
    case = world["victim"].objects["decided_case"]
    events = list(CaseEvent.objects.filter(case_id=case).values())
    assert events, "the decision wrote the timeline"
    event = events[0]
    if admin.site.is_registered(CaseEvent):
        model_admin = admin.site._registry[CaseEvent]
        request = type("R", (), {"user": HOUSING_CLERK.account()})()
        assert not model_admin.has_change_permission(request) and not model_admin.has_delete_permission(request)
    for url in [
        f"/admin/cases/caseevent/{event['id']}/change/",
        f"/admin/cases/caseevent/{event['id']}/delete/",
        "/admin/cases/caseevent/add/",
    ]:
        response = clerk_browser.post(url, {"note": "改写", "status": "rejected", "post": "yes"})
        assert response.status_code in {403, 404}, (url, response.status_code)
    assert list(CaseEvent.objects.filter(case_id=case).values()) == events


def test_case_page_offers_no_edit_of_the_case_record(clerk_browser: Client, world) -> None:
    """The clerk acts through the engine's buttons; the case row itself is not a form."""
    case = world["victim"].objects["decided_case"]
    response = clerk_browser.post(f"/admin/cases/case/{case}/change/", {"status": "rejected", "decision": "{}"})
    assert response.status_code in {200, 403, 405}
    assert world["victim"].client.get(f"/api/v1/cases/{case}").json()["status"] == "approved"


def test_data_access_log_is_read_only_for_staff(clerk_browser: Client, world) -> None:
    log = DataAccessLog.objects.first()
    assert log is not None
    for url in [
        f"/admin/registries/dataaccesslog/{log.pk}/delete/",
        "/admin/registries/dataaccesslog/add/",
    ]:
        response = clerk_browser.post(url, {"post": "yes", "purpose": "x"})
        assert response.status_code in {403, 404}, (url, response.status_code)
    assert DataAccessLog.objects.filter(pk=log.pk, purpose=log.purpose).exists()
