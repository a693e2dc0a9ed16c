"""Broken object-level authorization (BOLA / IDOR): another resident's objects are 404, on every endpoint.

The routes come from the URL resolver. Every ``/api/v1/`` route with a path parameter must be classified below as
*owned* (the parameter names a resident's object: the attacker gets 404 for every method), *public* (the parameter
is not a resident's object: services, certificate verification) or *staff* (``staff/…``: residents are refused,
tests/security/test_staff_only.py). A new endpoint that is in none of them fails
``test_every_parameterised_route_is_classified`` until someone decides which it is.

Objects referenced in bodies rather than paths (a face challenge for a case, a challenge id) and every list endpoint
are checked too: the attacker's lists never contain the victim's data.
"""

from __future__ import annotations

import pytest

from backend.cases.models import Case, CaseEvent
from backend.notifications.models import Notification
from tests.security.conftest import api_routes

pytestmark = pytest.mark.django_db

# route name -> the victim's object (key in world["victim"].objects) that its path parameter names
OWNED = {
    "case-detail": "case",
    "case-withdraw": "case",
    "case-rating": "decided_case",
    "notification-read": "notification",
    "event-detail": "event",
    "event-photo": "event",
    "event-confirm": "event",
    "event-dispute": "event",
    "event-rating": "event",
    "appointment-detail": "booking",
    "appointment-cancel": "booking",
    "draft-detail": "draft",
    "delegation-accept": "mandate",
    "delegation-decline": "mandate",
    "delegation-end": "mandate",
    "offer-detail": "offer",
    "offer-confirm": "offer",
    "offer-decline": "offer",
    "my-bundle-detail": "bundle",
    "my-bundle-continue": "bundle",
    "my-bundle-withdraw": "bundle",
}
PUBLIC = {
    "service-detail",
    "service-prefill",
    "service-eligibility",
    "certificate-verify",
    "bundle-detail",  # a catalogue entry
    "bundle-prefill",  # a catalogue entry (the values shown are the caller's own)
    "bundle-apply",  # a catalogue entry: the application is the caller's own
}


def parameterised() -> list:
    return [r for r in api_routes() if r.params]


def test_every_parameterised_route_is_classified() -> None:
    unknown = [
        r.route
        for r in parameterised()
        if r.name not in OWNED and r.name not in PUBLIC and not r.route.startswith("api/v1/staff/")
    ]
    assert not unknown, f"classify these routes in tests/security/test_bola.py (OWNED, PUBLIC or staff/): {unknown}"


def test_another_residents_mandate_cannot_be_acted_under(world) -> None:
    """``X-Acting-For`` naming someone else's mandate is 404, like a missing one (亲情代办)."""
    attacker, mandate = world["attacker"], world["victim"].objects["mandate"]
    theirs = attacker.client.get("/api/v1/cases", HTTP_X_ACTING_FOR=str(mandate))
    missing = attacker.client.get("/api/v1/cases", HTTP_X_ACTING_FOR="2000000000")
    assert theirs.status_code == 404 and theirs.json() == missing.json()


@pytest.mark.parametrize("name", sorted(OWNED))
def test_another_residents_object_is_404(world, name: str) -> None:
    routes = [r for r in api_routes() if r.name == name]
    assert routes, f"route {name} no longer exists: update OWNED"
    route = routes[0]
    victim, attacker = world["victim"], world["attacker"]
    url = route.url(**{route.params[0]: victim.objects[OWNED[name]]})
    before = (
        list(Case.objects.order_by("pk").values_list("pk", "status")),
        CaseEvent.objects.count(),
        list(Notification.objects.order_by("pk").values_list("pk", "read_at")),
    )
    for method in sorted(route.methods):
        response = getattr(attacker.client, method.lower())(url, {"score": 5, "reason": "x", "form": {}}, format="json")
        assert response.status_code == 404, (method, url, response.status_code, response.content[:200])
        assert response["Content-Type"].startswith("application/json")
    after = (
        list(Case.objects.order_by("pk").values_list("pk", "status")),
        CaseEvent.objects.count(),
        list(Notification.objects.order_by("pk").values_list("pk", "read_at")),
    )
    assert after == before, "a refused request changed something"
    # the owner still gets it (the 404 is about ownership, not a broken URL)
    if "GET" in route.methods and name != "event-photo":  # the victim's report has no photo
        assert victim.client.get(url).status_code == 200


def test_face_challenge_for_another_residents_case_is_404(world, demo) -> None:
    """An attacker with an enrolled face of their own (李志强) asks for a challenge on the victim's case."""
    from tests.personas import Acting

    victim, attacker = world["victim"], Acting(demo["13800000003"])
    attacker.enrol("biden_2.jpg")
    response = attacker.client.post(
        "/api/v1/face/challenges", {"purpose": "case", "case": victim.objects["case"]}, format="json"
    )
    assert response.status_code == 404, response.content


def test_another_residents_face_challenge_is_404(world) -> None:
    from tests.personas import PHOTOS

    victim, attacker = world["victim"], world["attacker"]
    with open(PHOTOS / "obama_3.jpg", "rb") as image:
        response = attacker.client.post(
            "/api/v1/face/verify", {"challenge_id": victim.objects["challenge"], "image": image}, format="multipart"
        )
    assert response.status_code == 404, response.content
    assert Case.objects.get(pk=victim.objects["case"]).status == "pending_face"


def test_no_list_endpoint_shows_another_residents_data(world) -> None:
    """Every parameterless GET under /api/v1/ (lists, profile, status), as the attacker: none of the victim's
    reference numbers, report text or identity appears."""
    victim, attacker = world["victim"], world["attacker"]
    checked = []
    for route in api_routes():
        if route.params or "GET" not in route.methods or route.name in {"schema", "docs"}:
            continue
        response = attacker.client.get(route.url())
        if response.status_code != 200:
            continue
        text = response.content.decode()
        leaked = [m for m in victim.markers if m in text]
        assert not leaked, f"{route.route} shows the victim's {leaked}"
        checked.append(route.route)
    assert {"api/v1/cases", "api/v1/notifications", "api/v1/events", "api/v1/certificates"} <= set(checked)
    assert {"api/v1/me/data-access", "api/v1/appointments", "api/v1/drafts"} <= set(checked)


def test_certificate_verification_reveals_only_validity_and_a_masked_name(world, api) -> None:
    victim = world["victim"]
    code = victim.objects["certificate"]
    body = api.get(f"/api/v1/certificates/verify/{code}").json()
    text = str(body)
    assert "张建国" not in text and victim.markers[3] not in text
