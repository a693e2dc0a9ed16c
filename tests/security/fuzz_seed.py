"""Real objects for the fuzz run, made through the API, and the schemathesis configuration that hands them out.

A fuzzer that only ever sends random ids meets 404 on every ``/{id}`` operation and never reaches the code behind it
(the issue counted 13 operations that answered only 404 and 6 that answered only 401/403). So before the run the
fuzz resident gets one of everything a resident owns — cases in several states, a face enrolment and a challenge,
city reports in several states, bookings, notifications, a certificate, drafts — and the clerks get a follow-up to
close;
:func:`config` binds their ids to the operations' parameters as schemathesis *dictionaries* drawn half of the time,
so the other half stays random (out-of-range ids included) and the run still fuzzes.

Used by tests/security/fuzz_api.py only (not collected by pytest).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

PHOTOS = Path(__file__).resolve().parents[2] / "fixtures" / "photos"
TALENT = {"degree": "master", "employer": "郑州大学"}  # the talent housing subsidy's form for the demo resident
WHERE = [
    ("34.7862", "113.6685"),
    ("34.7562", "113.6685"),
    ("34.7862", "113.6385"),
]  # 金水区, ~3 km apart: no duplicates
PROBABILITY = 0.5  # how often a bound parameter takes a seeded value instead of a generated one


@dataclass
class Seeded:
    """Ids by kind (``case``, ``event``, …), as schemathesis dictionaries take them."""

    values: dict[str, list[Any]] = field(default_factory=dict)

    def add(self, kind: str, *values: Any) -> None:
        bucket = self.values.setdefault(kind, [])
        bucket.extend(v for v in values if v not in bucket)


class Api:
    def __init__(self, base: str, token: str) -> None:
        self.client = httpx.Client(base_url=base, headers={"X-Session-Token": token}, timeout=60)

    def call(self, method: str, path: str, expected: int | tuple[int, ...] = (200, 201), **kwargs: Any) -> Any:
        response = self.client.request(method, f"/api/v1/{path}", **kwargs)
        wanted = expected if isinstance(expected, tuple) else (expected,)
        if response.status_code not in wanted:
            raise RuntimeError(f"seeding: {method} {path} → {response.status_code} {response.text[:300]}")
        return response.json() if response.content else None

    def results(self, path: str, **params: Any) -> list[dict[str, Any]]:
        body = self.call("GET", path, params=params)
        return body["results"] if isinstance(body, dict) else body


def _jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 90, 90)).save(out, format="JPEG")
    return out.getvalue()


def seed(base: str, resident: str, housing_clerk: str, city_clerk: str) -> Seeded:
    """One of everything, in the states that let each operation do its work (the resident is real-name bound)."""
    me, housing, city = Api(base, resident), Api(base, housing_clerk), Api(base, city_clerk)
    out = Seeded()
    with open(PHOTOS / "obama_2.jpg", "rb") as image:  # 张建国's registry photo is obama_1
        me.call("POST", "face/enrol", files={"image": ("me.jpg", image, "image/jpeg")})

    def apply() -> dict[str, Any]:
        return me.call("POST", "cases", json={"service": "talent-housing-subsidy", "form": TALENT, "consent": True})

    # Each waits for the identity check, which decides: the first approved (with a certificate), the next rejected
    # (one subsidy per person; a pending one counts) and rated badly, which opens a follow-up for the housing clerk.
    decided = []
    for _ in range(2):
        case = apply()
        decided.append(
            housing.call("POST", f"staff/cases/{case['id']}/verify-identity", json={"note": "核验身份证原件"})
        )
    approved, rejected = decided
    pending, spare = apply(), apply()
    review = me.call("POST", "cases", json={"service": "public-rental-housing", "form": {}, "consent": True})
    assert review["status"] == "in_review", review  # the clerk's decide has something to decide
    me.call("POST", f"cases/{rejected['id']}/rating", json={"score": 1, "comment": "等太久"})
    challenge = me.call("POST", "face/challenges", json={"purpose": "case", "case": pending["id"]})
    out.add("case", approved["id"], pending["id"], spare["id"], rejected["id"], review["id"])
    out.add("challenge", challenge["challenge_id"])
    out.add("follow_up", *(f["id"] for f in housing.results("staff/follow-ups")))

    category = next(
        c["code"] for c in me.call("GET", "events/categories") if c["department"]["code"] == "city_management"
    )
    events = [
        me.call("POST", "events", json={"category": category, "description": "井盖缺失", "lat": lat, "long": long})
        for lat, long in WHERE
    ]
    photo = {"media": ("pothole.jpg", _jpeg(), "image/jpeg")}
    lat, long = WHERE[0]
    with_photo = me.call("POST", "events", data={"category": category, "lat": lat, "long": long}, files=photo)
    resolved, closed, received = (e["id"] for e in events)
    for event in (resolved, closed):
        for action in ("dispatch", "start", "resolve"):
            city.call("POST", f"staff/events/{event}/action", json={"action": action, "reason": "已处置"})
    me.call("POST", f"events/{closed}/confirm", json={})
    out.add("event", resolved, closed, received, with_photo["id"])
    out.add("category", category)
    out.add("lat", *(lat for lat, _ in WHERE))
    out.add("long", *(long for _, long in WHERE))

    free = [s for s in me.results("appointments/slots", available="true", page_size=50) if s["remaining"] > 1]
    for slot in free[:2]:
        out.add("booking", me.call("POST", "appointments", json={"slot": slot["id"]})["id"])
    out.add("slot", *(s["id"] for s in free[2:8]))
    out.add("venue", *(v["id"] for v in me.results("appointments/venues")))
    drafts = [
        me.call("POST", "drafts", json={"service": "talent-housing-subsidy", "form": {"degree": "master"}}),
        me.call("POST", "drafts", json={"service": "primary-school-enrolment", "form": {}}),
    ]
    out.add("draft", *(d["id"] for d in drafts))
    out.add("notification", *(n["id"] for n in me.results("notifications", page_size=5)))
    out.add("certificate", *(c["code"] for c in me.results("certificates")))
    out.add("service", *(s["code"] for s in me.call("GET", "services")))
    out.add("purpose", "case", "login")
    out.add("name", "张建国")
    out.add("id_number", "410105198804120316")  # the demo resident's own: 200 again, or 409 for another account
    out.add("decision", "approve", "reject", "return")
    missing = [kind for kind, values in out.values.items() if not values]
    if missing:
        raise RuntimeError(f"seeding made no {missing}")
    return out


# (path, parameter as schemathesis names it, kind of seeded value); a path parameter's binding also applies to the
# operations under the path (``/cases/{id}`` → ``/cases/{id}/withdraw``), a query or body parameter's to that path only
BINDINGS: list[tuple[str, str, str]] = [
    ("/api/v1/cases/{id}", "path.id", "case"),
    ("/api/v1/staff/cases/{id}", "path.id", "case"),
    ("/api/v1/events/{id}", "path.id", "event"),
    ("/api/v1/staff/events/{id}", "path.id", "event"),
    ("/api/v1/appointments/{id}", "path.id", "booking"),
    ("/api/v1/notifications/{id}", "path.id", "notification"),
    ("/api/v1/staff/follow-ups/{id}", "path.id", "follow_up"),
    ("/api/v1/certificates/verify/{code}", "path.code", "certificate"),
    ("/api/v1/services/{code}", "path.code", "service"),
    ("/api/v1/appointments/slots", "query.venue", "venue"),
    ("/api/v1/appointments", "body.slot", "slot"),
    ("/api/v1/face/challenges", "body.case", "case"),
    ("/api/v1/face/verify", "body.challenge_id", "challenge"),
    ("/api/v1/cases", "body.service", "service"),
    ("/api/v1/cases", "body.draft", "draft"),
    ("/api/v1/drafts/{id}", "path.id", "draft"),
    ("/api/v1/drafts", "body.service", "service"),
    ("/api/v1/events", "body.category", "category"),
    ("/api/v1/events", "body.lat", "lat"),
    ("/api/v1/events", "body.long", "long"),
    ("/api/v1/face/challenges", "body.purpose", "purpose"),
    ("/api/v1/me/real-name", "body.name", "name"),
    ("/api/v1/me/real-name", "body.id_number", "id_number"),
    ("/api/v1/staff/cases/{id}/decide", "body.action", "decision"),
]


def _applies(bound: str, parameter: str, path: str) -> bool:
    return path == bound or (parameter.startswith("path.") and path.startswith(bound + "/"))


def _toml(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)  # TOML's basic strings, integers and arrays read like JSON's


def config(
    seeded: Seeded, paths: list[str], headers: dict[str, str], staff_headers: dict[str, dict[str, str]] | None = None
) -> str:
    """A schemathesis.toml: the seeded dictionaries, their bindings, and the session tokens; one ``[[operations]]``
    entry per schema path that has any (schemathesis merges matching entries field by field, not key by key).

    ``staff_headers`` maps a path prefix to the headers of the operations under it (a clerk of the department that
    owns the seeded objects)."""
    lines = ["[headers]", *(f"{_toml(k)} = {_toml(v)}" for k, v in headers.items()), ""]
    for kind, values in sorted(seeded.values.items()):
        lines += [f"[dictionaries.{kind}]", f"values = {_toml(values)}", ""]
    for path in paths:
        bound = {p: kind for prefix, p, kind in BINDINGS if _applies(prefix, p, path)}
        extra = next((h for prefix, h in (staff_headers or {}).items() if path.startswith(prefix)), {})
        if not bound and not extra:
            continue
        lines += ["[[operations]]", f"include-path = {_toml(path)}"]
        if bound:
            pairs = ", ".join(
                f"{_toml(p)} = {{ dictionary = {_toml(kind)}, probability = {PROBABILITY} }}"
                for p, kind in bound.items()
            )
            lines.append(f"parameters = {{ {pairs} }}")
        if extra:
            lines += ["[operations.headers]", *(f"{_toml(k)} = {_toml(v)}" for k, v in extra.items())]
        lines.append("")
    return "\n".join(lines)
