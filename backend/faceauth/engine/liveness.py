"""Active liveness from 68-point landmarks: blinks and head turns, checked in a requested order.

Pure geometry on ``face_recognition.face_landmarks`` dicts (image coordinates) -- no pixels, no dlib -- so it is
cheap and testable. The server picks a random action list (e.g. ``["turn_left", "blink"]``), the app records
frames while the resident performs it, every frame is encoded with ``recognition.encode_single`` (which yields
both the landmarks used here and the per-frame encoding the *caller* compares with the resident's template to
make sure all frames show the same person), then :func:`check_actions` decides.

Conventions (see docs/FACE.md):

* ``left_eye`` / ``right_eye`` are face_recognition's names, i.e. the eye on the *image's* left / right.
* :func:`head_yaw` is subject-centric: **positive = the resident turned their head to THEIR left**. In a
  non-mirrored camera image (what the sensor sees; the server's default) the subject's left is the image's right,
  so the nose moves to the image's right. Pass ``mirrored=True`` for frames taken from a mirrored selfie preview.
* Eye openness is the eye aspect ratio (EAR, Soukupova & Cech 2016). It is normalised per frame by the face's
  own vertical/horizontal proportion, so squashing a printed photo (tilting it backwards) cannot fake a blink.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .replay import frame_digest, hamming, perceptual_hash  # noqa: F401  (re-exported for the API layer)

Point = tuple[float, float]
Landmarks = Mapping[str, Sequence[Point]]

ACTIONS = ("blink", "turn_left", "turn_right")
#: A frame counts as "closed" when its normalised EAR is at most this fraction of an open frame before AND after
#: it. Open eyes measure 0.18-0.44 raw EAR across people on the sample photos (narrow or smiling eyes are low),
#: so a fixed absolute cut such as 0.2 would call some open eyes closed; a relative drop does not. Landmark noise
#: on a still face is a few percent; a real blink drops EAR by 50-80 %; 0.70 sits between with margin both sides.
BLINK_CLOSED_RATIO = 0.70
#: Open frames must have at least this raw EAR, so a sequence of frames with the eyes shut throughout (or
#: garbage landmarks) cannot produce a "blink" out of noise.
BLINK_MIN_OPEN_EAR = 0.15
#: Blinks are only read on roughly frontal frames: a turned head changes the eyes' apparent width.
BLINK_MAX_ABS_YAW = 0.25
#: A turn starts from a frame whose yaw toward the asked side is at most this (frontal photos measure |yaw| <= 0.15
#: on the sample)...
TURN_START_MAX_YAW = 0.15
#: ...and completes at a later frame whose yaw toward that side is at least this (the sample's visibly turned
#: photos measure 0.28-0.57). Requiring the movement, not just a turned pose, stops a single still of a turned
#: face from passing.
TURN_MIN_YAW = 0.30
#: Upper bound on frames per check (a few seconds of video at 10 fps): keeps the cost of a request bounded.
MAX_FRAMES = 100


@dataclass(frozen=True)
class FrameMetrics:
    index: int
    has_face: bool
    ear: float | None = None  # raw eye aspect ratio, mean of both eyes
    ear_normalised: float | None = None  # ear / face vertical proportion (invariant to squashing the image)
    yaw: float | None = None  # subject-centric, + = turned to the resident's own left


@dataclass(frozen=True)
class ActionResult:
    action: str
    passed: bool
    start_frame: int | None = None  # first frame of the evidence (open eyes / frontal pose)
    end_frame: int | None = None  # frame where the action completed (eyes re-opened / turned pose)


@dataclass(frozen=True)
class LivenessResult:
    passed: bool
    actions: tuple[ActionResult, ...]
    frames: tuple[FrameMetrics, ...]
    reason: str | None = None  # why it failed, safe to log and to show as a hint


def _points(landmarks: Landmarks, name: str) -> np.ndarray:
    return np.asarray(landmarks[name], dtype=np.float64)


def eye_aspect_ratio(eye: Sequence[Point]) -> float:
    """EAR of one eye from its six landmarks p1..p6: (|p2-p6| + |p3-p5|) / (2 |p1-p4|); ~0.3 open, < 0.1 shut."""
    p = np.asarray(eye, dtype=np.float64)
    if p.shape != (6, 2):
        raise ValueError(f"an eye has 6 (x, y) landmarks, got shape {p.shape}")
    width = np.linalg.norm(p[0] - p[3])
    if width == 0:
        return 0.0
    return float((np.linalg.norm(p[1] - p[5]) + np.linalg.norm(p[2] - p[4])) / (2.0 * width))


def frame_ear(landmarks: Landmarks) -> float:
    """Mean EAR of both eyes (the paper's choice: blinks are bilateral, averaging halves the noise)."""
    return (eye_aspect_ratio(landmarks["left_eye"]) + eye_aspect_ratio(landmarks["right_eye"])) / 2.0


def _eye_axis(landmarks: Landmarks) -> tuple[np.ndarray, np.ndarray, float]:
    """Midpoint between the eye centres, unit vector from the image-left to the image-right eye, and their distance."""
    left, right = _points(landmarks, "left_eye").mean(axis=0), _points(landmarks, "right_eye").mean(axis=0)
    span = float(np.linalg.norm(right - left))
    if span == 0:
        raise ValueError("degenerate landmarks: both eyes at the same place")
    return (left + right) / 2.0, (right - left) / span, span


def face_vertical_proportion(landmarks: Landmarks) -> float:
    """Distance from the eye line to the nose tip, over the distance between the eyes.

    Both a blink-faking "tilt the photo back" and a real nod scale eye height and this ratio alike, while a real
    blink leaves it unchanged; dividing EAR by it removes the first two.
    """
    middle, axis, span = _eye_axis(landmarks)
    nose_tip = _points(landmarks, "nose_bridge")[-1]
    offset = nose_tip - middle
    perpendicular = abs(axis[0] * offset[1] - axis[1] * offset[0])  # 2-D cross product = distance off the eye line
    return float(perpendicular / span) or 1e-6


def head_yaw(landmarks: Landmarks, *, mirrored: bool = False) -> float:
    """Normalised horizontal head rotation in [-1, 1]; 0 = frontal, + = turned to the resident's own left.

    Measured as where the nose tip sits between the two ends of the jaw line, along the eye axis (so head roll does
    not leak in): (d_left - d_right) / (d_left + d_right), d = distance from the image-left / image-right jaw end.
    Rotating a flat photo leaves this ratio unchanged, so only a 3-D head (or a video of one) can move it.
    """
    _middle, axis, _span = _eye_axis(landmarks)
    jaw = _points(landmarks, "chin")
    nose_tip = _points(landmarks, "nose_bridge")[-1]
    d_left = float(np.dot(nose_tip - jaw[0], axis))
    d_right = float(np.dot(jaw[-1] - nose_tip, axis))
    total = d_left + d_right
    if total <= 0:
        raise ValueError("degenerate landmarks: jaw ends not on either side of the nose")
    image_yaw = float(np.clip((d_left - d_right) / total, -1.0, 1.0))  # + = nose toward the image's right
    return -image_yaw if mirrored else image_yaw


def frame_metrics(index: int, landmarks: Landmarks | None, *, mirrored: bool = False) -> FrameMetrics:
    if landmarks is None:
        return FrameMetrics(index=index, has_face=False)
    ear = frame_ear(landmarks)
    return FrameMetrics(
        index=index,
        has_face=True,
        ear=ear,
        ear_normalised=ear / face_vertical_proportion(landmarks),
        yaw=head_yaw(landmarks, mirrored=mirrored),
    )


def _find_blink(frames: Sequence[FrameMetrics], start: int) -> ActionResult:
    """Earliest open -> closed -> open triple at or after ``start`` (frames need not be adjacent)."""
    usable = [f for f in frames[start:] if f.has_face and abs(f.yaw or 0.0) <= BLINK_MAX_ABS_YAW]
    best_open: FrameMetrics | None = None  # most open frame seen so far
    closed: tuple[FrameMetrics, FrameMetrics] | None = None  # (open before, closed) with the lowest closed ratio
    for frame in usable:
        ear_n = frame.ear_normalised or 0.0
        reopened = closed is not None and (frame.ear or 0.0) >= BLINK_MIN_OPEN_EAR
        if reopened and (closed[1].ear_normalised or 0.0) <= BLINK_CLOSED_RATIO * ear_n:  # type: ignore[index]
            return ActionResult("blink", True, closed[0].index, frame.index)  # type: ignore[index]
        is_closed = best_open is not None and ear_n <= BLINK_CLOSED_RATIO * (best_open.ear_normalised or 0.0)
        if is_closed and (closed is None or ear_n < (closed[1].ear_normalised or 0.0)):
            closed = (best_open, frame)  # type: ignore[assignment]
        if (frame.ear or 0.0) >= BLINK_MIN_OPEN_EAR and (
            best_open is None or ear_n > (best_open.ear_normalised or 0.0)
        ):
            best_open = frame
    return ActionResult("blink", False)


def _find_turn(frames: Sequence[FrameMetrics], start: int, action: str) -> ActionResult:
    """Earliest frame turned toward the asked side, preceded (at or after ``start``) by a not-yet-turned frame."""
    sign = 1.0 if action == "turn_left" else -1.0
    began: FrameMetrics | None = None
    for frame in frames[start:]:
        if not frame.has_face:
            continue
        toward = sign * (frame.yaw or 0.0)
        if began is not None and toward >= TURN_MIN_YAW:
            return ActionResult(action, True, began.index, frame.index)
        if began is None and toward <= TURN_START_MAX_YAW:
            began = frame
    return ActionResult(action, False)


def check_actions(
    frames_landmarks: Sequence[Landmarks | None], actions: Sequence[str], *, mirrored: bool = False
) -> LivenessResult:
    """Verify that ``actions`` were performed, in this order, across the frames (in capture order).

    ``frames_landmarks[i]`` is ``Encoding.landmarks`` of frame i, or None if no face was found in it (skipped
    here; the caller decides whether a faceless frame fails the session). Each action must complete after the
    previous one did; an action's evidence may start on the frame where the previous one completed (a head
    coming back from a left turn is the start of a right turn). This function does NOT check that the frames show
    the same person, nor the enrolled one: compare each frame's ``Encoding`` with the template for that.
    """
    unknown = [a for a in actions if a not in ACTIONS]
    if unknown or not actions:
        raise ValueError(f"actions must be a non-empty list of {ACTIONS}, got {list(actions)!r}")
    if len(frames_landmarks) > MAX_FRAMES:
        raise ValueError(f"at most {MAX_FRAMES} frames per check, got {len(frames_landmarks)}")
    frames = tuple(frame_metrics(i, lm, mirrored=mirrored) for i, lm in enumerate(frames_landmarks))
    results: list[ActionResult] = []
    position = 0
    for action in actions:
        result = _find_blink(frames, position) if action == "blink" else _find_turn(frames, position, action)
        results.append(result)
        if not result.passed:
            results.extend(ActionResult(a, False) for a in actions[len(results) :])
            return LivenessResult(False, tuple(results), frames, reason=f"{action} not seen (in the asked order)")
        position = result.end_frame  # type: ignore[assignment]
    return LivenessResult(True, tuple(results), frames)
