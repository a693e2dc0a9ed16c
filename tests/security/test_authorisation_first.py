"""Authorisation before anything else: whether an object is the caller's is checked before any other precondition.

A check that answers first about the *caller* (409 ``face_not_enrolled``, 403 ``real_name_required``) or the *body*
(400 for a bad score or a missing reason) tells a caller that the object exists before saying it is not theirs; an
answer for another resident's object that differs from the answer for a missing one is an existence oracle. The
caller here is "nobody": a resident with an account but no real name, no enrolled face, no cases, no bookings.

The operations come from the OpenAPI schema (``/api/v1/schema/``): every one with an id in its path, and every one
whose request body names an object (a field ending in ``id``/``code``/``number``/``no``, or named after a model), must
be in the tables below, so a new endpoint fails ``test_every_object_reference_is_classified`` until someone decides
what its ids name. For each:

* ``RESIDENT`` (the object belongs to a resident): nobody gets 404 for another resident's object, with valid, empty
  and invalid bodies alike, and exactly the answer a missing id gets; nothing changes in the database.
* ``STAFF`` (``/staff/``): a resident gets 403 ``permission_denied`` (contract §3.9); a clerk of another department
  gets 404, whatever the body, exactly as for a missing id.
* ``PUBLIC``: the id names something public (a service, a certificate code verified by QR, a slot, a category): no
  ownership, so nothing to hide; the answers must still not carry the victim's data.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.apps import apps
from rest_framework.test import APIClient

from backend.appointments.models import Booking, Slot
from backend.cases.models import Case, CaseEvent, FollowUp, Rating
from backend.cityevents.models import EventAction, EventReport
from backend.delegation.models import Mandate
from backend.drafts.models import Draft
from backend.faceauth.models import FaceChallenge, FaceEvent
from backend.notifications.models import Notification
from backend.proactive.models import Offer
from tests.factories import id_number, login, resident_record
from tests.personas import PHOTOS
from tests.security.conftest import all_routes

pytestmark = pytest.mark.django_db

MISSING = 2_000_000_000  # an id no table reaches (and within every database's integer range)

# (METHOD, path) -> the victim's object (key in the fixture's objects) that the path's {id} names
RESIDENT = {
    ("GET", "/api/v1/cases/{id}"): "case",
    ("PATCH", "/api/v1/cases/{id}"): "case",
    ("POST", "/api/v1/cases/{id}/withdraw"): "case",
    ("POST", "/api/v1/cases/{id}/rating"): "decided_case",
    ("POST", "/api/v1/notifications/{id}/read"): "notification",
    ("GET", "/api/v1/events/{id}"): "event",
    ("GET", "/api/v1/events/{id}/photo"): "event",
    ("POST", "/api/v1/events/{id}/confirm"): "event",
    ("POST", "/api/v1/events/{id}/dispute"): "event",
    ("POST", "/api/v1/events/{id}/rating"): "event",
    ("GET", "/api/v1/appointments/{id}"): "booking",
    ("POST", "/api/v1/appointments/{id}/cancel"): "booking",
    ("GET", "/api/v1/drafts/{id}"): "draft",
    ("PUT", "/api/v1/drafts/{id}"): "draft",
    ("DELETE", "/api/v1/drafts/{id}"): "draft",
    ("POST", "/api/v1/delegations/{id}/accept"): "mandate",
    ("POST", "/api/v1/delegations/{id}/decline"): "mandate",
    ("POST", "/api/v1/delegations/{id}/end"): "mandate",
    ("GET", "/api/v1/me/bundles/{reference_no}"): "bundle",
    ("POST", "/api/v1/me/bundles/{reference_no}/continue"): "bundle",
    ("POST", "/api/v1/me/bundles/{reference_no}/withdraw"): "bundle",
    ("GET", "/api/v1/me/offers/{id}"): "offer",
    ("POST", "/api/v1/me/offers/{id}/confirm"): "offer",
    ("POST", "/api/v1/me/offers/{id}/decline"): "offer",
}
STAFF = {
    ("GET", "/api/v1/staff/cases/{id}"): "case",
    ("POST", "/api/v1/staff/cases/{id}/decide"): "case",
    ("POST", "/api/v1/staff/cases/{id}/verify-identity"): "case",
    ("POST", "/api/v1/staff/follow-ups/{id}/close"): "follow_up",
    ("GET", "/api/v1/staff/events/{id}"): "event",
    ("POST", "/api/v1/staff/events/{id}/action"): "event",
    # 帮办代办: a session is its clerk's own; any other clerk (of another department here) gets 404
    ("GET", "/api/v1/staff/assisted-sessions/{id}"): "assisted_session",
    ("POST", "/api/v1/staff/assisted-sessions/{id}/face"): "assisted_session",
    ("POST", "/api/v1/staff/assisted-sessions/{id}/application"): "assisted_session",
    ("POST", "/api/v1/staff/assisted-sessions/{id}/send-code"): "assisted_session",
    ("POST", "/api/v1/staff/assisted-sessions/{id}/confirm"): "assisted_session",
    ("POST", "/api/v1/staff/assisted-sessions/{id}/cancel"): "assisted_session",
}
PUBLIC = {
    ("GET", "/api/v1/services/{code}"): "a catalogue entry",
    ("GET", "/api/v1/services/{code}/prefill"): "a catalogue entry (the values shown are the caller's own)",
    ("GET", "/api/v1/services/{code}/eligibility"): "a catalogue entry (the rules run on the caller's own data)",
    ("GET", "/api/v1/certificates/verify/{code}"): "an 80-bit random code on a QR: validity and masked holder only",
    ("GET", "/api/v1/bundles/{code}"): "a catalogue entry (一件事)",
    ("GET", "/api/v1/bundles/{code}/prefill"): "a catalogue entry (the values shown are the caller's own)",
    ("POST", "/api/v1/bundles/{code}/apply"): "a catalogue entry (the application made is the caller's own)",
}
# (METHOD, path, body field) -> what the field names
BODY = {
    ("POST", "/api/v1/face/challenges", "case"): "resident: the caller's case (test below)",
    ("POST", "/api/v1/face/challenges", "mandate"): "resident: an invitation to the caller, 404 first (delegation)",
    ("POST", "/api/v1/face/challenges", "bundle"): "resident: the caller's bundle, 404 first (test below)",
    ("POST", "/api/v1/face/verify", "challenge_id"): "resident: the caller's challenge (test below)",
    ("POST", "/api/v1/appointments", "slot"): "public: a slot anyone may book (test below)",
    ("POST", "/api/v1/appointments", "case"): "resident: the caller's case, judged before the slot (test below)",
    ("POST", "/api/v1/cases", "draft"): "resident: the caller's draft, checked first (tests/drafts/test_drafts_api.py)",
    ("POST", "/api/v1/me/real-name", "id_number"): "an identity claim checked against the registry (§3.3)",
    ("POST", "/api/v1/delegations/guardianship", "id_number"): "a guardianship claim checked against the registry",
    ("POST", "/api/v1/events", "category"): "public: an event category code",
    ("POST", "/api/v1/events", "district"): "public: a district name of the city",
    ("POST", "/api/v1/staff/cases/{id}/decide", "action"): "not an object: approve, reject, return or revoke",
    ("POST", "/api/v1/staff/events/{id}/action", "department"): "public: a department code (transfer)",
    ("POST", "/api/v1/staff/events/{id}/action", "action"): "not an object: a workflow step",
    ("POST", "/api/v1/staff/assisted-sessions", "id_number"): "an identity claim a clerk checks against the registry",
    ("POST", "/api/v1/staff/assisted-sessions/{id}/confirm", "code"): "not an object: the SMS confirmation code",
}
OUTSIDE_SCHEMA = {  # parameterised routes that are not in the API schema
    "open311-service": "public: GeoReport service definitions",
    "open311-request": "public: GeoReport requests are published (masked descriptions)",
    "open311-media": "public: the published photo of a request",
    "open311/v2/^(?P<path>.*)$": "the catch-all: an unknown Open311 method is 404",
}

BODIES = [
    {
        "score": 5,
        "comment": "很好",
        "reason": "已核实",
        "action": "approve",
        "form": {},
        "note": "已查验身份证原件",
        "resolution": "已整改",
    },
    {},
    {"score": 0, "action": "frobnicate", "reason": "", "form": "not an object", "resolution": "", "note": ""},
]


# --- the schema and its object references -------------------------------------------------------------------------


def schema() -> dict[str, Any]:
    response = APIClient().get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200, response.content[:200]
    return response.json()


def _model_words() -> set[str]:
    words: set[str] = set()
    for model in apps.get_models():
        if model.__module__.startswith("backend."):
            snake = re.sub(r"(?<!^)(?=[A-Z])", "_", model.__name__).lower()
            words |= {snake, snake.replace("_", ""), snake.split("_")[-1]}
    return words


REFERENCE_SUFFIX = re.compile(r"(^|_)(id|pk|code|number|no)$")


def operations(spec: dict[str, Any]) -> list[tuple[str, str, list[str], set[str]]]:
    """(METHOD, path, path parameters, body fields that name an object) for every operation of the schema."""
    components = spec["components"]["schemas"]
    words = _model_words()

    def fields(schema: dict[str, Any]) -> set[str]:
        if "$ref" in schema:
            schema = components[schema["$ref"].rsplit("/", 1)[-1]]
        return set(schema.get("properties", {}))

    found = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            params = [p["name"] for p in op.get("parameters", []) if p["in"] == "path"]
            body: set[str] = set()
            for content in op.get("requestBody", {}).get("content", {}).values():
                body |= fields(content.get("schema", {}))
            refs = {name for name in body if REFERENCE_SUFFIX.search(name) or name in words}
            found.append((method.upper(), path, params, refs))
    return found


def test_every_object_reference_is_classified() -> None:
    spec = schema()
    unclassified = []
    seen_paths: set[tuple[str, str]] = set()
    for method, path, params, refs in operations(spec):
        if params:
            seen_paths.add((method, path))
            if (method, path) not in RESIDENT | STAFF | PUBLIC:
                unclassified.append(f"{method} {path} (path: {params})")
        unclassified += [f"{method} {path} (body: {name})" for name in sorted(refs) if (method, path, name) not in BODY]
    assert not unclassified, f"classify in tests/security/test_authorisation_first.py: {unclassified}"
    stale = set(RESIDENT | STAFF | PUBLIC) - seen_paths
    assert not stale, f"no longer in the schema: {stale}"
    # Routes outside the schema: under /api/v1/ there must be none with a parameter; elsewhere only the known ones
    # (the admin is staff-only and department-scoped: test_staff_only.py).
    schema_paths = {re.sub(r"\{\w+\}", "{}", path) for _, path, _, _ in operations(spec)}
    for route in all_routes():
        params = set(route.params) - {"fmt"}  # Open311's optional ".json" suffix
        if not params or route.route.startswith("admin/"):
            continue
        if route.route.startswith("api/v1/"):
            assert re.sub(r"<(?:\w+:)?\w+>", "{}", "/" + route.route) in schema_paths, route.route
        else:
            key = route.name or route.route
            assert key in OUTSIDE_SCHEMA, f"classify {route.route} ({key}) in OUTSIDE_SCHEMA"


# --- the actors -----------------------------------------------------------------------------------------------------


@pytest.fixture
def nobody(import_data) -> APIClient:
    """An elder (born 29 February 1948, a rare character in the name) with an account and nothing else. Registered
    under 郑州市 (410100): python-stdnum refuses 金水区 (410105) for anyone born before the code existed (1983)."""
    birth = dt.date(1948, 2, 29)
    record = resident_record("龘秀英", birth, 777, phone="16600000777", household_id="HH-NOBODY", photo=None)
    record["id_number"] = id_number("410100", birth, 777)
    import_data({"residents": [record]})
    client = login("166 0000 0777")
    me = client.get("/api/v1/me").json()
    assert me["real_name_verified"] is False and me["face_enrolled"] is False
    assert client.get("/api/v1/cases").json()["count"] == 0
    return client


@pytest.fixture
def objects(world) -> dict[str, Any]:
    """The victim's objects (tests/security/conftest.py), and a follow-up: the decided case rated 1 star."""
    victim = world["victim"]
    rated = victim.client.post(
        f"/api/v1/cases/{victim.objects['decided_case']}/rating", {"score": 1, "comment": "太慢"}, format="json"
    )
    assert rated.status_code == 201, rated.content
    objects = dict(victim.objects)
    objects["follow_up"] = FollowUp.objects.get(case_id=objects["decided_case"]).pk
    return objects


