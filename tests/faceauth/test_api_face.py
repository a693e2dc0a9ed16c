"""Face API over HTTP with the real photos: enrolment, challenges, verification, lockout, counter path, privacy.

The resident's registry (household) photo is ``obama_1.jpg``; selfies are other photos of the same man (genuine)
or of other people (impostors). Purposes are exercised with a tiny "test" purpose registered here, whose target
is a notification of the user's: faceauth must work for any registered purpose without knowing the case engine.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, models
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from backend.accounts.models import User
from backend.core.errors import Conflict, DomainError, Forbidden, NotFound
from backend.faceauth import crypto, services
from backend.faceauth.models import FaceChallenge, FaceEvent, FaceLock, FaceTemplate, SeenFrame
from backend.faceauth.purposes import get_purpose, register_purpose, unregister_purpose
from backend.notifications.models import Notification
from backend.notifications.services import notify
from tests.factories import login, resident_record
from tests.personas import HOUSING_CLERK, OU_WEN

pytestmark = pytest.mark.django_db

FACES = Path(__file__).resolve().parents[1] / "faces"
ENROL, CHALLENGES, VERIFY, STATUS = (
    "/api/v1/face/enrol",
    "/api/v1/face/challenges",
    "/api/v1/face/verify",
    "/api/v1/face/status",
)


# --- helpers -------------------------------------------------------------------------------------------------------


def photo(name: str) -> SimpleUploadedFile:
    data = (FACES / name).read_bytes()
    return SimpleUploadedFile(name, data, content_type="image/png" if name.endswith(".png") else "image/jpeg")


def raw_file(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def enrol(client: APIClient, name: str = "obama_2.jpg"):
    return client.post(ENROL, {"image": photo(name)}, format="multipart")


def challenge(client: APIClient, **payload: Any) -> str:
    response = client.post(CHALLENGES, {"purpose": "login", **payload}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["challenge_id"]


def verify(client: APIClient, challenge_id: str, name: str = "obama_3.jpg"):
    return client.post(VERIFY, {"challenge_id": challenge_id, "image": photo(name)}, format="multipart")


def error_code(response) -> str:
    return response.json()["error"]["code"]


def make_resident(import_data, *, name: str, seq: int, phone: str, photo_path: str | None) -> dict[str, Any]:
    record = resident_record(name=name, seq=seq, phone=phone, photo=photo_path, household_id=f"HH-F{seq}")
    import_data({"residents": [record]})
    return record


def verified_login(record: dict[str, Any]) -> APIClient:
    client = login(record["phone"])
    response = client.post(
        "/api/v1/me/real-name", {"name": record["name"], "id_number": record["id_number"]}, format="json"
    )
    assert response.status_code == 200, response.content
    return client


def user_of(record: dict[str, Any]) -> User:
    return User.objects.get(phone=f"+86{record['phone']}")


@pytest.fixture
def obama(import_data) -> dict[str, Any]:
    """欧文 (:data:`tests.personas.OU_WEN`): registry photo obama_1."""
    record = OU_WEN.record()
    import_data({"residents": [record]})
    return record


@pytest.fixture
def obama_client(obama) -> APIClient:
    return verified_login(obama)


@pytest.fixture
def obama_user(obama, obama_client) -> User:
    return user_of(obama)


@pytest.fixture
def enrolled(obama_client) -> APIClient:
    response = enrol(obama_client)
    assert response.status_code == 201, response.content
    return obama_client


@pytest.fixture
def biden(import_data) -> dict[str, Any]:
    return make_resident(import_data, name="白登", seq=613, phone="16600000913", photo_path="photos/biden_1.jpg")


@pytest.fixture
def biden_client(biden) -> APIClient:
    client = verified_login(biden)
    assert enrol(client, "biden_2.jpg").status_code == 201
    return client


# --- a test purpose: "confirm a notification with your face" -------------------------------------------------------


def _resolve_notification(user, payload) -> int:
    try:
        notification_id = int(payload.get("notification"))
    except (TypeError, ValueError):
        raise DomainError("validation_error", "notification required", fields={"notification": ["required"]}) from None
    notification = Notification.objects.filter(pk=notification_id, user=user).first()
    if notification is None:
        raise NotFound()
    if notification.read_at is not None:
        raise Conflict("not_pending", "already confirmed")
    return notification.pk


def _notification_verified(user, target) -> dict[str, Any]:
    notification = Notification.objects.select_for_update().get(pk=target, user=user)
    if notification.read_at is not None:
        raise Conflict("not_pending", "already confirmed")
    notification.read_at = timezone.now()
    notification.save(update_fields=["read_at"])
    return {"notification": {"id": notification.pk, "read": True}}


@pytest.fixture
def test_purpose():
    register_purpose("test", resolve=_resolve_notification, on_verified=_notification_verified, replace=True)
    yield "test"
    unregister_purpose("test")


# --- enrolment -------------------------------------------------------------------------------------------------------


def test_enrol_genuine_selfie_stores_an_encrypted_template(obama_client, obama_user) -> None:
    assert obama_client.get("/api/v1/me").json()["face_enrolled"] is False
    response = enrol(obama_client, "obama_2.jpg")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["face_enrolled"] is True and body["model_version"] and body["enrolled_at"]
    assert obama_client.get("/api/v1/me").json()["face_enrolled"] is True

    template = FaceTemplate.objects.get(user=obama_user)
    assert template.encoding_encrypted.startswith("gAAAAA")  # a Fernet token, not floats
    assert template.vector().shape == (128,)
    assert [e.kind for e in FaceEvent.objects.filter(user=obama_user)] == ["enrol"]

    status = obama_client.get(STATUS).json()
    assert status["enrolled"] is True and status["locked_until"] is None and status["liveness"] == "off"


def test_re_enrolment_replaces_the_template_and_is_logged(enrolled, obama_user) -> None:
    first = FaceTemplate.objects.get(user=obama_user)
    response = enrol(enrolled, "obama_3.jpg")
    assert response.status_code == 201, response.content
    second = FaceTemplate.objects.get(user=obama_user)
    assert second.pk == first.pk and second.enrol_count == 2
    assert second.encoding_encrypted != first.encoding_encrypted
    assert sorted(FaceEvent.objects.filter(user=obama_user).values_list("kind", flat=True)) == ["enrol", "re_enrol"]


def test_enrol_impostor_is_face_mismatch_and_counts_as_a_failure(obama_client, obama_user) -> None:
    response = enrol(obama_client, "biden_2.jpg")
    assert response.status_code == 422
    assert error_code(response) == "face_mismatch"
    assert "distance" not in response.content.decode()
    assert not FaceTemplate.objects.filter(user=obama_user).exists()
    assert list(FaceEvent.objects.filter(user=obama_user).values_list("kind", flat=True)) == ["enrol_fail"]
    assert FaceLock.objects.get(user=obama_user).failures == 1


@pytest.mark.parametrize(
    ("name", "status", "code"),
    [
        ("edge_two_people.jpg", 422, "multiple_faces"),
        # The RGBA PNG is Obama (alpha composed onto white by the engine): handled like any photo.
        ("edge_32bit_rgba.png", 201, None),
        # Part of the face is out of frame, but HOG still finds it and it matches the registry photo.
        ("edge_obama_partial_face.jpg", 201, None),
        ("obama_4_480p.jpg", 201, None),
        ("kit_harington_1.jpg", 422, "face_mismatch"),
        ("lin_manuel_miranda_1.png", 422, "face_mismatch"),
    ],
)
def test_every_edge_photo_gets_a_clear_answer(obama_client, name: str, status: int, code: str | None) -> None:
    response = enrol(obama_client, name)
    assert response.status_code == status, response.content
    if code:
        assert error_code(response) == code


def _gif() -> bytes:
    buffer = io.BytesIO()
    Image.open(FACES / "obama_1.jpg").convert("P").save(buffer, "GIF")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "upload",
    [
        lambda: raw_file("note.txt", "这不是照片 not a photo\n".encode(), "text/plain"),
        lambda: raw_file("obama.gif", _gif(), "image/gif"),
        lambda: raw_file("obama.jpg", _gif(), "image/jpeg"),  # a GIF named and typed as JPEG
        lambda: raw_file("cut.jpg", (FACES / "obama_1.jpg").read_bytes()[:20000]),
        lambda: raw_file("empty.jpg", b""),
    ],
    ids=["text", "gif", "gif-as-jpeg", "truncated-jpeg", "empty"],
)
def test_unusable_files_are_invalid_image(obama_client, upload) -> None:
    response = obama_client.post(ENROL, {"image": upload()}, format="multipart")
    assert response.status_code == 422, response.content
    assert error_code(response) == "invalid_image"


def test_a_picture_without_a_face_is_no_face(obama_client) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (120, 160, 200)).save(buffer, "PNG")
    response = obama_client.post(ENROL, {"image": raw_file("sky.png", buffer.getvalue(), "image/png")})
    assert response.status_code == 422
    assert error_code(response) == "no_face"


def test_enrol_without_image_is_a_validation_error(obama_client) -> None:
    response = obama_client.post(ENROL, {}, format="multipart")
    assert response.status_code == 400
    assert error_code(response) == "validation_error" and "image" in response.json()["error"]["fields"]


def test_enrol_needs_real_name_verification(import_data) -> None:
    record = make_resident(import_data, name="欧文", seq=611, phone="16600000911", photo_path="photos/obama_1.jpg")
    client = login(record["phone"])  # logged in, not real-name verified
    response = enrol(client)
    assert response.status_code == 403
    assert error_code(response) == "real_name_required"


def test_enrol_needs_a_registry_photo(import_data) -> None:
    record = make_resident(import_data, name="无照", seq=615, phone="16600000915", photo_path=None)
    response = enrol(verified_login(record))
    assert response.status_code == 422
    assert error_code(response) == "no_registry_photo"


def test_face_api_needs_authentication(api: APIClient) -> None:
    for response in (api.get(STATUS), api.post(ENROL), api.post(CHALLENGES, {}, format="json"), api.post(VERIFY)):
        assert response.status_code == 401
        assert "error" in response.json()


def test_withdrawing_consent_deletes_the_template(enrolled, obama_user) -> None:
    response = enrolled.delete(ENROL)
    assert response.status_code == 204
    assert enrolled.get("/api/v1/me").json()["face_enrolled"] is False
    assert "withdrawn" in FaceEvent.objects.filter(user=obama_user).values_list("kind", flat=True)
    assert error_code(enrolled.post(CHALLENGES, {"purpose": "login"}, format="json")) == "face_not_enrolled"


# --- challenges ------------------------------------------------------------------------------------------------------


def test_login_challenge_is_random_stored_hashed_and_short_lived(enrolled, obama_user) -> None:
    response = enrolled.post(CHALLENGES, {"purpose": "login"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["actions"] == []
    token = body["challenge_id"]
    assert len(token) >= 40
    stored = FaceChallenge.objects.get(user=obama_user)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not FaceChallenge.objects.filter(token_hash=token).exists()
    assert stored.purpose == "login" and stored.target is None
    lifetime = stored.expires_at - timezone.now()
    assert timedelta(seconds=30) < lifetime <= timedelta(minutes=5)
    assert challenge(enrolled) != token


@pytest.mark.parametrize("payload", [{"purpose": "nope"}, {}, {"purpose": ""}, {"purpose": ["login"]}])
def test_unknown_or_missing_purpose_is_400(enrolled, payload) -> None:
    response = enrolled.post(CHALLENGES, payload, format="json")
    assert response.status_code == 400
    assert error_code(response) == "validation_error" and "purpose" in response.json()["error"]["fields"]


def test_challenge_needs_an_enrolled_face(obama_client) -> None:
    response = obama_client.post(CHALLENGES, {"purpose": "login"}, format="json")
    assert response.status_code == 409
    assert error_code(response) == "face_not_enrolled"


def test_challenge_for_another_users_target_is_404(enrolled, obama_user, biden, test_purpose) -> None:
    other = user_of(biden)
    theirs = notify(other, "test", "theirs")
    response = enrolled.post(CHALLENGES, {"purpose": "test", "notification": theirs.pk}, format="json")
    assert response.status_code == 404
    assert error_code(response) == "not_found"
    mine = notify(obama_user, "test", "mine")
    mine.read_at = timezone.now()
    mine.save()
    response = enrolled.post(CHALLENGES, {"purpose": "test", "notification": mine.pk}, format="json")
    assert response.status_code == 409 and error_code(response) == "not_pending"
    assert not FaceChallenge.objects.exists()


# --- verification ----------------------------------------------------------------------------------------------------


def test_verify_genuine_runs_the_purpose_and_consumes_the_challenge(enrolled, obama_user, test_purpose) -> None:
    notice = notify(obama_user, "test", "confirm me")
    token = challenge(enrolled, purpose="test", notification=notice.pk)
    response = verify(enrolled, token, "obama_3.jpg")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {"verified": True, "attempts_left": 3, "notification": {"id": notice.pk, "read": True}}
    notice.refresh_from_db()
    assert notice.read_at is not None
    stored = FaceChallenge.objects.get(user=obama_user)
    assert stored.used_at is not None and stored.outcome == "passed"
    event = FaceEvent.objects.get(user=obama_user, kind="verify_pass")
    assert event.purpose == "test" and event.target == notice.pk and event.challenge == stored

    again = verify(enrolled, token, "obama_3.jpg")
    assert again.status_code == 409
    assert error_code(again) == "challenge_used"


def test_verify_login_purpose_returns_just_the_verdict(enrolled) -> None:
    response = verify(enrolled, challenge(enrolled), "obama_4_480p.jpg")
    assert response.status_code == 200
    assert response.json() == {"verified": True, "attempts_left": 3}


def test_verify_impostor_fails_without_consuming_until_the_challenge_is_spent(enrolled, obama_user) -> None:
    template_before = FaceTemplate.objects.get(user=obama_user).encoding_encrypted
    token = challenge(enrolled)
    lefts = []
    for _ in range(3):
        response = verify(enrolled, token, "biden_2.jpg")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["verified"] is False and set(body) == {"verified", "attempts_left", "advice"}  # never a distance
        lefts.append(body["attempts_left"])
    assert lefts == [2, 1, 0]
    spent = verify(enrolled, token, "obama_3.jpg")  # even the right face: the challenge is spent
    assert spent.status_code == 409 and error_code(spent) == "challenge_used"
    stored = FaceChallenge.objects.get(user=obama_user)
    assert stored.attempts == 3 and stored.outcome == "failed"
    # Nothing stored on failure except the audit trail and the counters.
    assert FaceTemplate.objects.get(user=obama_user).encoding_encrypted == template_before
    assert not SeenFrame.objects.exists()
    assert (
        list(FaceEvent.objects.filter(user=obama_user, kind="verify_fail").values_list("kind", flat=True))
        == ["verify_fail"] * 3
    )


def test_a_failed_attempt_leaves_the_challenge_usable(enrolled) -> None:
    token = challenge(enrolled)
    refused = verify(enrolled, token, "rose_leslie_1.jpg").json()
    assert (refused["verified"], refused["attempts_left"], refused["advice"]["next"]) == (
        False,
        2,
        ["retry", "counter_appointment"],
    )
    response = verify(enrolled, token, "obama_3.jpg")
    assert response.json() == {"verified": True, "attempts_left": 2}


def test_expired_challenge_is_410(enrolled, obama_user) -> None:
    token = challenge(enrolled)
    FaceChallenge.objects.filter(user=obama_user).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = verify(enrolled, token)
    assert response.status_code == 410
    assert error_code(response) == "challenge_expired"


def test_short_expiry_setting_applies(enrolled, settings) -> None:
    settings.FACE_CHALLENGE_TTL_SECONDS = 0
    response = verify(enrolled, challenge(enrolled))
    assert response.status_code == 410


def test_unknown_or_another_users_challenge_is_404(enrolled, biden_client) -> None:
    theirs = challenge(biden_client)
    response = verify(enrolled, theirs, "obama_3.jpg")
    assert response.status_code == 404
    assert error_code(response) == "not_found"
    assert verify(enrolled, "not-a-challenge").status_code == 404
    # ...and the owner can still use it.
    assert verify(biden_client, theirs, "biden_1.jpg").json()["verified"] is True


def test_verify_input_errors_are_not_counted(enrolled, obama_user) -> None:
    token = challenge(enrolled)
    assert error_code(verify(enrolled, token, "edge_two_people.jpg")) == "multiple_faces"
    missing = enrolled.post(VERIFY, {"challenge_id": token}, format="multipart")
    assert missing.status_code == 400 and error_code(missing) == "validation_error"
    no_id = enrolled.post(VERIFY, {"image": photo("obama_3.jpg")}, format="multipart")
    assert no_id.status_code == 400 and "challenge_id" in no_id.json()["error"]["fields"]
    two = enrolled.post(
        VERIFY, {"challenge_id": token, "image": [photo("obama_3.jpg"), photo("obama_2.jpg")]}, format="multipart"
    )
    assert two.status_code == 400
    bad = enrolled.post(VERIFY, {"challenge_id": token, "image": raw_file("x.jpg", b"GIF89a")}, format="multipart")
    assert bad.status_code == 422 and error_code(bad) == "invalid_image"
    assert FaceChallenge.objects.get(user=obama_user).attempts == 0
    assert not FaceLock.objects.filter(user=obama_user, failures__gt=0).exists()


def test_lockout_after_repeated_failures(enrolled, obama_user) -> None:
    first = challenge(enrolled)
    for _ in range(3):
        assert verify(enrolled, first, "biden_2.jpg").json()["verified"] is False
    second = challenge(enrolled)
    fourth = verify(enrolled, second, "biden_2.jpg").json()
    assert (fourth["verified"], fourth["attempts_left"], fourth["advice"]["next"]) == (
        False,
        1,
        ["retry", "counter_appointment"],
    )
    fifth = verify(enrolled, second, "biden_2.jpg").json()  # locked now: the counter is the way on
    assert (fifth["verified"], fifth["attempts_left"], fifth["advice"]["next"]) == (False, 0, ["counter_appointment"])

    locked = verify(enrolled, second, "obama_3.jpg")  # the right face, but locked
    assert locked.status_code == 429
    assert error_code(locked) == "face_locked"
    assert 0 < int(locked["Retry-After"]) <= 15 * 60
    assert error_code(enrolled.post(CHALLENGES, {"purpose": "login"}, format="json")) == "face_locked"
    assert error_code(enrol(enrolled, "obama_3.jpg")) == "face_locked"
    assert enrolled.get(STATUS).json()["locked_until"] is not None
    assert FaceEvent.objects.filter(user=obama_user, kind="locked").count() == 1

    # When the lock expires, the right face passes on the still unused challenge.
    FaceLock.objects.filter(user=obama_user).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert verify(enrolled, second, "obama_3.jpg").json()["verified"] is True


def test_failures_outside_the_window_are_forgotten(enrolled, obama_user, settings) -> None:
    settings.FACE_LOCK_MAX_FAILURES = 2
    assert verify(enrolled, challenge(enrolled), "biden_2.jpg").json()["attempts_left"] == 1
    FaceLock.objects.filter(user=obama_user).update(window_started_at=timezone.now() - timedelta(hours=1))
    assert verify(enrolled, challenge(enrolled), "biden_2.jpg").json()["attempts_left"] == 1
    assert not FaceLock.objects.filter(user=obama_user, locked_until__isnull=False).exists()


def test_success_resets_the_failure_count(enrolled, obama_user) -> None:
    verify(enrolled, challenge(enrolled), "biden_2.jpg")
    assert FaceLock.objects.get(user=obama_user).failures == 1
    assert verify(enrolled, challenge(enrolled), "obama_3.jpg").json()["verified"] is True
    assert FaceLock.objects.get(user=obama_user).failures == 0


def test_purpose_refusal_rolls_back_and_leaves_the_challenge_usable(enrolled, obama_user, test_purpose) -> None:
    notice = notify(obama_user, "test", "confirm me")
    token = challenge(enrolled, purpose="test", notification=notice.pk)
    Notification.objects.filter(pk=notice.pk).update(read_at=timezone.now())  # state changed meanwhile
    response = verify(enrolled, token, "obama_3.jpg")
    assert response.status_code == 409 and error_code(response) == "not_pending"
    assert FaceChallenge.objects.get(user=obama_user).used_at is None
    assert not FaceEvent.objects.filter(kind="verify_pass").exists()
    Notification.objects.filter(pk=notice.pk).update(read_at=None)
    assert verify(enrolled, token, "obama_3.jpg").json()["verified"] is True


def test_verify_uses_the_face_throttle_scope(enrolled, monkeypatch) -> None:
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"face": "3/min"})  # the enrolment was the first
    assert enrolled.get(STATUS).status_code == 200
    assert enrolled.get(STATUS).status_code == 200
    throttled = enrolled.get(STATUS)
    assert throttled.status_code == 429 and error_code(throttled) == "throttled"


@pytest.mark.skipif(
    "postgresql" not in django_settings.DATABASES["default"]["ENGINE"],
    reason="row locks under real concurrency need PostgreSQL",  # skipped before the DB is set up: no flush
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_verifications_consume_a_challenge_once(import_data) -> None:
    record = make_resident(import_data, name="欧文", seq=611, phone="16600000911", photo_path="photos/obama_1.jpg")
    client = verified_login(record)
    assert enrol(client).status_code == 201
    token = challenge(client)
    results: list[int] = []
    barrier = threading.Barrier(3)

    def attempt() -> None:
        own = APIClient()
        own.credentials(**client._credentials)
        barrier.wait()
        response = verify(own, token, "obama_3.jpg")
        results.append(response.status_code if response.status_code != 200 else int(response.json()["verified"]))
        connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [1, 409, 409]


# --- counter alternative ---------------------------------------------------------------------------------------------


@pytest.fixture
def clerk() -> User:
    """The housing clerk (:data:`tests.personas.HOUSING_CLERK`) at the counter."""
    return HOUSING_CLERK.account()


def test_counter_verification_runs_the_purpose_and_is_logged(obama_user, clerk, test_purpose) -> None:
    notice = notify(obama_user, "test", "confirm at the counter")
    extra = services.mark_identity_verified_in_person(clerk, obama_user, "test", notice.pk, "已查验身份证原件")
    assert extra == {"notification": {"id": notice.pk, "read": True}}
    event = FaceEvent.objects.get(user=obama_user, kind="counter_verified")
    assert event.actor == clerk and event.note == "已查验身份证原件" and event.target == notice.pk
    # No face template is needed for the counter path.
    assert not FaceTemplate.objects.filter(user=obama_user).exists()


def test_counter_verification_is_for_staff_with_a_note(obama_user, clerk, test_purpose, biden) -> None:
    notice = notify(obama_user, "test", "x")
    resident = user_of(biden)
    with pytest.raises(Forbidden):
        services.mark_identity_verified_in_person(resident, obama_user, "test", notice.pk, "note")
    with pytest.raises(DomainError) as blank:
        services.mark_identity_verified_in_person(clerk, obama_user, "test", notice.pk, "  ")
    assert blank.value.code == "validation_error"
    with pytest.raises(DomainError):
        services.mark_identity_verified_in_person(clerk, obama_user, "no-such-purpose", None, "note")
    assert not FaceEvent.objects.filter(kind="counter_verified").exists()
    Notification.objects.filter(pk=notice.pk).update(read_at=timezone.now())
    with pytest.raises(Conflict):  # the purpose refuses: nothing is logged
        services.mark_identity_verified_in_person(clerk, obama_user, "test", notice.pk, "已查验身份证原件")
    assert not FaceEvent.objects.filter(kind="counter_verified").exists()


# --- purposes registry -----------------------------------------------------------------------------------------------


def test_purpose_registry_rejects_silent_takeovers() -> None:
    login_purpose = get_purpose("login")
    register_purpose("login", resolve=login_purpose.resolve, on_verified=login_purpose.on_verified)  # idempotent
    with pytest.raises(ValueError):
        register_purpose("login", resolve=lambda u, p: None, on_verified=lambda u, t: {})
    with pytest.raises(ValueError):
        register_purpose("bad name!", resolve=lambda u, p: None, on_verified=lambda u, t: {})
    assert get_purpose("login") is login_purpose


# --- privacy: no photo kept, template encrypted and key rotation -----------------------------------------------------


def test_faceauth_models_have_no_place_for_a_photo() -> None:
    from django.apps import apps

    for model in apps.get_app_config("faceauth").get_models():
        for field in model._meta.get_fields():
            assert not isinstance(field, (models.FileField, models.BinaryField)), f"{model.__name__}.{field.name}"


def test_photos_are_never_written_to_disk(enrolled, settings, tmp_path) -> None:
    # Uploads above FILE_UPLOAD_MAX_MEMORY_SIZE would normally be spooled to FILE_UPLOAD_TEMP_DIR.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    os.mkdir(settings.FILE_UPLOAD_TEMP_DIR)
    media_before = sorted(p.relative_to(settings.MEDIA_ROOT) for p in Path(settings.MEDIA_ROOT).rglob("*"))
    assert enrol(enrolled, "obama_3.jpg").status_code == 201
    assert verify(enrolled, challenge(enrolled), "obama_2.jpg").json()["verified"] is True
    assert verify(enrolled, challenge(enrolled), "biden_2.jpg").json()["verified"] is False
    assert os.listdir(settings.FILE_UPLOAD_TEMP_DIR) == []
    assert sorted(p.relative_to(settings.MEDIA_ROOT) for p in Path(settings.MEDIA_ROOT).rglob("*")) == media_before


def test_oversized_request_is_413_without_reading_it(enrolled, settings) -> None:
    settings.FACE_MAX_UPLOAD_BYTES = 10_000
    response = enrol(enrolled, "obama_3.jpg")
    assert response.status_code == 413
    assert error_code(response) == "payload_too_large"


def test_template_ciphertext_is_bound_to_its_user(enrolled, obama_user, biden_client, biden) -> None:
    other = user_of(biden)
    stolen = FaceTemplate.objects.get(user=obama_user).encoding_encrypted
    FaceTemplate.objects.filter(user=other).update(encoding_encrypted=stolen)
    with pytest.raises(crypto.TemplateUnreadable):
        FaceTemplate.objects.get(user=other).vector()
    response = biden_client.post(CHALLENGES, {"purpose": "login"}, format="json")
    assert response.status_code == 409 and error_code(response) == "face_reenrol_required"


def test_key_rotation(obama_client, obama_user, settings) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    assert enrol(obama_client).status_code == 201
    before = FaceTemplate.objects.get(user=obama_user).encoding_encrypted

    settings.FIELD_ENCRYPTION_KEYS = [new, old]  # new key first: encrypts; old still decrypts
    assert verify(obama_client, challenge(obama_client)).json()["verified"] is True
    call_command("rotate_face_keys", stdout=io.StringIO())
    assert FaceTemplate.objects.get(user=obama_user).encoding_encrypted != before

    settings.FIELD_ENCRYPTION_KEYS = [new]  # old key retired
    assert verify(obama_client, challenge(obama_client)).json()["verified"] is True

    settings.FIELD_ENCRYPTION_KEYS = ["a-passphrase-that-is-not-the-key"]  # lost key: re-enrol, never a 500
    response = obama_client.post(CHALLENGES, {"purpose": "login"}, format="json")
    assert response.status_code == 409 and error_code(response) == "face_reenrol_required"


def test_moving_development_templates_to_a_configured_key(obama_client, obama_user, settings) -> None:
    settings.FIELD_ENCRYPTION_KEYS = []  # development: key derived from SECRET_KEY
    assert enrol(obama_client).status_code == 201
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.TemplateUnreadable):  # the derived key is not in the normal ring
        FaceTemplate.objects.get(user=obama_user).vector()
    call_command("rotate_face_keys", "--from-secret-key", stdout=io.StringIO())
    assert verify(obama_client, challenge(obama_client)).json()["verified"] is True


def test_prune_removes_old_replay_digests_and_challenges(enrolled, obama_user) -> None:
    long_ago = timezone.now() - timedelta(days=60)
    SeenFrame.objects.create(digest="a" * 64, user=obama_user, seen_at=long_ago)
    SeenFrame.objects.create(digest="b" * 64, user=obama_user, seen_at=timezone.now())
    challenge(enrolled)
    FaceChallenge.objects.update(expires_at=long_ago)
    out = io.StringIO()
    call_command("prune_faceauth", stdout=out)
    assert list(SeenFrame.objects.values_list("digest", flat=True)) == ["b" * 64]
    assert not FaceChallenge.objects.exists()
    assert "1 seen frames" in out.getvalue()


# --- admin -----------------------------------------------------------------------------------------------------------


def test_admin_shows_face_records_read_only_and_never_the_encoding(enrolled, obama_user) -> None:
    from django.test import Client

    verify(enrolled, challenge(enrolled))
    admin = User.objects.create_superuser(username="root_face", password="x-Pass-2026!")
    browser = Client()
    browser.force_login(admin)
    template = FaceTemplate.objects.get(user=obama_user)
    for url in [
        "/admin/faceauth/facetemplate/",
        f"/admin/faceauth/facetemplate/{template.pk}/change/",
        "/admin/faceauth/faceevent/",
        "/admin/faceauth/facechallenge/",
        "/admin/faceauth/facelock/",
    ]:
        page = browser.get(url)
        assert page.status_code == 200, url
        assert template.encoding_encrypted[:40] not in page.content.decode()
    assert browser.get("/admin/faceauth/facetemplate/add/").status_code == 403
    assert browser.post(f"/admin/faceauth/facetemplate/{template.pk}/delete/", {"post": "yes"}).status_code == 403
    assert FaceTemplate.objects.filter(pk=template.pk).exists()
