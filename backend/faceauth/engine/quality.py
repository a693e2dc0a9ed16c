"""Measurable image quality of a face photo, so that a refused resident can be told what to change.

Only what can be measured on the pixels is reported: the brightness of the face (or of the whole picture when no
face was found), the face's size relative to the picture, and sharpness as the variance of the Laplacian of the
grey face crop (numpy only). Nothing here guesses at glasses, masks or hats. The numbers never leave the server:
the API turns them into advice in plain words (``backend/faceauth/services.py``), never into a score.

Thresholds were set on the sample photos of ``tests/faces`` (all well lit and sharp) and on darkened, blurred
and shrunk copies of them; see docs/FACE.md ("What a refused resident is told").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

#: Mean luma (0-255) of the face below which the photo is too dark. The sample's faces measure 95-175; HOG
#: starts to lose faces and encodings drift below ~50.
DARK_LUMA = 60.0
#: Mean luma above which the face is washed out (overexposed, or a light shining into the camera).
BRIGHT_LUMA = 215.0
#: Face box height / the picture's short side below which the resident is too far from the camera. Selfies at
#: arm's length measure 0.3-0.6, the sample 0.17-0.55.
FAR_FRACTION = 0.12
#: Face box height in analysed pixels below which detection and encodings become unreliable (HOG's window is
#: 80 px; upsampling finds ~40 px faces, with noisier encodings).
SMALL_FACE_PX = 60
#: Variance of the Laplacian of the grey face crop (at most ``_CROP`` px square) below which the face is blurred:
#: the sample's faces measure 70-760, the same faces under a 2-px Gaussian blur ~15.
BLUR_VARIANCE = 25.0
_CROP = 128


@dataclass(frozen=True)
class Quality:
    """What was measured; ``face_fraction``/``face_px`` are None when no face box is known."""

    luma: float
    sharpness: float
    face_px: int | None = None
    face_fraction: float | None = None

    @property
    def too_dark(self) -> bool:
        return self.luma < DARK_LUMA

    @property
    def too_bright(self) -> bool:
        return self.luma > BRIGHT_LUMA

    @property
    def blurry(self) -> bool:
        return self.sharpness < BLUR_VARIANCE

    @property
    def too_far(self) -> bool:
        if self.face_px is None or self.face_fraction is None:
            return False
        return self.face_fraction < FAR_FRACTION or self.face_px < SMALL_FACE_PX


def _luma(rgb: np.ndarray) -> np.ndarray:
    return rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114


def _laplacian_variance(grey: np.ndarray) -> float:
    """Variance of the 4-neighbour Laplacian, on a crop brought to at most ``_CROP`` px (the value depends on scale;
    a smaller crop is not enlarged, which would blur it)."""
    side = max(3, min(_CROP, *grey.shape))
    image = Image.fromarray(np.clip(grey, 0, 255).astype(np.uint8)).resize((side, side), Image.Resampling.BILINEAR)
    g = np.asarray(image, dtype=np.float64)
    lap = g[1:-1, :-2] + g[1:-1, 2:] + g[:-2, 1:-1] + g[2:, 1:-1] - 4 * g[1:-1, 1:-1]
    return float(lap.var())


def assess(image: np.ndarray, box: tuple[int, int, int, int] | None = None) -> Quality:
    """Measure ``image`` (RGB uint8 from ``load_image``); ``box`` = (top, right, bottom, left) of the face, if any.

    Without a box, brightness and sharpness are measured on the central half of the picture, where the app's
    frame asks the face to be.
    """
    height, width = image.shape[:2]
    if box is not None:
        top, right, bottom, left = box
        top, left = max(0, top), max(0, left)
        bottom, right = min(height, bottom), min(width, right)
    if box is None or bottom - top < 2 or right - left < 2:
        top, bottom, left, right = height // 4, height - height // 4, width // 4, width - width // 4
        box = None
    crop = _luma(image[top:bottom, left:right].astype(np.float64))
    if crop.size == 0:
        crop = _luma(image.astype(np.float64))
    face_px = (bottom - top) if box is not None else None
    fraction = face_px / max(1, min(height, width)) if face_px is not None else None
    return Quality(
        luma=float(crop.mean()), sharpness=_laplacian_variance(crop), face_px=face_px, face_fraction=fraction
    )
