"""Issue 11 item 5: phone photos at the working size, and what a refused resident is told.

Every photo is built here with Pillow from the real photos of ``tests/faces``: a 4000-px phone photo stored rotated
with an EXIF Orientation, a darkened selfie, a face far away on a large blank picture. The resident is
``obama`` of test_api_face.py (registry photo obama_1.jpg, enrolled with obama_2.jpg).
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageOps
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.faceauth import services
from backend.faceauth.engine import MAX_SIDE, load_image
from backend.faceauth.models import FaceChallenge
from tests.faceauth.test_api_face import VERIFY, challenge, enrol, error_code, make_resident, user_of, verified_login

pytestmark = pytest.mark.django_db

FACES = Path(__file__).resolve().parents[1] / "faces"
# Pixels as a phone stores them for each EXIF orientation (exif_transpose applies the inverse).
_STORED = {6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270, 3: Image.Transpose.ROTATE_180}


@pytest.fixture
def obama(import_data) -> dict[str, Any]:
    return make_resident(import_data, name="欧文", seq=611, phone="16600000911", photo_path="photos/obama_1.jpg")


@pytest.fixture
def enrolled(obama) -> APIClient:
    client = verified_login(obama)
    assert enrol(client).status_code == 201
    return client


@pytest.fixture
def obama_user(obama, enrolled) -> User:
    return user_of(obama)


def upright(name: str) -> Image.Image:
    with Image.open(FACES / name) as image:
        return ImageOps.exif_transpose(image).convert("RGB")


def jpeg(image: Image.Image, quality: int = 85, exif: bytes | None = None) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, **({"exif": exif} if exif else {}))
    return out.getvalue()


def phone_photo(name: str, orientation: int, quality: int = 70, long_side: int = 4000) -> bytes:
    """``name`` upscaled to a ``long_side`` phone photo, pixels stored rotated, EXIF Orientation set, JPEG q70."""
    image = upright(name)
    scale = long_side / max(image.size)
    image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.BICUBIC)
    exif = Image.Exif()
    exif[0x0112] = orientation
    return jpeg(image.transpose(_STORED[orientation]), quality, exif.tobytes())


def darkened(name: str, factor: float) -> bytes:
    pixels = np.asarray(upright(name), dtype=np.float64) * factor
    return jpeg(Image.fromarray(pixels.astype(np.uint8)))


def far_away(name: str, width: int) -> bytes:
    """``name`` shrunk to ``width`` px and pasted on a 3000x4000 grey picture: a resident far from the camera."""
    face = upright(name)
    canvas = Image.new("RGB", (3000, 4000), (200, 200, 200))
    canvas.paste(face.resize((width, round(width * face.height / face.width))), (1000, 1500))
    return jpeg(canvas)


def send(client: APIClient, token: str, data: bytes, **headers: str):
    upload = SimpleUploadedFile("selfie.jpg", data, content_type="image/jpeg")
    return client.post(VERIFY, {"challenge_id": token, "image": upload}, format="multipart", **headers)


def advice_of(response) -> dict[str, Any]:
    """The advice of a refusal, whichever shape: 200 not verified, or a 422 photo that could not be judged."""
    body = response.json()
    if response.status_code == 200:
        assert body["verified"] is False, body
        return body["advice"]
    assert response.status_code == 422, body
    return body["error"]["advice"]


def assert_no_score(value: Any) -> None:
    """Nothing numeric except attempts_left, and no key that names a measurement."""
    if isinstance(value, dict):
        for key, item in value.items():
            assert not any(word in key for word in ("score", "distance", "threshold", "luma", "sharp", "quality"))
            if key != "attempts_left":
                assert_no_score(item)
    elif isinstance(value, list):
        for item in value:
            assert_no_score(item)
    else:
        assert isinstance(value, (str, bool)) or value is None, value
        # nor a number written into the words (a distance, a similarity, a percentage)
        assert not (isinstance(value, str) and re.search(r"\d", value)), value


# --- (a) phone photos -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("orientation", [6, 8, 3])
def test_a_4000px_exif_rotated_phone_photo_verifies_at_the_working_size(enrolled, orientation: int) -> None:
    data = phone_photo("obama_3.jpg", orientation)
    image = load_image(data)
    # obama_3 is a portrait (1434x2333): upright after EXIF, analysed at the working size (1600 px before).
    assert MAX_SIDE == 640 and image.shape[0] == 640 and abs(image.shape[1] - round(1434 * 640 / 2333)) <= 1
    response = send(enrolled, challenge(enrolled), data)
    assert response.status_code == 200, response.content
    assert response.json() == {"verified": True, "attempts_left": 3}


def test_registry_photo_and_selfie_are_analysed_at_the_same_working_size(obama_user) -> None:
    """Templates and probes come from the same loader: the registry photo is encoded at MAX_SIDE too."""
    services.registry_encodings.clear()
    resident = services.resident_of(obama_user)
    registry = load_image(resident.photo.open("rb").read())
    assert max(registry.shape[:2]) == MAX_SIDE
    assert services.registry_encoding(resident).shape == (128,)


# --- (b) advice from what can be measured ---------------------------------------------------------------------------


def test_a_dark_photo_is_told_to_find_light(enrolled) -> None:
    response = send(enrolled, challenge(enrolled), darkened("obama_3.jpg", 0.08))
    advice = advice_of(response)
    assert advice["code"] == "too_dark"
    assert advice["message"] == "光线太暗：请面向窗户或打开灯，让脸上光线充足后再拍。"
    assert advice["next"] == ["retry", "counter_appointment"]


def test_the_advice_follows_accept_language(enrolled) -> None:
    response = send(enrolled, challenge(enrolled), darkened("obama_3.jpg", 0.08), HTTP_ACCEPT_LANGUAGE="en")
    advice = advice_of(response)
    assert advice["message"].startswith("Too dark: face a window or switch on a light")
    assert "counter" in advice["other_paths"]


def test_a_face_far_from_the_camera_is_told_to_come_closer(enrolled) -> None:
    # Not the resident's face, and small (~45 px of a 480x640 working image): come closer, not "you are not you".
    response = send(enrolled, challenge(enrolled), far_away("biden_2.jpg", 700))
    assert response.status_code == 200, response.content
    assert response.json()["verified"] is False
    assert advice_of(response)["code"] == "too_far"
    assert "拿近" in advice_of(response)["message"]


def test_a_face_too_small_to_find_is_no_face_with_advice_on_distance(enrolled, obama_user) -> None:
    response = send(enrolled, challenge(enrolled), far_away("obama_1.jpg", 200))
    assert response.status_code == 422 and error_code(response) == "no_face"
    advice = advice_of(response)
    assert advice["code"] == "no_face" and "拿近" in advice["message"]
    assert advice["next"] == ["retry", "counter_appointment"]  # not counted: a retry is always open
    assert FaceChallenge.objects.get(user=obama_user).attempts == 0


def test_two_people_get_one_person_advice(enrolled) -> None:
    response = send(enrolled, challenge(enrolled), (FACES / "edge_two_people.jpg").read_bytes())
    assert error_code(response) == "multiple_faces"
    assert advice_of(response)["code"] == "one_person"


def test_after_the_last_attempt_the_counter_is_the_way_on(enrolled) -> None:
    token = challenge(enrolled)
    nexts = [advice_of(send(enrolled, token, (FACES / "biden_2.jpg").read_bytes()))["next"] for _ in range(3)]
    assert nexts == [["retry", "counter_appointment"]] * 2 + [["counter_appointment"]]
    last = advice_of(send(enrolled, challenge(enrolled), (FACES / "rose_leslie_1.jpg").read_bytes()))
    assert last["code"] == "not_matched"  # a well-lit, sharp, close face: nothing measurable to change


# --- (c) no score in a refusal --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: (FACES / "biden_2.jpg").read_bytes(),
        lambda: darkened("obama_3.jpg", 0.08),
        lambda: far_away("biden_2.jpg", 700),
        lambda: far_away("obama_1.jpg", 200),
        lambda: b"not an image",
    ],
    ids=["impostor", "dark", "far", "tiny", "garbage"],
)
@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_no_score_leaks_in_a_refusal(enrolled, make, language: str) -> None:
    response = send(enrolled, challenge(enrolled), make(), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code in (200, 422), response.content
    body = response.json()
    if response.status_code == 200:
        assert set(body) == {"verified", "attempts_left", "advice"}
    else:
        assert set(body["error"]) == {"code", "message", "advice"}
    assert set(advice_of(response)) == {"code", "message", "next", "other_paths"}
    assert_no_score(body)
