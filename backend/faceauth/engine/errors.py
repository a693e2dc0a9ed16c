"""Exceptions raised by the face engine.

Each carries a stable machine-readable ``code`` so the API layer can map it to an error response without
parsing messages, and a human-readable ``reason`` that is safe to log (it never contains image data).
"""

from __future__ import annotations


class FaceEngineError(Exception):
    """Base class: every error the engine raises on bad *input* (not on bugs or missing models)."""

    code: str = "face_error"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InvalidImage(FaceEngineError):
    """The bytes are not an acceptable image (format, size, pixel count, corruption)."""

    code = "invalid_image"


class NoFace(FaceEngineError):
    """The image decoded fine but no face was found in it."""

    code = "no_face"


class MultipleFaces(FaceEngineError):
    """More than one face was found; we refuse to guess which one the resident meant."""

    code = "multiple_faces"

    def __init__(self, reason: str, count: int) -> None:
        super().__init__(reason)
        self.count = count


class EngineUnavailable(RuntimeError):
    """The dlib models could not be loaded: a deployment problem, not a user error (maps to HTTP 503)."""

    code = "face_engine_unavailable"
