"""Save and resume: drafts through the API. Every refusal is a clear 4xx and changes nothing; identifiers are never
stored in clear; a draft is deleted with the case it becomes, and kept when the submission is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from backend.cases.models import Case
from backend.drafts import services
from backend.drafts.models import Draft
from backend.registries.models import DataAccessLog
from tests.personas import ZHANG_ZIHAN

pytestmark = pytest.mark.django_db

ZHANG, WU_MIN = "13800000001", "13800000010"
SCHOOL = "primary-school-enrolment"
RENTAL = "public-rental-housing"
TALENT = "talent-housing-subsidy"
PFW = "provident-fund-withdrawal"
CHILD_OF_ZHANG = ZHANG_ZIHAN.id_number  # follows the school year
MASKED_CHILD = "410105********0262"


def error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()["error"]
    assert body["code"] == code, body
    return body


def save(client, service: str, form: dict | None = None):
    body = {"service": service} if form is None else {"service": service, "form": form}
    return client.post("/api/v1/drafts", body, format="json")


def draft_rows() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM drafts_draft")
        return cursor.fetchall()


# -- the happy path --------------------------------------------------------------------------------------------------
def test_save_list_read_update_delete(resident) -> None:
    client = resident(ZHANG).client
    logged = DataAccessLog.objects.count()  # real-name binding reads the registry; drafts do not
    created = save(client, TALENT, {"degree": "master"})
    assert created.status_code == 201, created.content
    draft = created.json()
    assert set(draft) == {"id", "service", "service_name", "form", "created_at", "updated_at", "expires_at"}
    assert draft["service"] == TALENT and draft["service_name"] == "人才住房补贴"
    assert draft["form"] == {"degree": "master"}
    updated_at = dt.datetime.fromisoformat(draft["updated_at"])
    assert dt.datetime.fromisoformat(draft["expires_at"]) == updated_at + dt.timedelta(days=30)

    second = save(client, RENTAL).json()
    listed = client.get("/api/v1/drafts").json()
    assert listed["count"] == 2 and [d["id"] for d in listed["results"]] == [second["id"], draft["id"]]

    put = client.put(f"/api/v1/drafts/{draft['id']}", {"form": {"degree": "doctor", "employer": "郑"}}, format="json")
    assert put.status_code == 200, put.content
    assert put.json()["form"] == {"degree": "doctor", "employer": "郑"}  # minLength 2 is completeness, not shape
    assert put.json()["updated_at"] > draft["updated_at"]
    assert client.get(f"/api/v1/drafts/{draft['id']}").json() == put.json()
    assert [d["id"] for d in client.get("/api/v1/drafts").json()["results"]] == [draft["id"], second["id"]]

    assert client.delete(f"/api/v1/drafts/{draft['id']}").status_code == 204
    error(client.get(f"/api/v1/drafts/{draft['id']}"), 404, "not_found")
    assert Draft.objects.count() == 1
    assert DataAccessLog.objects.count() == logged


def test_english_service_name(resident) -> None:
    client = resident(ZHANG).client
    response = client.post("/api/v1/drafts", {"service": TALENT}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["service_name"] == "Talent housing subsidy"


def test_drafts_need_a_login(demo, api) -> None:
    error(api.get("/api/v1/drafts"), 401, "not_authenticated")
    error(api.post("/api/v1/drafts", {"service": TALENT}, format="json"), 401, "not_authenticated")


# -- ownership -------------------------------------------------------------------------------------------------------
def test_another_residents_draft_is_404_whatever_the_body(resident) -> None:
    owner, other = resident(ZHANG).client, resident(WU_MIN).client
    draft = save(owner, TALENT, {"degree": "master"}).json()
    url = f"/api/v1/drafts/{draft['id']}"
    error(other.get(url), 404, "not_found")
    error(other.put(url, {"form": {"degree": "doctor"}}, format="json"), 404, "not_found")
    error(other.put(url, {"form": "not an object", "base_updated_at": "x"}, format="json"), 404, "not_found")
    error(other.delete(url), 404, "not_found")
    assert other.get("/api/v1/drafts").json()["count"] == 0
    assert owner.get(url).json()["form"] == {"degree": "master"}


@pytest.mark.parametrize("path", ["0", "-1", "abc", str(10**26)])
def test_ids_out_of_range_do_not_resolve(resident, path: str) -> None:
    error(resident(ZHANG).client.get(f"/api/v1/drafts/{path}"), 404, "not_found")


# -- shape -----------------------------------------------------------------------------------------------------------
def test_unknown_service_is_404_and_a_missing_one_400(resident) -> None:
    client = resident(ZHANG).client
    error(save(client, "no-such"), 404, "unknown_service")
    err = error(client.post("/api/v1/drafts", {"form": {}}, format="json"), 400, "validation_error")
    assert "service" in err["fields"]
    assert not Draft.objects.exists()


@pytest.mark.parametrize(
    ("service", "form", "field"),
    [
        (TALENT, {"degree": "master", "salary": "1"}, "salary"),  # unknown key
        (TALENT, {"consent": True}, "consent"),  # consent is never part of a draft
        (TALENT, {"degree": 3}, "degree"),  # wrong type
        (TALENT, {"degree": "kindergarten"}, "degree"),  # not one of the choices
        (TALENT, {"employer": "单" * 101}, "employer"),  # the schema's maxLength
        (PFW, {"amount": 100}, "amount"),  # a number where the form has a string
        (PFW, {"amount": "9" * 1001}, "amount"),  # over MAX_STRING where the schema names no maxLength
        (SCHOOL, {"child_id_number": ["4101"]}, "child_id_number"),
        (TALENT, "not an object", "form"),
        (TALENT, None, "form"),
    ],
)
def test_bad_shapes_are_400_naming_the_field(resident, service: str, form, field: str) -> None:
    client = resident(ZHANG).client
    response = client.post("/api/v1/drafts", {"service": service, "form": form}, format="json")
    err = error(response, 400, "validation_error")
    assert field in err["fields"], err
    assert not Draft.objects.exists()


@pytest.mark.parametrize(
    ("service", "form"),
    [
        (PFW, {"amount": "12."}),  # half-typed: the pattern is checked on submission
        (PFW, {"reason": "rent"}),  # required fields may be missing
        (SCHOOL, {"child_id_number": "4101"}),  # a half-typed ID number
        (RENTAL, {}),
    ],
)
def test_partial_forms_are_fine(resident, service: str, form: dict) -> None:
    response = save(resident(ZHANG).client, service, form)
    assert response.status_code == 201, response.content


def test_a_bad_update_changes_nothing(resident) -> None:
    client = resident(ZHANG).client
    draft = save(client, TALENT, {"degree": "master"}).json()
    url = f"/api/v1/drafts/{draft['id']}"
    error(client.put(url, {"form": {"degree": "master", "x": 1}}, format="json"), 400, "validation_error")
    error(client.put(url, {}, format="json"), 400, "validation_error")
    error(client.put(url, {"form": {}, "base_updated_at": "yesterday"}, format="json"), 400, "validation_error")
    assert client.get(url).json() == draft


def test_a_draft_is_bounded_in_size(resident, settings) -> None:
    client = resident(ZHANG).client
    big = {"employer": "x" * 900, **{f"k{i}": "x" * 900 for i in range(80)}}  # ~72 KiB, each string within bounds
    error(save(client, TALENT, big), 413, "payload_too_large")
    settings.REQUEST_BODY_MAX_BYTES = 16 * 1024  # the request body limit applies first
    error(save(client, TALENT, big), 413, "payload_too_large")
    assert not Draft.objects.exists()


def test_at_most_ten_drafts(resident) -> None:
    client = resident(ZHANG).client
    for _ in range(services.MAX_DRAFTS):
        assert save(client, SCHOOL).status_code == 201  # two children: several drafts of one service are fine
    error(save(client, RENTAL), 409, "too_many_drafts")
    assert Draft.objects.count() == services.MAX_DRAFTS
    assert save(resident(WU_MIN).client, RENTAL).status_code == 201  # the limit is per resident


# -- two devices -----------------------------------------------------------------------------------------------------
def test_a_stale_write_from_another_device_is_409(resident) -> None:
    client = resident(ZHANG).client
    draft = save(client, TALENT, {"degree": "master"}).json()
    url = f"/api/v1/drafts/{draft['id']}"
    phone = client.put(url, {"form": {"degree": "doctor"}, "base_updated_at": draft["updated_at"]}, format="json")
    assert phone.status_code == 200, phone.content
    tablet = client.put(url, {"form": {"degree": "bachelor"}, "base_updated_at": draft["updated_at"]}, format="json")
    err = error(tablet, 409, "draft_changed")
    assert dt.datetime.fromisoformat(err["fields"]["updated_at"][0]) == dt.datetime.fromisoformat(
        phone.json()["updated_at"]
    )
    assert client.get(url).json()["form"] == {"degree": "doctor"}
    # resumed with what the other device saved, it saves again; without base_updated_at the last write wins
    seen = phone.json()["updated_at"]
    again = client.put(url, {"form": {"degree": "bachelor"}, "base_updated_at": seen}, format="json")
    assert again.status_code == 200, again.content
    assert client.put(url, {"form": {}}, format="json").json()["form"] == {}


# -- identifiers -----------------------------------------------------------------------------------------------------
def test_an_id_number_is_never_stored_in_clear(resident) -> None:
    client = resident(ZHANG).client
    draft = save(client, SCHOOL, {"child_id_number": CHILD_OF_ZHANG}).json()
    assert draft["form"] == {"child_id_number": MASKED_CHILD}
    rows = draft_rows()
    assert rows and not any(CHILD_OF_ZHANG in str(value) for row in rows for value in row)
    stored = Draft.objects.get(pk=draft["id"])
    assert stored.form == {"child_id_number": MASKED_CHILD} and stored.sealed_identifiers
    assert services.full_form(stored) == {"child_id_number": CHILD_OF_ZHANG}

    # sent back masked (the app shows what it got): unchanged, the sealed value stays
    url = f"/api/v1/drafts/{draft['id']}"
    assert client.put(url, {"form": {"child_id_number": MASKED_CHILD}}, format="json").status_code == 200
    assert services.full_form(Draft.objects.get(pk=draft["id"])) == {"child_id_number": CHILD_OF_ZHANG}
    # a new value replaces it
    assert client.put(url, {"form": {"child_id_number": "41010520"}}, format="json").json()["form"] == {
        "child_id_number": "4*******"
    }
    assert services.full_form(Draft.objects.get(pk=draft["id"])) == {"child_id_number": "41010520"}


def test_a_seal_copied_onto_another_draft_does_not_open(resident) -> None:
    client = resident(ZHANG).client
    first = save(client, SCHOOL, {"child_id_number": CHILD_OF_ZHANG}).json()
    other = save(client, SCHOOL, {"child_id_number": MASKED_CHILD}).json()
    Draft.objects.filter(pk=other["id"]).update(sealed_identifiers=Draft.objects.get(pk=first["id"]).sealed_identifiers)
    assert services.full_form(Draft.objects.get(pk=other["id"])) == {"child_id_number": MASKED_CHILD}


# -- submission ------------------------------------------------------------------------------------------------------
def submit(client, body: dict, **headers: str):
    return client.post("/api/v1/cases", body, format="json", **headers)


def test_submitting_with_a_draft_deletes_it_and_reseals_the_identifier(resident) -> None:
    client = resident(ZHANG).client
    draft = save(client, SCHOOL, {"child_id_number": CHILD_OF_ZHANG}).json()
    keep = save(client, SCHOOL).json()
    body = {"service": SCHOOL, "form": {"child_id_number": MASKED_CHILD}, "consent": True, "draft": draft["id"]}
    response = submit(client, body)
    assert response.status_code == 201, response.content
    case = response.json()
    assert case["status"] == "in_review" and case["form"] == {"child_id_number": MASKED_CHILD}, case
    from backend.cases import identifiers

    assert identifiers.full_form(Case.objects.get(pk=case["id"])) == {"child_id_number": CHILD_OF_ZHANG}
    assert list(Draft.objects.values_list("pk", flat=True)) == [keep["id"]]


def test_the_form_in_the_request_is_what_is_submitted(resident) -> None:
    client = resident(ZHANG).client
    draft = save(client, RENTAL).json()
    plain = submit(client, {"service": RENTAL, "form": {}, "consent": True}).json()
    resumed = submit(client, {"service": RENTAL, "form": {}, "consent": True, "draft": draft["id"]})
    assert resumed.status_code == 201, resumed.content
    assert resumed.json()["form"] == plain["form"] and resumed.json()["mode"] == plain["mode"]
    assert not Draft.objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"service": RENTAL, "form": {}}, 400, "consent_required"),
        ({"service": PFW, "form": {"reason": "rent"}, "consent": True}, 400, "validation_error"),
        ({"service": "no-such", "consent": True}, 404, "unknown_service"),
    ],
)
def test_a_refused_submission_keeps_the_draft(resident, body: dict, status: int, code: str) -> None:
    client = resident(ZHANG).client
    draft = save(client, body["service"] if body["service"] != "no-such" else RENTAL).json()
    error(submit(client, {**body, "draft": draft["id"]}), status, code)
    assert not Case.objects.exists()
    assert Draft.objects.filter(pk=draft["id"]).exists()


def test_a_draft_of_another_service_is_refused(resident) -> None:
    client = resident(ZHANG).client
    draft = save(client, TALENT).json()
    err = error(submit(client, {"service": RENTAL, "consent": True, "draft": draft["id"]}), 400, "validation_error")
    assert "draft" in err["fields"]
    assert not Case.objects.exists() and Draft.objects.filter(pk=draft["id"]).exists()


def test_a_foreign_or_unknown_draft_is_404_before_anything_else(resident) -> None:
    owner, other = resident(ZHANG).client, resident(WU_MIN).client
    draft = save(owner, RENTAL).json()
    for body in (
        {"service": RENTAL, "form": {}, "consent": True, "draft": draft["id"]},
        {"service": "no-such", "draft": draft["id"]},  # unknown service, no consent: the draft is checked first
        {"service": RENTAL, "consent": True, "draft": draft["id"] + 1000},
    ):
        error(submit(other, body), 404, "not_found")
    err = error(submit(other, {"service": RENTAL, "consent": True, "draft": "abc"}), 400, "validation_error")
    assert "draft" in err["fields"]
    assert not Case.objects.exists() and Draft.objects.filter(pk=draft["id"]).exists()
    # null is "no draft"
    assert submit(owner, {"service": RENTAL, "consent": True, "draft": None}).status_code == 201


def test_an_idempotent_retry_of_a_submission_with_a_draft_gets_the_first_case(resident) -> None:
    client = resident(ZHANG).client
    draft = save(client, SCHOOL, {"child_id_number": CHILD_OF_ZHANG}).json()
    body = {"service": SCHOOL, "form": {"child_id_number": MASKED_CHILD}, "consent": True, "draft": draft["id"]}
    first = submit(client, body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201, first.content
    retry = submit(client, body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert retry.status_code == 201, retry.content
    assert retry.json()["id"] == first.json()["id"] and retry.headers["Idempotent-Replayed"] == "true"
    error(submit(client, body, HTTP_IDEMPOTENCY_KEY="k-2"), 404, "not_found")  # a new key: the draft is gone
    assert Case.objects.count() == 1


def test_consent_sent_with_a_draft_is_not_kept(resident) -> None:
    client = resident(ZHANG).client
    response = client.post("/api/v1/drafts", {"service": RENTAL, "form": {}, "consent": True}, format="json")
    assert response.status_code == 201 and "consent" not in response.json()
    error(submit(client, {"service": RENTAL, "draft": response.json()["id"]}), 400, "consent_required")


# -- expiry ----------------------------------------------------------------------------------------------------------
def age(draft_id: int, days: float) -> None:
    Draft.objects.filter(pk=draft_id).update(updated_at=timezone.now() - dt.timedelta(days=days))


def test_the_sweep_deletes_expired_drafts_with_a_notice_once(resident) -> None:
    from backend.drafts.tasks import sweep_expired_drafts
    from backend.notifications.models import Notification

    person = resident(ZHANG)
    old = save(person.client, TALENT).json()
    soon = save(person.client, RENTAL).json()
    fresh = save(person.client, PFW).json()
    age(old["id"], 30.01)
    age(soon["id"], 27.5)
    age(fresh["id"], 26)
    assert sweep_expired_drafts.delay().get() == {"deleted": 1, "reminded": 1}
    assert set(Draft.objects.values_list("pk", flat=True)) == {soon["id"], fresh["id"]}

    deleted = Notification.objects.get(kind="draft.expired")
    assert deleted.body == "您的「人才住房补贴」草稿已超过30天未修改，已自动删除"
    assert deleted.body_en == "Your draft for Talent housing subsidy was deleted after 30 days without changes"
    reminder = Notification.objects.get(kind="draft.expiring")
    assert reminder.target == {"type": "draft", "id": soon["id"], "service": RENTAL}
    assert "公租房申领" in reminder.body and reminder.body_en.startswith("Your draft for")

    assert sweep_expired_drafts() == {"deleted": 0, "reminded": 0}  # a re-run sends nothing twice
    assert Notification.objects.filter(kind__startswith="draft.").count() == 2
    inbox = person.client.get("/api/v1/notifications").json()["results"]
    assert {n["kind"] for n in inbox} >= {"draft.expired", "draft.expiring"}


def test_saving_renews_the_draft_and_its_reminder(resident) -> None:
    from backend.notifications.models import Notification

    client = resident(ZHANG).client
    draft = save(client, RENTAL).json()
    age(draft["id"], 28)
    assert services.sweep() == {"deleted": 0, "reminded": 1}
    client.put(f"/api/v1/drafts/{draft['id']}", {"form": {}}, format="json")
    assert services.sweep(timezone.now() + dt.timedelta(days=29)) == {"deleted": 0, "reminded": 1}
    assert services.sweep(timezone.now() + dt.timedelta(days=31)) == {"deleted": 1, "reminded": 0}
    assert Notification.objects.filter(kind="draft.expiring").count() == 2
    assert not Draft.objects.exists()


def test_the_sweep_is_scheduled_daily(settings) -> None:
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].endswith("sweep_expired_drafts")]
    assert entries and entries[0]["schedule"] == 86400.0
