"""Face detection and 128-d encodings with dlib's ResNet model (via ``face_recognition``).

One photo in, one :class:`Encoding` out: the 128-d vector that is stored as the resident's template (encrypted,
by the Django side) plus the 68-point landmarks that the liveness check uses. Two encodings of the same person
are close in Euclidean distance; ``MATCH_THRESHOLD`` is the decision boundary, chosen from
``bench/face/accuracy.py`` (see docs/FACE.md for the table and why).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from . import _backend
from .errors import InvalidImage, MultipleFaces, NoFace
from .images import load_image

#: Identifies the vector space of stored templates. Templates made under another version must be re-enrolled,
#: never compared. Jitters, upsampling and the downscale do not change the space, so they are not part of it.
MODEL_VERSION = "dlib_face_recognition_resnet_model_v1+hog"
#: Encoding length of the dlib model.
ENCODING_SIZE = 128
#: Same person if distance <= this. Measured by bench/face/accuracy.py on the sample photos (9 genuine, 57 impostor
#: pairs): genuine pairs 0.08-0.43, impostor pairs 0.70-0.98, so 0.45-0.65 all give 100 % GAR / 0 % FAR here.
#: We take 0.50, well below face_recognition's 0.6 default (dlib's LFW operating point), because a false accept
#: is the costly error for a government identity check, the dlib model is known to place East Asian impostors
#: closer than the LFW mix, and 0.50 still leaves +0.07 above the worst genuine pair for ageing between the
#: registry photo and a selfie. See docs/FACE.md for the table and the commands.
MATCH_THRESHOLD = 0.50
#: Jitters (random crops/flips averaged by dlib) per encoding. Each costs one more network pass (~0.1 s): 10
#: jitters made encoding ~5x slower and lowered the worst genuine distance by 0.03 without changing any decision
#: at 0.45-0.65, so the default is 1. Enrolment (one-off) may pass more; templates stay comparable.
DEFAULT_JITTERS = 1
#: HOG pyramid upsampling tried in order until a face is found. 0 found every face of the sample and of its phone
#: variants at every working size from 480 to 1600 px (bench/face/worksize.py) at 1/4 of the cost of 1; at 320 px
#: it missed 4 of 12 faces (< ~70 px) that 1 found, so 1 is the fallback for small or distant faces.
UPSAMPLE_SCHEDULE: tuple[int, ...] = (0, 1)

Landmarks = dict[str, list[tuple[int, int]]]


@dataclass(frozen=True, eq=False)
class Encoding:
    """A face found in one image.

    ``vector`` is what gets stored (see :func:`vector_to_bytes`); ``landmarks`` (68 points, face_recognition's
    dict format, image coordinates) and ``box`` (top, right, bottom, left) are per-frame data for liveness and
    debugging and must not be stored with the template.
    """

    vector: np.ndarray
    landmarks: Landmarks = field(repr=False)
    box: tuple[int, int, int, int]
    image_size: tuple[int, int]  # (width, height) of the analysed (downscaled) image
    model_version: str = MODEL_VERSION

    def to_bytes(self) -> bytes:
        return vector_to_bytes(self.vector)


def _as_vector(value: Encoding | np.ndarray | Sequence[float]) -> np.ndarray:
    if isinstance(value, Encoding):
        if value.model_version != MODEL_VERSION:
            raise ValueError(f"encoding made by {value.model_version!r}, engine is {MODEL_VERSION!r}")
        return value.vector
    vector = np.asarray(value, dtype=np.float64)
    if vector.shape != (ENCODING_SIZE,) or not np.all(np.isfinite(vector)):
        raise ValueError(f"a face encoding is {ENCODING_SIZE} finite floats, got shape {vector.shape}")
    return vector


def vector_to_bytes(vector: np.ndarray) -> bytes:
    """Serialise a template as 1024 bytes (128 little-endian float64) for encrypted storage."""
    return _as_vector(vector).astype("<f8").tobytes()


def vector_from_bytes(data: bytes) -> np.ndarray:
    """Inverse of :func:`vector_to_bytes`; raises ValueError on anything that is not a valid template."""
    if len(data) != ENCODING_SIZE * 8:
        raise ValueError(f"a stored template is {ENCODING_SIZE * 8} bytes, got {len(data)}")
    return _as_vector(np.frombuffer(data, dtype="<f8").astype(np.float64))


def detect_faces(image: np.ndarray, upsample: int | None = None) -> list[tuple[int, int, int, int]]:
    """Face boxes (top, right, bottom, left), trying ``UPSAMPLE_SCHEDULE`` unless ``upsample`` is given."""
    if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise InvalidImage("expected an RGB uint8 array; decode uploads with load_image()")
    fr = _backend.api()
    schedule = UPSAMPLE_SCHEDULE if upsample is None else (upsample,)
    boxes: list[tuple[int, int, int, int]] = []
    for times in schedule:
        boxes = [
            (int(top), int(right), int(bottom), int(left))
            for top, right, bottom, left in fr.face_locations(image, times, model="hog")
        ]
        if boxes:
            break
    return boxes


def encode_single(image: np.ndarray, *, num_jitters: int = DEFAULT_JITTERS, upsample: int | None = None) -> Encoding:
    """Encode the one face in ``image`` (an array from :func:`load_image`).

    Raises :class:`NoFace` or :class:`MultipleFaces`: for identity checks we never pick "the biggest face",
    because a second person in the frame is exactly what an enrolment or a verification must not contain.
    """
    boxes = detect_faces(image, upsample)
    if not boxes:
        raise NoFace("no face found in the image")
    if len(boxes) > 1:
        raise MultipleFaces(f"{len(boxes)} faces found; exactly one is required", count=len(boxes))
    fr = _backend.api()
    box = boxes[0]
    landmarks = fr.face_landmarks(image, [box], model="large")[0]
    vectors = fr.face_encodings(image, [box], num_jitters=max(1, int(num_jitters)), model="small")
    return Encoding(
        vector=np.asarray(vectors[0], dtype=np.float64),
        landmarks={name: [(int(x), int(y)) for x, y in points] for name, points in landmarks.items()},
        box=box,
        image_size=(int(image.shape[1]), int(image.shape[0])),
    )


def encode_bytes(data: bytes, *, num_jitters: int = DEFAULT_JITTERS) -> Encoding:
    """Convenience for the API: :func:`load_image` then :func:`encode_single`."""
    return encode_single(load_image(data), num_jitters=num_jitters)


def distance(a: Encoding | np.ndarray, b: Encoding | np.ndarray) -> float:
    """Euclidean distance between two encodings (0 = identical; same person typically < 0.5)."""
    return float(np.linalg.norm(_as_vector(a) - _as_vector(b)))


def best_distance(templates: Iterable[Encoding | np.ndarray], probe: Encoding | np.ndarray) -> float:
    """Smallest distance from ``probe`` to any of several enrolled templates (e.g. registry photo + selfie)."""
    distances = [distance(t, probe) for t in templates]
    if not distances:
        raise ValueError("no templates to compare against")
    return min(distances)


def matches(a: Encoding | np.ndarray, b: Encoding | np.ndarray, threshold: float = MATCH_THRESHOLD) -> bool:
    """True when ``a`` and ``b`` are judged the same person at ``threshold``."""
    return distance(a, b) <= threshold
