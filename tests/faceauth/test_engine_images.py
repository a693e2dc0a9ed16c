"""Safe image loading: only complete, reasonably sized JPEG/PNG/WebP become RGB arrays; all else is InvalidImage."""

from __future__ import annotations

import builtins
import io
import os
import tempfile
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFile

from backend.faceauth.engine import images, recognition
from backend.faceauth.engine.errors import InvalidImage, NoFace
from backend.faceauth.engine.images import MAX_BYTES, MAX_SIDE, load_image

FACES = Path(__file__).resolve().parents[1] / "faces"


@cache
def photo_bytes(name: str) -> bytes:
    return (FACES / name).read_bytes()


def encoded(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def assert_invalid(data: object) -> InvalidImage:
    with pytest.raises(InvalidImage) as info:
        load_image(data)  # type: ignore[arg-type]
    assert info.value.code == "invalid_image"
    assert info.value.reason
    return info.value


def test_jpeg_png_and_webp_decode_to_rgb_uint8() -> None:
    jpeg = load_image(photo_bytes("obama_1.jpg"), max_side=None)  # full size: the decode itself is under test
    png = load_image(photo_bytes("lin_manuel_miranda_1.png"))  # stored as RGBA
    webp = load_image(encoded(Image.fromarray(jpeg), "WEBP", quality=90), max_side=None)
    for array in (jpeg, png, webp):
        assert array.dtype == np.uint8 and array.ndim == 3 and array.shape[2] == 3
        assert array.flags["C_CONTIGUOUS"]
    assert jpeg.shape == (1137, 910, 3)
    assert webp.shape == jpeg.shape


def test_long_side_is_capped_and_cap_can_be_disabled() -> None:
    data = photo_bytes("biden_1.jpg")  # 970 x 2204
    assert load_image(data).shape[:2] == (MAX_SIDE, round(970 * MAX_SIDE / 2204))
    assert load_image(data, max_side=None).shape[:2] == (2204, 970)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: b"Name,Photo\nZhang San,face.jpg\n", id="text"),
        pytest.param(lambda: b"", id="empty"),
        pytest.param(lambda: encoded(Image.open(FACES / "obama_1.jpg"), "GIF"), id="gif"),
        pytest.param(lambda: encoded(Image.new("RGB", (64, 64)), "BMP"), id="bmp"),
        pytest.param(lambda: encoded(Image.new("RGB", (64, 64)), "TIFF"), id="tiff"),
        pytest.param(lambda: b"%PDF-1.4\n" + b"0" * 100, id="pdf"),
    ],
)
def test_formats_outside_the_whitelist_are_rejected_by_content(make) -> None:
    assert_invalid(make())


def test_a_gif_named_jpg_is_still_a_gif() -> None:
    # The loader never sees a file name; this documents that the *content* decides.
    gif = encoded(Image.new("RGB", (64, 64), "red"), "GIF")
    assert "format" in assert_invalid(gif).reason


def test_non_bytes_input_is_rejected() -> None:
    assert_invalid("obama_1.jpg")
    assert_invalid(None)


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.999])
def test_truncated_jpeg_is_rejected(keep: float) -> None:
    data = photo_bytes("obama_1.jpg")
    assert_invalid(data[: int(len(data) * keep)])


def test_truncated_png_is_rejected() -> None:
    data = photo_bytes("alex_lacamoire_1.png")
    assert_invalid(data[: len(data) // 2])


def test_truncation_is_caught_even_after_face_recognition_flipped_the_pillow_flag() -> None:
    import face_recognition  # noqa: F401  (its import sets LOAD_TRUNCATED_IMAGES = True)

    ImageFile.LOAD_TRUNCATED_IMAGES = True  # as if some other code had just imported it
    data = photo_bytes("obama_1.jpg")
    assert_invalid(data[: len(data) // 2])
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_engine_import_resets_the_pillow_flag() -> None:
    ImageFile.LOAD_TRUNCATED_IMAGES = True
    recognition._backend.api.cache_clear()
    recognition._backend.api()
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_oversized_byte_string_is_rejected_before_decoding() -> None:
    data = photo_bytes("obama_1.jpg")
    padded = data + b"\0" * (MAX_BYTES - len(data) + 1)
    assert "larger" in assert_invalid(padded).reason


def test_decompression_bomb_is_rejected() -> None:
    # 12000 x 12000 one-colour 1-bit PNG: ~20 KB on the wire, 144 MP (432 MB as RGB) if decoded.
    bomb = encoded(Image.new("1", (12_000, 12_000), 1), "PNG")
    assert len(bomb) < 100_000
    assert "pixels" in assert_invalid(bomb).reason


def test_pillow_bomb_warning_is_an_error_not_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    # With our own bound lifted, Pillow's DecompressionBombWarning range must still end in InvalidImage.
    monkeypatch.setattr(images, "MAX_PIXELS", 10**12)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100 * 100)
    data = encoded(Image.new("RGB", (150, 150), "white"), "PNG")  # between MAX_IMAGE_PIXELS and 2x: a warning
    assert "pixels" in assert_invalid(data).reason


def test_transparent_pixels_become_white_and_palette_and_grey_become_rgb() -> None:
    rgba = Image.new("RGBA", (20, 10), (255, 0, 0, 255))
    rgba.paste((0, 0, 0, 0), (0, 0, 10, 10))  # left half fully transparent black
    out = load_image(encoded(rgba, "PNG"))
    assert out[5, 2].tolist() == [255, 255, 255]
    assert out[5, 15].tolist() == [255, 0, 0]

    palette = Image.new("P", (8, 8), 1)
    palette.putpalette([0, 0, 0, 0, 128, 0] + [0] * 762)
    assert load_image(encoded(palette, "PNG"))[0, 0].tolist() == [0, 128, 0]

    grey = load_image(encoded(Image.new("L", (8, 8), 77), "PNG"))
    assert grey.shape == (8, 8, 3) and grey[0, 0].tolist() == [77, 77, 77]

    deep = Image.fromarray(np.full((8, 8), 40_000, dtype=np.uint16))  # 16-bit grey PNG
    assert load_image(encoded(deep, "PNG"))[0, 0].tolist() == [40_000 >> 8] * 3


def test_exif_orientation_is_applied_so_a_sideways_stored_photo_still_encodes_and_matches() -> None:
    upright_bytes = photo_bytes("obama_1.jpg")
    upright = Image.open(io.BytesIO(upright_bytes))
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # what a phone stores for a portrait shot
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    with_tag = encoded(stored, "JPEG", quality=92, exif=exif.tobytes())

    assert load_image(with_tag).shape == load_image(upright_bytes).shape  # upright again after transpose
    reference = recognition.encode_bytes(upright_bytes)
    assert recognition.matches(recognition.encode_bytes(with_tag), reference)
    # Without the tag the face is sideways and HOG does not see it: this is why the transpose matters.
    with pytest.raises(NoFace):
        recognition.encode_bytes(encoded(stored, "JPEG", quality=92))


def test_loading_never_touches_the_filesystem(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"filesystem access during load_image: {args!r}")

    data = photo_bytes("lin_manuel_miranda_1.png")
    jpeg = photo_bytes("obama_2.jpg")
    for target, name in [
        (builtins, "open"),
        (io, "open"),
        (os, "open"),
        (tempfile, "mkstemp"),
        (tempfile, "NamedTemporaryFile"),
        (tempfile, "TemporaryFile"),
    ]:
        monkeypatch.setattr(target, name, forbidden)
    assert load_image(data).shape[2] == 3
    assert load_image(jpeg).shape[2] == 3