def other_department_clerk(department_id: int) -> APIClient:
    """A demo clerk whose department is not ``department_id`` (housing, education, provident fund, city)."""
    from tests.personas import CITY_CLERK, EDUCATION_CLERK, HOUSING_CLERK

    for staff in (EDUCATION_CLERK, HOUSING_CLERK, CITY_CLERK):
        if staff.account().department_id != department_id:
            return staff.login()
    raise AssertionError("no clerk of another department")


def snapshot() -> tuple:
    return (
        list(Case.objects.order_by("pk").values_list("pk", "status", "updated_at")),
        CaseEvent.objects.count(),
        Rating.objects.count(),
        list(FollowUp.objects.order_by("pk").values_list("pk", "closed_at")),
        list(Notification.objects.order_by("pk").values_list("pk", "read_at")),
        list(EventReport.objects.order_by("pk").values_list("pk", "status", "rating")),
        EventAction.objects.count(),
        list(Booking.objects.order_by("pk").values_list("pk", "status")),
        FaceChallenge.objects.count(),
        FaceEvent.objects.count(),
        list(Draft.objects.order_by("pk").values_list("pk", "updated_at")),
        list(Mandate.objects.order_by("pk").values_list("pk", "status")),
        list(Offer.objects.order_by("pk").values_list("pk", "status", "case_id")),
    )


