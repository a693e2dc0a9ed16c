"""Two residents of the demo city, each with one of everything a resident owns (victim, attacker), and the list of
every URL pattern the project serves, read from the resolver — so a new endpoint is classified (and tested) or the
suite fails."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from tests.factories import senior_allowance_offer
from tests.personas import HOUSING_CLERK, WU_MIN, ZHANG_JIANGUO, Acting

VICTIM, ATTACKER = ZHANG_JIANGUO.phone, WU_MIN.phone  # 张建国 (registry photo: obama), 吴敏
TALENT = {"degree": "master", "employer": "郑州大学"}


@dataclass
class Route:
    route: str  # "api/v1/cases/<int:pk>"
    name: str | None
    callback: Any

    @property
    def params(self) -> list[str]:
        import re

        return re.findall(r"<(?:\w+:)?(\w+)>", self.route)

    def url(self, **values: Any) -> str:
        import re

        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), self.route)

    @property
    def methods(self) -> set[str]:
        view = getattr(self.callback, "view_class", None) or getattr(self.callback, "cls", None)
        if view is None:
            return {"GET"}
        return {m.upper() for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m)}


def all_routes() -> list[Route]:
    found: list[Route] = []

    def walk(patterns: list, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                found.append(Route(prefix + str(p.pattern), p.name, p.callback))

    walk(get_resolver().url_patterns, "")
    return found


def api_routes() -> list[Route]:
    return [r for r in all_routes() if r.route.startswith("api/v1/")]


@dataclass
class Owner:
    acting: Acting
    client: APIClient
    objects: dict[str, Any] = field(default_factory=dict)
    markers: list[str] = field(default_factory=list)  # strings only this resident's data contains


@pytest.fixture
def world(demo) -> dict[str, Owner]:
    """The victim owns a decided case with a certificate, an open case with a face challenge, notifications, a city
    event report, a booking and a draft; the attacker is another verified resident."""
    victim = Acting(demo[VICTIM])
    victim.enrol("obama_2.jpg")
    v = Owner(victim, victim.client)

    decided = victim.apply("talent-housing-subsidy", TALENT)
    housing = HOUSING_CLERK.login()
    verified = housing.post(f"/api/v1/staff/cases/{decided['id']}/verify-identity", {"note": "核验身份证原件"})
    assert verified.status_code == 200, verified.content
    assert verified.json()["status"] == "approved"
    v.objects["decided_case"] = decided["id"]
    open_case = victim.apply("talent-housing-subsidy", TALENT)
    v.objects["case"] = open_case["id"]
    challenge = v.client.post("/api/v1/face/challenges", {"purpose": "case", "case": open_case["id"]}, format="json")
    assert challenge.status_code == 201, challenge.content
    v.objects["challenge"] = challenge.json()["challenge_id"]

    certificates = v.client.get("/api/v1/certificates").json()["results"]
    assert certificates, "the approved case issued a certificate"
    v.objects["certificate"] = certificates[0]["code"] if "code" in certificates[0] else certificates[0]["id"]

    notifications = v.client.get("/api/v1/notifications").json()["results"]
    v.objects["notification"] = notifications[0]["id"]

    category = v.client.get("/api/v1/events/categories").json()[0]["code"]
    event = v.client.post(
        "/api/v1/events",
        {"category": category, "lat": "34.7862", "long": "113.6685", "description": "BOLA-MARKER 井盖缺失"},
        format="json",
    )
    assert event.status_code == 201, event.content
    v.objects["event"] = event.json()["id"]

    slots = v.client.get("/api/v1/appointments/slots").json()
    slots = slots["results"] if isinstance(slots, dict) else slots
    free = next(s for s in slots if s["remaining"] > 1)
    booking = v.client.post("/api/v1/appointments", {"slot": free["id"]}, format="json")
    assert booking.status_code == 201, booking.content
    v.objects["booking"] = booking.json()["id"]
    v.objects["booked_slot"] = free["id"]

    draft = v.client.post(
        "/api/v1/drafts",
        {"service": "talent-housing-subsidy", "form": {"employer": "DRAFT-MARKER 郑州大学"}},
        format="json",
    )
    assert draft.status_code == 201, draft.content
    v.objects["draft"] = draft.json()["id"]

    Acting(demo["13800000002"])  # his wife, real-name verified: the victim invites her to act for him (亲情代办)
    mandate = v.client.post("/api/v1/delegations", {"phone": "13800000002"}, format="json")
    assert mandate.status_code == 201, mandate.content
    v.objects["mandate"] = mandate.json()["id"]
    # 帮办代办: the housing clerk files for him at the counter (a session of that clerk only)
    record = demo[VICTIM]
    assisted = housing.post(
        "/api/v1/staff/assisted-sessions",
        {"id_number": record["id_number"], "name": record["name"], "id_card_checked": True},
        format="json",
    )
    assert assisted.status_code == 201, assisted.content
    v.objects["assisted_session"] = assisted.json()["id"]
    v.objects["offer"] = senior_allowance_offer("+86" + VICTIM, dt.date(2068, 4, 12))  # 免申即享: his 80th birthday

    bundle = v.client.post(  # 一件事: one reference, its members waiting for the face check
        "/api/v1/bundles/buying-a-home/apply", {"form": {"amount": "100.00"}, "consent": True}, format="json"
    )
    assert bundle.status_code == 201, bundle.content
    v.objects["bundle"] = bundle.json()["reference_no"]

    v.markers = [
        decided["reference_no"],
        open_case["reference_no"],
        "BOLA-MARKER",
        "DRAFT-MARKER",
        demo[VICTIM]["id_number"],
        demo[VICTIM]["id_number"][-4:] + '"',  # the masked form ends with the last four digits
    ]
    attacker = Acting(demo[ATTACKER])
    return {"victim": v, "attacker": Owner(attacker, attacker.client)}
