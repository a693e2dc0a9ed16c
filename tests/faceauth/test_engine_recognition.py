"""Face encodings on the real sample photos: genuine pairs match, impostor pairs do not, edge cases are clear."""

from __future__ import annotations

import csv
import io
import itertools
import subprocess
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from backend.faceauth.engine import (
    MATCH_THRESHOLD,
    MODEL_VERSION,
    Encoding,
    InvalidImage,
    MultipleFaces,
    NoFace,
    best_distance,
    distance,
    encode_bytes,
    encode_single,
    load_image,
    matches,
    vector_from_bytes,
    vector_to_bytes,
)

FACES = Path(__file__).resolve().parents[1] / "faces"
REPO = Path(__file__).resolve().parents[2]

with open(FACES / "MANIFEST.csv", newline="") as _fh:
    MANIFEST = {row["file"]: row["person"] for row in csv.DictReader(_fh)}
PEOPLE_PHOTOS = sorted(f for f, person in MANIFEST.items() if person and not f.startswith("edge_"))
PAIRS = list(itertools.combinations(PEOPLE_PHOTOS, 2))
GENUINE = [(a, b) for a, b in PAIRS if MANIFEST[a] == MANIFEST[b]]
IMPOSTOR = [(a, b) for a, b in PAIRS if MANIFEST[a] != MANIFEST[b]]


@cache
def encode(name: str) -> Encoding:
    """Each photo is encoded once per test session (HOG + ResNet take ~0.1-0.3 s a photo)."""
    return encode_bytes((FACES / name).read_bytes())


def png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, "PNG")
    return buffer.getvalue()


def test_the_sample_has_both_kinds_of_pairs() -> None:
    assert len(GENUINE) >= 9 and len(IMPOSTOR) >= 50


@pytest.mark.parametrize(("a", "b"), GENUINE, ids=[f"{a}~{b}" for a, b in GENUINE])
def test_genuine_pairs_match(a: str, b: str) -> None:
    assert matches(encode(a), encode(b)), distance(encode(a), encode(b))


@pytest.mark.parametrize(("a", "b"), IMPOSTOR, ids=[f"{a}~{b}" for a, b in IMPOSTOR])
def test_impostor_pairs_do_not_match(a: str, b: str) -> None:
    assert not matches(encode(a), encode(b)), distance(encode(a), encode(b))


def test_threshold_sits_inside_the_measured_gap_with_margin() -> None:
    worst_genuine = max(distance(encode(a), encode(b)) for a, b in GENUINE)
    closest_impostor = min(distance(encode(a), encode(b)) for a, b in IMPOSTOR)
    assert worst_genuine + 0.05 <= MATCH_THRESHOLD <= closest_impostor - 0.1


def test_two_people_is_multiple_faces() -> None:
    with pytest.raises(MultipleFaces) as info:
        encode("edge_two_people.jpg")
    assert info.value.code == "multiple_faces"
    assert info.value.count == 2


def test_rgba_png_is_handled_like_any_photo() -> None:
    result = encode("edge_32bit_rgba.png")  # Obama, stored as 32-bit RGBA
    assert result.vector.shape == (128,)
    assert matches(result, encode("obama_2.jpg"))
    assert not matches(result, encode("biden_2.jpg"))


def test_partial_face_at_the_image_border_still_encodes_and_matches() -> None:
    # Measured: HOG finds the half-cut face and the encoding stays close to Obama's other photos (~0.24).
    partial = encode("edge_obama_partial_face.jpg")
    assert best_distance([encode(f) for f in PEOPLE_PHOTOS if MANIFEST[f] == "obama"], partial) <= MATCH_THRESHOLD
    assert all(not matches(partial, encode(f)) for f in PEOPLE_PHOTOS if MANIFEST[f] != "obama")


def test_random_noise_is_no_face() -> None:
    noise = np.random.default_rng(7).integers(0, 256, size=(480, 640, 3), dtype=np.uint8)
    with pytest.raises(NoFace) as info:
        encode_bytes(png(noise))
    assert info.value.code == "no_face"


def test_blank_image_is_no_face() -> None:
    with pytest.raises(NoFace):
        encode_single(np.full((300, 300, 3), 255, dtype=np.uint8))


def test_encode_single_wants_a_decoded_rgb_array() -> None:
    with pytest.raises(InvalidImage):
        encode_single(b"\xff\xd8")  # type: ignore[arg-type]
    with pytest.raises(InvalidImage):
        encode_single(np.zeros((10, 10), dtype=np.uint8))


def test_encoding_carries_landmarks_box_and_version() -> None:
    result = encode("obama_1.jpg")
    assert result.model_version == MODEL_VERSION
    assert {len(points) for points in result.landmarks.values()} <= {4, 5, 6, 12, 17}
    assert len(result.landmarks["left_eye"]) == 6 and len(result.landmarks["chin"]) == 17
    top, right, bottom, left = result.box
    assert 0 <= top < bottom <= result.image_size[1] and 0 <= left < right <= result.image_size[0]


def test_more_jitters_still_match() -> None:
    image = load_image((FACES / "biden_1.jpg").read_bytes())
    jittered = encode_single(image, num_jitters=3)
    assert distance(jittered, encode("biden_1.jpg")) < 0.2  # jitter moves a photo by ~0.1: far below the threshold
    assert matches(jittered, encode("biden_2.jpg"))


def test_distance_is_a_metric_on_the_vectors() -> None:
    a, b = encode("obama_1.jpg"), encode("rose_leslie_1.jpg")
    assert distance(a, a) == 0.0
    assert distance(a, b) == pytest.approx(distance(b, a))
    assert distance(a.vector, b.vector) == pytest.approx(distance(a, b))
    assert matches(a, b, threshold=2.0) and not matches(a, a, threshold=-1.0)


def test_best_distance_takes_the_closest_template() -> None:
    probe = encode("obama_3.jpg")
    templates = [encode("biden_1.jpg"), encode("obama_1.jpg"), encode("obama_2.jpg")]
    assert best_distance(templates, probe) == min(distance(t, probe) for t in templates)
    with pytest.raises(ValueError):
        best_distance([], probe)


def test_templates_round_trip_through_bytes() -> None:
    original = encode("kit_harington_1.jpg")
    stored = vector_to_bytes(original.vector)
    assert len(stored) == 1024 and original.to_bytes() == stored
    assert distance(vector_from_bytes(stored), original) == 0.0


@pytest.mark.parametrize(
    "bad",
    [b"", b"\0" * 1023, np.full(128, np.nan).tobytes(), np.full(128, np.inf).tobytes()],
    ids=["empty", "short", "nan", "inf"],
)
def test_corrupt_stored_templates_are_refused(bad: bytes) -> None:
    with pytest.raises(ValueError):
        vector_from_bytes(bad)


def test_encodings_of_another_model_version_are_never_compared() -> None:
    current = encode("obama_1.jpg")
    foreign = Encoding(current.vector, current.landmarks, current.box, current.image_size, "some_other_model")
    with pytest.raises(ValueError):
        distance(current, foreign)


def test_missing_models_raise_instead_of_silently_quitting() -> None:
    # face_recognition calls quit() (exit code 0!) when its models are missing; the engine must raise instead.
    code = (
        "import sys; sys.modules['face_recognition_models'] = None\n"
        "from backend.faceauth.engine import _backend\n"
        "from backend.faceauth.engine.errors import EngineUnavailable\n"
        "try:\n    _backend.api()\nexcept EngineUnavailable as exc:\n    print('UNAVAILABLE', exc.code)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert "UNAVAILABLE face_engine_unavailable" in result.stdout, result.stdout + result.stderr