def answer(response) -> tuple:
    body = response.json() if response["Content-Type"].startswith("application/json") else None
    return response.status_code, body


def call(client: APIClient, method: str, path: str, pk: Any, body: dict[str, Any]):
    url = re.sub(r"\{\w+\}", str(pk), path)
    if method == "GET":
        return client.get(url)
    return getattr(client, method.lower())(url, body, format="json")


# --- path ids -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), sorted(RESIDENT))
def test_another_residents_object_is_404_before_anything_about_the_caller(objects, nobody, method, path) -> None:
    pk = objects[RESIDENT[(method, path)]]
    before = snapshot()
    for body in BODIES:
        theirs = call(nobody, method, path, pk, body)
        missing = call(nobody, method, path, MISSING, body)
        assert theirs.status_code == 404, (method, path, body, theirs.status_code, theirs.content[:200])
        assert answer(theirs) == answer(missing), "another resident's object is told apart from a missing one"
    assert snapshot() == before, "a refused request changed something"


@pytest.mark.parametrize(("method", "path"), sorted(STAFF))
def test_staff_endpoints_refuse_residents_and_other_departments(objects, nobody, method, path) -> None:
    pk = objects[STAFF[(method, path)]]
    case_department = Case.objects.get(pk=objects["case"]).department_id
    department = EventReport.objects.get(pk=pk).department_id if "/events/" in path else case_department
    clerk = other_department_clerk(department)
    before = snapshot()
    for body in BODIES:
        refused = call(nobody, method, path, pk, body)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied", refused.content
        theirs = call(clerk, method, path, pk, body)
        missing = call(clerk, method, path, MISSING, body)
        assert theirs.status_code == 404, (method, path, body, theirs.status_code, theirs.content[:200])
        assert answer(theirs) == answer(missing), "another department's object is told apart from a missing one"
    assert snapshot() == before, "a refused request changed something"


