"""Active liveness over HTTP (``FACE_LIVENESS="active"``) with frame sequences built from real photos.

How the frames evidence the actions (the engine reads them from dlib's 68 landmarks, see engine/liveness.py):

* open eyes, frontal: ``obama_4_480p.jpg`` (yaw ~0.01), with a 1-2 level brightness change per frame so that, like
  video frames, no two are pixel-identical;
* a blink: the same photo with the eyes *closed in the pixels*: each eye's region is repainted with skin colour
  and the eye itself squashed to a quarter of its height. dlib then places the eyelid landmarks close together
  (normalised EAR ~0.4x the open frame); the engine's own tests check the geometry on landmark sequences, this
  checks that real decoded pixels get there. It is a synthetic eyelid, not a filmed blink: a real-video blink is
  only covered by the geometry tests;
* a head turn: ``obama_2.jpg`` shows him turned to HIS right (yaw ~ -0.46); mirrored, to his left.

The enrolled template comes from ``obama_3.jpg`` (a different photo from every frame); the registry photo is
``obama_1.jpg``.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from backend.faceauth import services
from backend.faceauth.engine import encode_single, load_image
from backend.faceauth.models import FaceChallenge, FaceEvent, SeenFrame
from tests.factories import login
from tests.personas import OU_WEN

pytestmark = pytest.mark.django_db

FACES = Path(__file__).resolve().parents[1] / "faces"
ENROL, CHALLENGES, VERIFY = "/api/v1/face/enrol", "/api/v1/face/challenges", "/api/v1/face/verify"


# --- frames (pure functions, computed once per test session) ---------------------------------------------------------


@cache
def _pixels(name: str) -> np.ndarray:
    return load_image((FACES / name).read_bytes())


def _close_eyes(pixels: np.ndarray) -> np.ndarray:
    landmarks = encode_single(pixels).landmarks
    image = Image.fromarray(pixels)
    out = image.copy()
    for eye in ("left_eye", "right_eye"):
        points = np.asarray(landmarks[eye], dtype=float)
        centre = points.mean(axis=0)
        width = np.ptp(points[:, 0])
        x0, x1 = int(points[:, 0].min() - 0.2 * width), int(points[:, 0].max() + 0.2 * width)
        y0, y1 = int(points[:, 1].min() - 0.35 * width), int(points[:, 1].max() + 0.35 * width)
        sx, sy = int(centre[0]), int(centre[1] + 0.6 * width)  # skin just below the eye
        skin = tuple(int(v) for v in np.median(pixels[sy - 3 : sy + 3, sx - 5 : sx + 5].reshape(-1, 3), axis=0))
        patch = Image.new("RGB", (x1 - x0, y1 - y0), skin)
        eye_band = image.crop((x0, y0, x1, y1)).resize((x1 - x0, max(1, (y1 - y0) // 4)))
        patch.paste(eye_band, (0, int(centre[1] - y0 - eye_band.height / 2)))
        out.paste(patch, (x0, y0))
    return np.asarray(out)


def _jpeg(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels)).save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


@cache
def frame(kind: str, variant: int = 0) -> bytes:
    """JPEG bytes of one frame: ``open`` (variant = brightness step), ``closed``, ``turn_right``, ``turn_left``,
    ``other`` (another person, frontal)."""
    if kind == "open":
        pixels = np.clip(_pixels("obama_4_480p.jpg").astype(np.int16) + variant, 0, 255).astype(np.uint8)
    elif kind == "closed":
        pixels = _close_eyes(_pixels("obama_4_480p.jpg"))
    elif kind == "turn_right":
        pixels = _pixels("obama_2.jpg")
    elif kind == "turn_left":
        pixels = _pixels("obama_2.jpg")[:, ::-1]
    elif kind == "other":
        pixels = _pixels("biden_2.jpg")
    else:
        raise ValueError(kind)
    return _jpeg(pixels)


def sequence(actions: list[str]) -> list[bytes]:
    """Frames performing ``actions`` in order: start frontal with open eyes and come back to it after each."""
    frames, step = [frame("open", 0)], 1
    for action in actions:
        frames.append(frame("closed") if action == "blink" else frame(action))
        frames.append(frame("open", step))
        step += 1
    return frames


# --- HTTP helpers ----------------------------------------------------------------------------------------------------


def uploads(frames: list[bytes]) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(f"frame{i:02d}.jpg", data, content_type="image/jpeg") for i, data in enumerate(frames)]


def new_challenge(client) -> dict[str, Any]:
    response = client.post(CHALLENGES, {"purpose": "login"}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def send(client, challenge_id: str, frames: list[bytes]):
    return client.post(VERIFY, {"challenge_id": challenge_id, "frames": uploads(frames)}, format="multipart")


@pytest.fixture
def live(settings) -> None:
    settings.FACE_LIVENESS = "active"


@pytest.fixture
def client(import_data, live):
    record = OU_WEN.record()
    import_data({"residents": [record]})
    client = login(record["phone"])
    response = client.post(
        "/api/v1/me/real-name", {"name": record["name"], "id_number": record["id_number"]}, format="json"
    )
    assert response.status_code == 200, response.content
    with (FACES / "obama_3.jpg").open("rb") as fh:
        assert client.post(ENROL, {"image": fh}, format="multipart").status_code == 201
    return client


# --- tests -----------------------------------------------------------------------------------------------------------


def test_challenge_asks_for_a_blink_and_a_turn_in_random_order(client) -> None:
    seen = set()
    for _ in range(12):
        actions = new_challenge(client)["actions"]
        assert sorted(actions)[0] == "blink" and len(actions) == 2
        assert actions[0] != actions[1] and {actions[0], actions[1]} - {"blink"} <= {"turn_left", "turn_right"}
        seen.add(tuple(actions))
    assert len(seen) > 1  # 4 possible orders; 12 draws all equal would be a bug (p = 4 * 0.25**12)


ORDERS = [["blink", "turn_left"], ["blink", "turn_right"], ["turn_left", "blink"], ["turn_right", "blink"]]


@pytest.fixture(params=ORDERS, ids=["-".join(o) for o in ORDERS])
def asked(request, monkeypatch) -> list[str]:
    """Pin the server's random draw so that every order is exercised."""
    monkeypatch.setattr(services, "pick_actions", lambda: list(request.param))
    return request.param


