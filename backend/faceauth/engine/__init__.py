"""Django-free face engine: safe image decoding, dlib face encodings, landmark liveness, replay fingerprints.

The Django API calls only what is re-exported here. Nothing in this package touches the database, the disk or
the network; templates are returned as vectors/bytes and stored (encrypted) by the caller. See docs/FACE.md.
"""

from .errors import EngineUnavailable, FaceEngineError, InvalidImage, MultipleFaces, NoFace
from .images import MAX_BYTES, MAX_PIXELS, MAX_SIDE, load_image
from .liveness import (
    ACTIONS,
    ActionResult,
    FrameMetrics,
    LivenessResult,
    check_actions,
    eye_aspect_ratio,
    frame_ear,
    head_yaw,
)
from .quality import Quality, assess
from .recognition import (
    DEFAULT_JITTERS,
    MATCH_THRESHOLD,
    MODEL_VERSION,
    Encoding,
    best_distance,
    detect_faces,
    distance,
    encode_bytes,
    encode_single,
    matches,
    vector_from_bytes,
    vector_to_bytes,
)
from .replay import frame_digest, hamming, perceptual_hash

__all__ = [
    "ACTIONS",
    "DEFAULT_JITTERS",
    "MATCH_THRESHOLD",
    "MAX_BYTES",
    "MAX_PIXELS",
    "MAX_SIDE",
    "MODEL_VERSION",
    "ActionResult",
    "Encoding",
    "EngineUnavailable",
    "FaceEngineError",
    "FrameMetrics",
    "InvalidImage",
    "LivenessResult",
    "MultipleFaces",
    "NoFace",
    "Quality",
    "assess",
    "best_distance",
    "check_actions",
    "detect_faces",
    "distance",
    "encode_bytes",
    "encode_single",
    "eye_aspect_ratio",
    "frame_digest",
    "frame_ear",
    "hamming",
    "head_yaw",
    "load_image",
    "matches",
    "perceptual_hash",
    "vector_from_bytes",
    "vector_to_bytes",
]