@pytest.mark.parametrize(("method", "path"), sorted(PUBLIC))
def test_public_ids_show_nobody_the_victims_data(world, objects, nobody, method, path) -> None:
    values = {"/api/v1/certificates/verify/{code}": objects["certificate"]}
    if path.startswith("/api/v1/bundles/"):
        values[path] = "buying-a-home"
    body = {"form": {"amount": "1.00"}, "consent": True} if path.endswith("/apply") else {}
    response = call(nobody, method, path, values.get(path, "talent-housing-subsidy"), body)
    assert response.status_code in {200, 403}, response.content[:200]  # 403: real_name_required, about the caller
    leaked = [m for m in world["victim"].markers if m in response.content.decode()]
    assert not leaked, f"{path} shows the victim's {leaked}"


# --- ids in bodies --------------------------------------------------------------------------------------------------


def test_a_face_challenge_for_another_residents_case_is_404_for_a_caller_without_a_face(objects, nobody) -> None:
    """It was 409 ``face_not_enrolled``: the caller learnt that the case exists before being told it is not theirs."""
    before = snapshot()
    answers = []
    for case in (objects["case"], objects["decided_case"], MISSING, "12abc", None):
        response = nobody.post("/api/v1/face/challenges", {"purpose": "case", "case": case}, format="json")
        answers.append(answer(response))
    theirs, decided, missing = answers[:3]
    assert theirs[0] == 404 and theirs[1]["error"]["code"] == "not_found", theirs
    assert theirs == decided == missing
    assert {a[0] for a in answers[3:]} == {400}  # no case id at all: a malformed request, nothing looked up
    assert snapshot() == before  # no challenge issued, nothing logged
    # The caller's own state still answers for the caller's own requests.
    login_purpose = nobody.post("/api/v1/face/challenges", {"purpose": "login"}, format="json")
    assert login_purpose.status_code == 409 and login_purpose.json()["error"]["code"] == "face_not_enrolled"


