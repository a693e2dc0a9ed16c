"""Fingerprints of liveness frames, for refusing frames that were already used.

What would an attacker re-send? (1) the exact bytes of a request they captured -- a hash of the bytes catches
that; (2) the same picture with its metadata changed or stripped, or re-saved losslessly (PNG <-> WebP
lossless), which changes every byte but not one pixel -- :func:`frame_digest` hashes the *decoded, oriented*
pixels, so it catches (1) and (2) with an exact, indexable key; (3) the picture re-encoded lossily or lightly
edited, which changes the pixels a little -- only a perceptual hash compared with a Hamming tolerance
(:func:`perceptual_hash`, :func:`hamming`) can flag that, and it also fires on honest, nearly identical frames,
so use it as a signal, not an exact key. The real defence against replaying an old session is that the
server asks for a fresh random action sequence with a short-lived nonce: an old recording shows other actions.
"""

from __future__ import annotations

import hashlib

import numpy as np
from PIL import Image

from .images import load_image

#: Version prefix mixed into the digest, so a change of decoding pipeline can never collide with old digests.
_DIGEST_VERSION = b"yiwang-frame-digest-v1"


def frame_digest(frame: bytes | np.ndarray) -> str:
    """Hex SHA-256 of the decoded, EXIF-oriented, size-capped RGB pixels (and their shape).

    Accepts the upload bytes (decoded with the same safe loader, so it raises ``InvalidImage`` on bad input) or an
    array already returned by ``load_image`` -- pass the array when you have it, to avoid decoding twice.
    """
    pixels = frame if isinstance(frame, np.ndarray) else load_image(frame)
    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    digest = hashlib.sha256(_DIGEST_VERSION)
    digest.update(repr(pixels.shape).encode())
    digest.update(pixels.tobytes())
    return digest.hexdigest()


def perceptual_hash(frame: bytes | np.ndarray, size: int = 16) -> int:
    """Difference hash (dHash) with ``size * size`` bits: each bit says whether a pixel of the greyscale
    thumbnail is brighter than its right neighbour. Re-encoding or resizing flips few bits; another scene flips
    about half."""
    pixels = frame if isinstance(frame, np.ndarray) else load_image(frame)
    grey = Image.fromarray(np.ascontiguousarray(pixels, dtype=np.uint8)).convert("L")
    thumb = np.asarray(grey.resize((size + 1, size), Image.Resampling.LANCZOS), dtype=np.int16)
    bits = (thumb[:, 1:] > thumb[:, :-1]).flatten()
    return int("".join("1" if b else "0" for b in bits), 2)


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two perceptual hashes."""
    return (a ^ b).bit_count()
