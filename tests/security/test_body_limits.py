"""Request bodies are bounded before they are read (backend/core/bodies.py): 413 ``payload_too_large``.

A body over ``REQUEST_BODY_MAX_BYTES`` (1 MIB) is refused whether it declares its length or comes chunked, on the
API, on allauth's headless views and on Open311, and nothing is read past the limit, parsed or written. The photo
views keep their own, larger limits for multipart bodies only. Raw WSGI environs (a stream that counts what is read
from it, no ``CONTENT_LENGTH`` for chunked bodies, ``wsgi.input_terminated`` as gunicorn sets it) go through the
same handler, middleware and views as every other test request.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from backend.cases.models import Case
from backend.cityevents.models import EventReport
from backend.faceauth.models import FaceTemplate
from tests.cityevents.conftest import JINSHUI, categories  # noqa: F401
from tests.conftest import FACES
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

MIB = 1024 * 1024
CASES = "/api/v1/cases"
LOGIN = "/_allauth/app/v1/auth/login"
TALENT = {"service": "talent-housing-subsidy", "form": {"degree": "master", "employer": "郑州大学"}, "consent": True}


class CountingStream(io.RawIOBase):
    """``size`` bytes of ``content`` (repeated), never held in memory; remembers how many were read."""

    def __init__(self, size: int, content: bytes = b" ") -> None:
        self.size, self.content, self.consumed = size, content, 0

    def readable(self) -> bool:
        return True

    def read(self, n: int | None = -1) -> bytes:
        left = self.size - self.consumed
        n = left if n is None or n < 0 else min(n, left)
        self.consumed += n
        return (self.content * (n // len(self.content) + 1))[:n]


def raw_post(client: APIClient, path: str, stream: Any, *, length: int | None, content_type: str, **extra: Any):
    """POST with ``stream`` as ``wsgi.input``: ``length`` declared as Content-Length, or None for a chunked body."""
    environ = {"wsgi.input": stream, **extra}
    if length is None:
        environ.update({"CONTENT_LENGTH": "", "HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input_terminated": True})
    else:
        environ["CONTENT_LENGTH"] = str(length)
    return client.generic("POST", path, content_type=content_type, **environ)


def padded(body: dict[str, Any], size: int) -> bytes:
    """``body`` as JSON of exactly ``size`` bytes (an ignored ``padding`` member makes up the difference)."""
    skeleton = json.dumps({**body, "padding": ""}).encode()
    data = json.dumps({**body, "padding": "x" * (size - len(skeleton))}).encode()
    assert len(data) == size
    return data


def is_413(response, *, shape: str = "contract") -> str:
    assert response.status_code == 413, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    if shape == "open311":
        [error] = response.json()
        assert error["code"] == 413
        return error["description"].replace("\xa0", " ")
    error = response.json()["error"]
    assert error["code"] == "payload_too_large"
    return error["message"].replace("\xa0", " ")  # filesizeformat puts a no-break space before the unit


# --- JSON bodies --------------------------------------------------------------------------------------------------


def test_a_declared_body_over_the_limit_is_refused_unread(verified_client) -> None:
    stream = CountingStream(12 * 1000 * 1000, b'{"service": "x", ')  # the 12 MB body of issue 11
    message = is_413(raw_post(verified_client, CASES, stream, length=stream.size, content_type="application/json"))
    assert stream.consumed == 0, "not one byte of the body was read"
    assert "1.0 MB" in message and "请求内容过大" in message
    assert Case.objects.count() == 0


def test_a_body_at_the_limit_is_accepted_and_one_byte_more_is_not(verified_client, settings) -> None:
    assert settings.REQUEST_BODY_MAX_BYTES == 1024 * 1024  # the documented default
    over = verified_client.post(CASES, padded(TALENT, MIB + 1), content_type="application/json")
    is_413(over)
    assert Case.objects.count() == 0, "the valid application over the limit was not created"
    at = verified_client.post(CASES, padded(TALENT, MIB), content_type="application/json")
    assert at.status_code == 201, at.content[:300]
    assert Case.objects.count() == 1


def test_an_invalid_body_over_the_limit_is_413_not_a_parse_error(verified_client) -> None:
    """The parser never ran: a body that is not JSON at all gets the size answer, not ``parse_error``."""
    is_413(verified_client.post(CASES, b"{" * (MIB + 1), content_type="application/json"))


def test_a_chunked_body_over_the_limit_is_counted_and_refused(verified_client) -> None:
    stream = CountingStream(100 * MIB, b'{"a": 1} ')
    is_413(raw_post(verified_client, CASES, stream, length=None, content_type="application/json"))
    assert stream.consumed == MIB + 1, "reading stopped one byte past the limit"
    assert Case.objects.count() == 0


def test_a_chunked_body_within_the_limit_is_parsed(verified_client) -> None:
    """Before, Django read a body without Content-Length as empty: the application was a 400."""
    body = json.dumps(TALENT).encode()
    response = raw_post(verified_client, CASES, io.BytesIO(body), length=None, content_type="application/json")
    assert response.status_code == 201, response.content[:300]
    assert Case.objects.get().service_code == "talent-housing-subsidy"


def test_a_chunked_body_the_server_did_not_terminate_is_not_read(verified_client) -> None:
    """Without ``wsgi.input_terminated`` (wsgiref, runserver) reading to the end could block: nothing is read."""
    stream = CountingStream(100 * MIB)
    response = verified_client.generic(
        "POST", CASES, content_type="application/json", **{"wsgi.input": stream, "HTTP_TRANSFER_ENCODING": "chunked"}
    )
    assert response.status_code == 400 and stream.consumed == 0


def test_multipart_to_a_json_endpoint_keeps_the_json_limit(verified_client) -> None:
    upload = SimpleUploadedFile("big.bin", b"\0" * (2 * MIB), content_type="application/octet-stream")
    form = {"service": TALENT["service"], "consent": "true", "file": upload}
    is_413(verified_client.post(CASES, form, format="multipart"))
    assert Case.objects.count() == 0


def test_the_message_is_translated(verified_client) -> None:
    response = verified_client.post(CASES, b"{" * (MIB + 1), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert is_413(response) == "The request body is too large: at most 1.0 MB."


# --- allauth, Open311, admin -------------------------------------------------------------------------------------


def test_allauth_login_over_the_limit_is_refused_before_it_runs(resident, settings) -> None:
    credentials = {"phone": resident["phone"], "password": PASSWORD}
    client = APIClient()
    sessions = Session.objects.count()
    is_413(client.post(LOGIN, padded(credentials, MIB + 1), content_type="application/json"))
    stream = CountingStream(50 * MIB, b'{"phone": "1"} ')
    is_413(raw_post(client, LOGIN, stream, length=None, content_type="application/json"))
    assert stream.consumed == MIB + 1
    assert Session.objects.count() == sessions, "no login happened"

    at = client.post(LOGIN, padded(credentials, MIB), content_type="application/json")
    assert at.status_code == 200, at.content[:300]
    chunked = raw_post(
        client, LOGIN, io.BytesIO(json.dumps(credentials).encode()), length=None, content_type="application/json"
    )
    assert chunked.status_code == 200, chunked.content[:300]
    assert chunked.json()["meta"]["session_token"]


def test_open311_refuses_in_its_own_error_format(categories, resident_client) -> None:  # noqa: F811
    body = {"service_code": "street-light", "lat": JINSHUI[0], "long": JINSHUI[1]}
    response = resident_client.post("/open311/v2/requests.json", padded(body, MIB + 1), content_type="application/json")
    assert "1.0 MB" in is_413(response, shape="open311")
    assert EventReport.objects.count() == 0


def test_the_admin_accepts_a_registry_photo_above_the_json_limit(db) -> None:
    """Multipart to the admin (a registry photo) has ``ADMIN_UPLOAD_MAX_BYTES``: the login page answers, not 413."""
    from django.test import Client

    upload = SimpleUploadedFile("photo.jpg", b"\xff" * (2 * MIB), content_type="image/jpeg")
    response = Client().post("/admin/login/", {"username": "x", "password": "y", "photo": upload})
    assert response.status_code in {200, 403}, response.status_code  # the form (or CSRF), not the body size


# --- photo endpoints ----------------------------------------------------------------------------------------------


def big_jpeg(source: str | None, side: int, *, noise: bool = False) -> bytes:
    """A real photo enlarged to ``side`` pixels (or noise), saved at quality 95: well above 1 MIB."""
    if noise:
        import numpy as np

        image = Image.fromarray(np.random.default_rng(11).integers(0, 255, (side, side, 3), dtype=np.uint8))
    else:
        image = Image.open(FACES / source).convert("RGB")
        image = image.resize((side, side * image.height // image.width), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def test_face_photos_above_the_json_limit_are_enrolled_and_verified(verified_client) -> None:
    enrolment = big_jpeg("biden_2.jpg", 3200)
    assert MIB < len(enrolment) < 10 * MIB
    response = verified_client.post(
        "/api/v1/face/enrol", {"image": SimpleUploadedFile("me.jpg", enrolment, "image/jpeg")}, format="multipart"
    )
    assert response.status_code == 201, response.content[:300]
    challenge = verified_client.post("/api/v1/face/challenges", {"purpose": "login"}, format="json")
    assert challenge.status_code == 201, challenge.content
    still = big_jpeg("biden_1.jpg", 3200)
    assert len(still) > MIB
    verified = verified_client.post(
        "/api/v1/face/verify",
        {"challenge_id": challenge.json()["challenge_id"], "image": SimpleUploadedFile("me.jpg", still, "image/jpeg")},
        format="multipart",
    )
    assert verified.status_code == 200 and verified.json()["verified"] is True, verified.content[:300]


def test_face_bodies_above_the_face_limit_are_refused(verified_client, settings) -> None:
    from backend.faceauth import conf

    declared = CountingStream(conf.max_upload_bytes() + 1)
    response = raw_post(
        verified_client,
        "/api/v1/face/enrol",
        declared,
        length=declared.size,
        content_type="multipart/form-data; boundary=b0undary",
    )
    assert "32.0 MB" in is_413(response) and declared.consumed == 0

    photo = big_jpeg("biden_2.jpg", 3200)  # the real face the test above enrols
    settings.FACE_MAX_UPLOAD_BYTES = (MIB + len(photo)) // 2  # a lowered face limit between the JSON limit and it
    is_413(
        verified_client.post("/api/v1/face/enrol", {"image": SimpleUploadedFile("me.jpg", photo)}, format="multipart")
    )
    assert not FaceTemplate.objects.exists()


def test_event_photos_above_the_json_limit_are_stored_and_above_theirs_refused(
    categories,  # noqa: F811
    resident_client,
    settings,
) -> None:
    fields = {"category": "street-light", "lat": JINSHUI[0], "long": JINSHUI[1]}
    photo = big_jpeg(None, 1400, noise=True)
    from backend.cityevents import conf

    assert MIB < len(photo) < conf.photo_max_bytes()
    response = resident_client.post(
        "/api/v1/events", {**fields, "media": SimpleUploadedFile("p.jpg", photo, "image/jpeg")}, format="multipart"
    )
    assert response.status_code == 201, response.content[:300]
    report = EventReport.objects.get()
    assert report.photo

    # A JSON body to the same view keeps the JSON limit.
    is_413(resident_client.post("/api/v1/events", padded(fields, MIB + 1), content_type="application/json"))

    declared = CountingStream(conf.upload_max_bytes() + 1)
    response = raw_post(
        resident_client,
        "/api/v1/events",
        declared,
        length=declared.size,
        content_type="multipart/form-data; boundary=b0undary",
    )
    assert "11.0 MB" in is_413(response) and declared.consumed == 0
    open311 = raw_post(
        resident_client,
        "/open311/v2/requests.json",
        CountingStream(conf.upload_max_bytes() + 1),
        length=conf.upload_max_bytes() + 1,
        content_type="multipart/form-data; boundary=b0undary",
    )
    is_413(open311, shape="open311")

    settings.EVENTS_PHOTO_MAX_BYTES = MIB // 2  # the real photo is now above the photo limit plus the fields' MIB
    settings.REQUEST_BODY_MAX_BYTES = MIB // 4
    assert len(photo) > conf.upload_max_bytes()
    response = resident_client.post(
        "/api/v1/events", {**fields, "media": SimpleUploadedFile("p.jpg", photo, "image/jpeg")}, format="multipart"
    )
    is_413(response)
    assert EventReport.objects.count() == 1
