"""Landmark liveness: EAR, blinks, head yaw and its sign convention, ordered actions, replay fingerprints."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from backend.faceauth.engine import (
    Encoding,
    check_actions,
    encode_single,
    eye_aspect_ratio,
    frame_digest,
    frame_ear,
    hamming,
    head_yaw,
    load_image,
    matches,
    perceptual_hash,
)
from backend.faceauth.engine.liveness import (
    BLINK_MIN_OPEN_EAR,
    MAX_FRAMES,
    TURN_MIN_YAW,
    TURN_START_MAX_YAW,
)

FACES = Path(__file__).resolve().parents[1] / "faces"
FRONTAL = "obama_1.jpg"  # measured yaw ~ +0.02
TURNED = "obama_2.jpg"  # measured yaw ~ -0.46: Obama turned to HIS right (his nose toward the image's left)


@cache
def image(name: str, mirrored: bool = False) -> np.ndarray:
    array = load_image((FACES / name).read_bytes())
    return np.asarray(ImageOps.mirror(Image.fromarray(array))) if mirrored else array


@cache
def face(name: str, mirrored: bool = False) -> Encoding:
    return encode_single(np.ascontiguousarray(image(name, mirrored)))


def scaled_eyes(landmarks: dict, factor: float) -> dict:
    """Copy of ``landmarks`` with each eye's vertical extent scaled about its centre (factor < 1 closes it)."""
    out = dict(landmarks)
    for eye in ("left_eye", "right_eye"):
        points = np.asarray(landmarks[eye], dtype=float)
        centre_y = points[:, 1].mean()
        points[:, 1] = centre_y + (points[:, 1] - centre_y) * factor
        out[eye] = [tuple(p) for p in points]
    return out


def squashed(landmarks: dict, factor: float) -> dict:
    """Whole face scaled vertically: what tilting a printed photo backwards does to every landmark."""
    centre_y = np.mean([y for points in landmarks.values() for _x, y in points])
    return {k: [(x, centre_y + (y - centre_y) * factor) for x, y in pts] for k, pts in landmarks.items()}


# --- eye aspect ratio and blinks -------------------------------------------------------------------------------


def test_ear_of_a_textbook_eye() -> None:
    eye = [(0, 0), (1, -1), (2, -1), (3, 0), (2, 1), (1, 1)]  # width 3, two heights of 2
    assert eye_aspect_ratio(eye) == pytest.approx(2 / 3)
    with pytest.raises(ValueError):
        eye_aspect_ratio(eye[:5])


@pytest.mark.parametrize("name", ["obama_1.jpg", "biden_2.jpg", "rose_leslie_1.jpg", "kit_harington_1.jpg"])
def test_ear_on_real_photos_is_in_the_open_range(name: str) -> None:
    ear = frame_ear(face(name).landmarks)
    assert BLINK_MIN_OPEN_EAR <= ear <= 0.5, ear


def test_blink_is_detected_when_the_eyes_close_in_the_middle_frames() -> None:
    base = face(FRONTAL).landmarks
    frames = [base, scaled_eyes(base, 0.95), scaled_eyes(base, 0.3), scaled_eyes(base, 0.15), base]
    result = check_actions(frames, ["blink"])
    assert result.passed, result
    assert result.actions[0].start_frame in (0, 1) and result.actions[0].end_frame == 4


def test_a_still_repeated_five_times_is_no_blink() -> None:
    result = check_actions([face(FRONTAL).landmarks] * 5, ["blink"])
    assert not result.passed and result.reason and "blink" in result.reason


def test_eyes_that_close_and_never_reopen_are_no_blink() -> None:
    base = face(FRONTAL).landmarks
    assert not check_actions([base, base, scaled_eyes(base, 0.2), scaled_eyes(base, 0.2)], ["blink"]).passed


def test_a_small_squint_is_no_blink() -> None:
    base = face(FRONTAL).landmarks
    assert not check_actions([base, scaled_eyes(base, 0.85), base], ["blink"]).passed


def test_tilting_a_printed_photo_does_not_fake_a_blink() -> None:
    # Squashing the whole face vertically lowers the raw EAR like a blink, but not the normalised one.
    base = face(FRONTAL).landmarks
    frames = [base, squashed(base, 0.6), squashed(base, 0.4), base]
    result = check_actions(frames, ["blink"])
    assert frame_ear(frames[2]) < 0.5 * frame_ear(base)
    assert not result.passed


# --- head yaw ----------------------------------------------------------------------------------------------------


def test_frontal_photo_has_small_yaw_and_turned_photo_large_yaw() -> None:
    assert abs(head_yaw(face(FRONTAL).landmarks)) <= TURN_START_MAX_YAW
    assert head_yaw(face(TURNED).landmarks) <= -TURN_MIN_YAW  # turned to his own right


@pytest.mark.parametrize("name", ["obama_2.jpg", "obama_3.jpg", "kit_harington_2.jpg", "alex_lacamoire_1.png"])
def test_mirrored_real_photo_has_yaw_of_opposite_sign(name: str) -> None:
    original, mirrored = head_yaw(face(name).landmarks), head_yaw(face(name, mirrored=True).landmarks)
    assert abs(original) > 0.2
    assert np.sign(mirrored) == -np.sign(original)
    # Landmarks are whole pixels: at the 640-px working size obama_2 measures -0.489 / +0.426 (0.062 apart; within
    # 0.06 at 1600 px). Far from TURN_MIN_YAW (0.30) either way, so no turn decision depends on it.
    assert mirrored == pytest.approx(-original, abs=0.08)


