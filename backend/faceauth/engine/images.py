"""Safe decoding of untrusted image uploads into RGB numpy arrays.

Everything here runs on bytes sent by a phone we do not control, so the loader is deliberately strict:

* the format is decided by Pillow's content sniffing, restricted to JPEG/PNG/WebP (never the file name or the
  client's Content-Type);
* the byte size and the pixel count are bounded *before* pixels are decoded (decompression bombs);
* truncated/corrupt files are errors, not silently grey-padded pictures (``face_recognition`` flips Pillow's
  global ``LOAD_TRUNCATED_IMAGES`` to True on import; we force it back at every load);
* EXIF orientation is applied, because phones store portrait selfies as rotated landscape pixels and HOG only
  finds upright faces;
* alpha is composed onto white and every mode ends as 8-bit RGB, the only thing dlib accepts;
* the long side is capped (``MAX_SIDE``), which bounds detector time; ``bench/face/accuracy.py`` measures
  that this cap does not change any verification decision on the sample photos;
* nothing is ever written to disk.
"""

from __future__ import annotations

import io
import struct
import warnings
import zlib

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from .errors import InvalidImage

#: Largest upload accepted, in bytes. A 12 MP phone JPEG is 2-6 MB; 10 MB leaves room without inviting abuse.
MAX_BYTES = 10 * 1024 * 1024
#: Largest pixel count accepted (width x height, before downscaling). 50 MP covers the "high resolution" modes
#: of current phone cameras; decoding it costs ~150 MB of RAM, which bounds the worst case per request.
#: Pillow's own default (MAX_IMAGE_PIXELS ~89 MP, only a warning) is far too generous for a web endpoint.
MAX_PIXELS = 50_000_000
#: Long side after downscaling: the working size of every face check (selfies, liveness frames, registry photos,
#: so templates and probes match). bench/face/worksize.py (docs/FACE.md, "Working size") measured 480, 640, 800,
#: 1024 and 1600 px on the sample and on 4000-px EXIF-rotated JPEG phone variants: the same match decisions at
#: every size (no genuine pair lost, no impostor accepted, no face missed). 480 px loses the blink of the liveness
#: tests' 480p video frame (a 72-px face: eyes ~12 px, too coarse for the eye-aspect ratio), 560 px and above keep
#: it, so 640 is the smallest size that keeps every decision; a phone photo verifies 3x faster than at 1600 px.
#: A selfie's face (30-60 % of the frame) is 190-390 px here; HOG finds faces from ~80 px (upsample 0) and ~40 px
#: (upsample 1, the fallback). Stored templates are encodings, which do not depend on the size (bench: templates
#: made at 1600 px accept and reject exactly as before), so nobody re-enrols.
MAX_SIDE = 640
#: Formats accepted, as Pillow names them after sniffing the content.
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")

# Errors Pillow (and the codecs under it) raise for damaged or hostile files.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error, IndexError, TypeError)


def _open(data: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS))
    except UnidentifiedImageError as exc:
        raise InvalidImage("unsupported or unrecognised image format (JPEG, PNG or WebP only)") from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InvalidImage("image has too many pixels") from exc
    except _DECODE_ERRORS as exc:
        raise InvalidImage(f"image header is corrupt: {type(exc).__name__}") from exc
    if image.format not in ALLOWED_FORMATS:  # defence in depth: `formats=` already restricts the plugins
        raise InvalidImage(f"format {image.format} is not accepted")
    width, height = image.size
    if width <= 0 or height <= 0:
        raise InvalidImage("image has no pixels")
    if width * height > MAX_PIXELS:
        raise InvalidImage(f"image has too many pixels ({width}x{height} > {MAX_PIXELS})")
    return image


def _to_rgb(image: Image.Image) -> Image.Image:
    """Convert any decoded mode to 8-bit RGB; transparent areas become white (what a viewer would show)."""
    if image.mode == "RGB":
        return image
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        # 16-bit greyscale PNG: Pillow's I->L conversion clips instead of scaling, which would burn faces white.
        arr = np.asarray(image, dtype=np.int64).clip(0, 65535)
        shift = 8 if arr.max(initial=0) > 255 else 0
        image = Image.fromarray((arr >> shift).astype(np.uint8))  # 2-D uint8 -> mode L
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    if has_alpha:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def load_image(data: bytes | bytearray | memoryview, *, max_side: int | None = MAX_SIDE) -> np.ndarray:
    """Decode untrusted image bytes into a C-contiguous ``uint8`` array of shape (height, width, 3).

    ``max_side=None`` disables the downscale (used by the accuracy bench to measure its effect).
    Raises :class:`InvalidImage` for anything that is not a complete, reasonably sized JPEG/PNG/WebP.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InvalidImage(f"expected image bytes, got {type(data).__name__}")
    data = bytes(data)
    if not data:
        raise InvalidImage("empty upload")
    if len(data) > MAX_BYTES:
        raise InvalidImage(f"image is larger than {MAX_BYTES} bytes")

    # face_recognition sets this global to True at import time; a truncated upload must be rejected, not padded.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    with warnings.catch_warnings():  # process-global filter state: fine for sync (process) workers, see FACE.md
        # Pillow only *warns* between MAX_IMAGE_PIXELS and twice that; for us any bomb signal is fatal.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = _open(data)
        if image.format == "JPEG" and max_side:
            # Let libjpeg decode at 1/2, 1/4 or 1/8 scale as long as the short side stays >= max_side (so the
            # long side does too): a 4000-px phone photo decodes at 1000 px for a 640-px working size, ~4x less
            # work than at 2000 px, and the LANCZOS resize below does the final step. bench/face/worksize.py
            # measured that this changes no decision against a full decode.
            image.draft("RGB", (max_side, max_side))
        try:
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise InvalidImage("image has too many pixels") from exc
        except _DECODE_ERRORS as exc:
            raise InvalidImage(f"image data is truncated or corrupt: {exc}") from exc
        if ImageFile.LOAD_TRUNCATED_IMAGES:  # another thread flipped it mid-load: do not trust this decode
            raise InvalidImage("image could not be verified as complete")

    image = _to_rgb(image)
    if max_side and max(image.size) > max_side:
        scale = max_side / max(image.size)
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(size, Image.Resampling.LANCZOS)
    # Orientation last, on the small image (the long side does not depend on it; rotating 12 MP costs ~30 ms).
    # convert() and resize() keep the EXIF block in ``info``.
    try:
        image = ImageOps.exif_transpose(image) or image
    except (*_DECODE_ERRORS, KeyError, AttributeError):
        pass  # broken EXIF: keep the stored orientation rather than rejecting an otherwise fine photo
    return np.ascontiguousarray(np.asarray(image, dtype=np.uint8))