def test_valid_sequence_is_verified_and_its_frames_remembered(client, asked) -> None:
    challenge = new_challenge(client)
    assert challenge["actions"] == asked
    frames = sequence(challenge["actions"])
    response = send(client, challenge["challenge_id"], frames)
    assert response.status_code == 200, response.content
    assert response.json() == {"verified": True, "attempts_left": 3}
    assert SeenFrame.objects.count() == len(set(frames))


def test_replayed_frames_are_rejected(client) -> None:
    first = new_challenge(client)
    assert send(client, first["challenge_id"], sequence(first["actions"])).json()["verified"] is True
    second = new_challenge(client)
    # The same recorded pixels for whatever the new challenge asks (the frontal frames were all sent before).
    response = send(client, second["challenge_id"], sequence(second["actions"]))
    assert response.status_code == 200
    body = response.json()
    assert (body["verified"], body["attempts_left"], body["advice"]["code"]) == (False, 2, "follow_actions")


def test_a_still_repeated_is_not_live(client) -> None:
    challenge = new_challenge(client)
    response = send(client, challenge["challenge_id"], [frame("open", 0)] * 5)
    body = response.json()
    assert (body["verified"], body["attempts_left"], body["advice"]["code"]) == (False, 2, "follow_actions")


def test_actions_in_the_wrong_order_are_not_live(client, asked) -> None:
    challenge = new_challenge(client)
    response = send(client, challenge["challenge_id"], sequence(list(reversed(challenge["actions"]))))
    assert response.json()["verified"] is False


def test_the_other_turn_is_not_the_asked_turn(client, asked) -> None:
    challenge = new_challenge(client)
    swapped = {"turn_left": "turn_right", "turn_right": "turn_left", "blink": "blink"}
    response = send(client, challenge["challenge_id"], sequence([swapped[a] for a in challenge["actions"]]))
    assert response.json()["verified"] is False


def test_another_persons_frame_in_the_sequence_fails(client) -> None:
    challenge = new_challenge(client)
    frames = sequence(challenge["actions"])
    frames.insert(2, frame("other"))
    response = send(client, challenge["challenge_id"], frames)
    assert response.json()["verified"] is False


def test_nothing_is_stored_on_failure_but_counters_and_audit(client) -> None:
    challenge = new_challenge(client)
    send(client, challenge["challenge_id"], [frame("open", 0)] * 3)
    assert not SeenFrame.objects.exists()
    stored = FaceChallenge.objects.get()
    assert stored.attempts == 1 and stored.used_at is None
    assert list(FaceEvent.objects.filter(kind__startswith="verify").values_list("kind", flat=True)) == ["verify_fail"]


def test_a_still_image_is_not_enough_when_liveness_is_active(client) -> None:
    challenge = new_challenge(client)
    response = client.post(
        VERIFY,
        {"challenge_id": challenge["challenge_id"], "image": uploads([frame("open", 0)])[0]},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "frames_required"
    one = send(client, challenge["challenge_id"], [frame("open", 0)])
    assert one.status_code == 400 and one.json()["error"]["code"] == "validation_error"
    assert FaceChallenge.objects.get().attempts == 0


def test_too_many_frames_is_a_validation_error(client, settings) -> None:
    settings.FACE_MAX_FRAMES = 4
    challenge = new_challenge(client)
    response = send(client, challenge["challenge_id"], [frame("open", i) for i in range(5)])
    assert response.status_code == 400


def test_a_challenge_issued_before_liveness_was_switched_on_is_stale(client, settings) -> None:
    settings.FACE_LIVENESS = "off"
    challenge = new_challenge(client)
    assert challenge["actions"] == []
    settings.FACE_LIVENESS = "active"
    response = send(client, challenge["challenge_id"], sequence(["blink"]))
    assert response.status_code == 410