def test_mirrored_flag_flips_the_sign_convention() -> None:
    landmarks = face(TURNED).landmarks
    assert head_yaw(landmarks, mirrored=True) == -head_yaw(landmarks)


# --- ordered actions on real photos ------------------------------------------------------------------------------


def test_frontal_then_turned_passes_the_matching_turn_only() -> None:
    frames = [face(FRONTAL).landmarks, face(TURNED).landmarks]
    assert check_actions(frames, ["turn_right"]).passed
    assert not check_actions(frames, ["turn_left"]).passed
    # The same frames from a mirrored selfie preview mean the opposite turn.
    assert check_actions(frames, ["turn_left"], mirrored=True).passed


def test_mirrored_frames_pass_the_other_turn() -> None:
    frames = [face(FRONTAL, mirrored=True).landmarks, face(TURNED, mirrored=True).landmarks]
    assert check_actions(frames, ["turn_left"]).passed
    assert not check_actions(frames, ["turn_right"]).passed


def test_two_turns_must_come_in_the_asked_order() -> None:
    frames = [
        face(FRONTAL).landmarks,
        face(TURNED).landmarks,  # his right
        face(FRONTAL).landmarks,
        face(TURNED, mirrored=True).landmarks,  # his left
    ]
    assert check_actions(frames, ["turn_right", "turn_left"]).passed
    result = check_actions(frames, ["turn_left", "turn_right"])
    assert not result.passed
    assert [a.passed for a in result.actions] == [True, False]
    assert "turn_right" in (result.reason or "")


def test_turned_then_frontal_is_not_a_turn() -> None:
    assert not check_actions([face(TURNED).landmarks, face(FRONTAL).landmarks], ["turn_right"]).passed


def test_a_still_of_a_turned_face_does_not_pass_a_turn() -> None:
    assert not check_actions([face(TURNED).landmarks] * 5, ["turn_right"]).passed


def test_blink_then_turn_on_one_sequence() -> None:
    base = face(FRONTAL).landmarks
    frames = [base, scaled_eyes(base, 0.2), base, face(TURNED).landmarks]
    assert check_actions(frames, ["blink", "turn_right"]).passed
    assert not check_actions(frames, ["turn_right", "blink"]).passed


def test_frames_without_a_face_are_skipped_and_reported() -> None:
    frames = [face(FRONTAL).landmarks, None, face(TURNED).landmarks]
    result = check_actions(frames, ["turn_right"])
    assert result.passed
    assert [f.has_face for f in result.frames] == [True, False, True]


@pytest.mark.parametrize("actions", [[], ["smile"], ["blink", "nod"]])
def test_unknown_or_empty_actions_are_a_programming_error(actions: list[str]) -> None:
    with pytest.raises(ValueError):
        check_actions([face(FRONTAL).landmarks], actions)


def test_frame_count_is_bounded() -> None:
    with pytest.raises(ValueError):
        check_actions([None] * (MAX_FRAMES + 1), ["blink"])


def test_frames_of_different_people_are_caught_by_the_caller_with_per_frame_encodings() -> None:
    # check_actions only sees geometry; the API compares every frame's encoding with the enrolled template.
    template = face("obama_3.jpg")
    frames = [face(FRONTAL), face(TURNED), face("biden_2.jpg")]
    assert check_actions([f.landmarks for f in frames[:2]], ["turn_right"]).passed
    assert [matches(template, f) for f in frames] == [True, True, False]


# --- replay fingerprints -----------------------------------------------------------------------------------------


def _save(array: np.ndarray, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, fmt, **params)
    return buffer.getvalue()


def test_frame_digest_survives_metadata_and_lossless_recontainer_but_not_other_pixels() -> None:
    original = (FACES / FRONTAL).read_bytes()
    pixels = load_image(original)
    digest = frame_digest(original)
    assert digest == frame_digest(pixels)
    assert digest == frame_digest(_save(pixels, "PNG", compress_level=1))
    assert digest == frame_digest(_save(pixels, "PNG", compress_level=9))
    assert digest == frame_digest(_save(pixels, "WEBP", lossless=True))
    assert digest != frame_digest((FACES / TURNED).read_bytes())
    assert digest != frame_digest(_save(pixels, "JPEG", quality=80))  # lossy: only the perceptual hash sees it


def test_perceptual_hash_flags_a_lossy_re_encode_but_not_another_photo() -> None:
    pixels = load_image((FACES / FRONTAL).read_bytes())
    reference = perceptual_hash(pixels)
    assert hamming(reference, perceptual_hash(_save(pixels, "JPEG", quality=60))) <= 8
    assert hamming(reference, perceptual_hash(_save(pixels[::2, ::2].copy(), "PNG"))) <= 16
    for other in ("obama_2.jpg", "obama_4_480p.jpg", "biden_1.jpg"):
        assert hamming(reference, perceptual_hash((FACES / other).read_bytes())) > 64