def test_a_face_challenge_for_another_residents_bundle_is_404_for_a_caller_without_a_face(objects, nobody) -> None:
    """As for a case: another resident's bundle (一件事) is 404 like a missing one, before face_not_enrolled."""
    before = snapshot()
    theirs, missing = (
        answer(nobody.post("/api/v1/face/challenges", {"purpose": "bundle", "bundle": ref}, format="json"))
        for ref in (objects["bundle"], "ZZ-2026-B999999")
    )
    assert theirs[0] == 404 and theirs == missing, (theirs, missing)
    assert snapshot() == before


def test_another_residents_challenge_is_404_for_a_caller_without_a_face(objects, nobody) -> None:
    before = snapshot()
    answers = []
    for token in (objects["challenge"], "x" * 43):
        with open(PHOTOS / "obama_3.jpg", "rb") as image:
            response = nobody.post("/api/v1/face/verify", {"challenge_id": token, "image": image}, format="multipart")
        answers.append(answer(response))
    assert answers[0][0] == 404 and answers[0] == answers[1], answers
    assert snapshot() == before
    assert Case.objects.get(pk=objects["case"]).status == "pending_face"


def test_a_slot_is_public_and_booking_it_tells_nothing_about_who_else_booked_it(world, objects, nobody) -> None:
    """A slot is not owned: anyone may book it, including the one the victim booked. What must not leak is who
    booked it; the answer is the same as for a slot nobody booked, and carries only public slot data."""
    booked = Booking.objects.get(pk=objects["booking"]).slot
    fresh = (
        Slot.objects.filter(starts_at__gt=booked.starts_at, venue=booked.venue, booked=0, capacity__gt=1)
        .order_by("starts_at")
        .first()
    )
    assert fresh is not None
    responses = [nobody.post("/api/v1/appointments", {"slot": slot.pk}, format="json") for slot in (booked, fresh)]
    assert [r.status_code for r in responses] == [201, 201], [r.content[:200] for r in responses]
    first, second = (r.json() for r in responses)
    assert set(first) == set(second)
    text = responses[0].content.decode()
    assert not [m for m in world["victim"].markers if m in text]
    assert "张建国" not in text and "13800000001" not in text
    unknown = nobody.post("/api/v1/appointments", {"slot": MISSING}, format="json")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_slot"


def test_an_identity_check_for_another_residents_case_is_404_whatever_the_slot(objects, nobody) -> None:
    """Booking a counter identity check names a case: another's is 404 exactly as a missing one, before the slot,
    the purpose or the caller's own bookings are looked at; nothing is booked or written."""
    slot = Booking.objects.get(pk=objects["booking"]).slot
    before = snapshot()
    answers = []
    for case in (objects["case"], objects["decided_case"], MISSING):
        for body in ({"slot": slot.pk}, {"slot": MISSING, "purpose": "identity_check"}, {"slot": "x"}):
            response = nobody.post("/api/v1/appointments", {**body, "case": case}, format="json")
            answers.append(answer(response))
    assert answers[0][0] == 404 and answers[0][1]["error"]["code"] == "not_found", answers[0]
    assert len(set(map(repr, answers))) == 1, answers
    slots = nobody.get("/api/v1/appointments/slots", {"case": objects["case"]})
    assert answer(slots) == answer(nobody.get("/api/v1/appointments/slots", {"case": MISSING}))
    assert slots.status_code == 200 and slots.json()["count"] == 0
    assert snapshot() == before
