"""Safe handling of event photos: untrusted bytes in, a clean re-encoded JPEG (and the GPS it carried) out.

* The format is decided by Pillow's content sniffing, restricted to JPEG, PNG and WebP; the file name and the
  client's Content-Type are never trusted (a GIF renamed ``.jpg`` is still a GIF and is refused).
* Byte size and pixel count are bounded before any pixel is decoded; Pillow's decompression-bomb warning is
  turned into an error.
* A truncated or corrupt file is an error, never a silently grey-padded picture: ``LOAD_TRUNCATED_IMAGES`` is a
  process-wide Pillow switch (``face_recognition`` turns it on at import), so it is forced off for every load.
* EXIF GPS, if any, is read (the resident's phone often knows the spot better than the map pin); then the picture
  is rotated upright, flattened to RGB, downscaled and re-encoded from bare pixels, so the stored copy carries
  no EXIF, XMP, ICC or comment of the original (no GPS, no camera serial, no thumbnail of the uncropped shot).
"""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from dataclasses import dataclass

from PIL import ExifTags, Image, ImageFile, ImageOps, UnidentifiedImageError

from . import conf

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error, IndexError, TypeError)


class PhotoError(Exception):
    """The upload is not an acceptable photo. ``code`` is the API error code; the message is safe to show."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class CleanPhoto:
    jpeg: bytes
    width: int
    height: int
    source_format: str
    gps: tuple[float, float] | None  # (lat, long) from the original's EXIF, WGS-84 decimal degrees


def _rational(value) -> float:
    if isinstance(value, tuple) and len(value) == 2:  # (numerator, denominator) from older EXIF writers
        return float(value[0]) / float(value[1])
    return float(value)


def _dms(values, ref: str | bytes | None) -> float | None:
    try:
        degrees, minutes, seconds = (_rational(v) for v in values)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = degrees + minutes / 60.0 + seconds / 3600.0
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "ignore")
    if ref and ref.strip().upper() in ("S", "W"):
        result = -result
    return result


def read_gps(image: Image.Image) -> tuple[float, float] | None:
    """(lat, long) from the EXIF GPS block, or None when absent or malformed."""
    try:
        gps = image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    except (*_DECODE_ERRORS, KeyError, AttributeError):
        return None
    if not gps:
        return None
    tags = ExifTags.GPS
    lat = _dms(gps.get(tags.GPSLatitude, ()), gps.get(tags.GPSLatitudeRef))
    long = _dms(gps.get(tags.GPSLongitude, ()), gps.get(tags.GPSLongitudeRef))
    if lat is None or long is None or not (-90 <= lat <= 90 and -180 <= long <= 180) or (lat == 0 and long == 0):
        return None
    return round(lat, 6), round(long, 6)


def _flatten(image: Image.Image) -> Image.Image:
    """Any mode → 8-bit RGB; transparency becomes white (what a viewer shows)."""
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if image.mode.startswith("I;16") or image.mode == "I":
        image = image.point(lambda value: value / 256).convert("L")
    return image.convert("RGB")


def clean_photo(data: bytes) -> CleanPhoto:
    """Validate untrusted bytes and return a metadata-free JPEG copy. Raises :class:`PhotoError`."""
    if not data:
        raise PhotoError("invalid_photo", "照片为空。")
    if len(data) > conf.photo_max_bytes():
        raise PhotoError("photo_too_large", f"照片不能超过 {conf.photo_max_bytes() // (1024 * 1024)} MB。")

    ImageFile.LOAD_TRUNCATED_IMAGES = False
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image: Image.Image = Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS))
        except UnidentifiedImageError as exc:
            raise PhotoError("unsupported_photo_format", "照片格式不受支持，仅支持 JPEG、PNG 或 WebP。") from exc
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise PhotoError("photo_too_large", "照片像素过多。") from exc
        except _DECODE_ERRORS as exc:
            raise PhotoError("invalid_photo", "照片文件已损坏。") from exc
        if image.format not in ALLOWED_FORMATS:
            raise PhotoError("unsupported_photo_format", "照片格式不受支持，仅支持 JPEG、PNG 或 WebP。")
        width, height = image.size
        if width <= 0 or height <= 0:
            raise PhotoError("invalid_photo", "照片没有内容。")
        if width * height > conf.photo_max_pixels():
            raise PhotoError("photo_too_large", "照片像素过多。")
        source_format = image.format
        gps = read_gps(image)
        max_side = conf.photo_max_side()
        if source_format == "JPEG":
            image.draft("RGB", (2 * max_side, 2 * max_side))
        try:
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise PhotoError("photo_too_large", "照片像素过多。") from exc
        except _DECODE_ERRORS as exc:
            raise PhotoError("invalid_photo", "照片文件不完整或已损坏。") from exc
        if ImageFile.LOAD_TRUNCATED_IMAGES:  # flipped by another thread mid-load: do not trust this decode
            raise PhotoError("invalid_photo", "照片文件不完整或已损坏。")

    try:
        image = ImageOps.exif_transpose(image) or image
    except (*_DECODE_ERRORS, KeyError, AttributeError):
        pass  # broken orientation tag: keep the stored orientation
    image = _flatten(image)
    if max(image.size) > max_side:
        scale = max_side / max(image.size)
        image = image.resize(
            (max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.Resampling.LANCZOS
        )
    # A brand-new image from the bare pixels: nothing of the original's info (EXIF, XMP, ICC, comments) survives.
    bare = Image.frombytes("RGB", image.size, image.tobytes())
    out = io.BytesIO()
    bare.save(out, format="JPEG", quality=85, optimize=True)
    return CleanPhoto(out.getvalue(), bare.width, bare.height, source_format, gps)
