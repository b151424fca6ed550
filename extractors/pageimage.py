"""A page image made ready to read: 8-bit RGB on white, its skew measured, turned at OpenCV's
speed, and cut as the deskewed page would be (`StraightPage`) without turning all of it."""
from __future__ import annotations

from functools import lru_cache
from types import ModuleType

import numpy as np
from PIL import Image

DESKEW_VERSION = 3  # bump when the deskew changes the image tesseract sees (3: OpenCV, grayscale)
MIN_SKEW_DEG = 0.15  # a page leaning less than this is read as it is


@lru_cache(maxsize=1)
def opencv() -> ModuleType:
    """OpenCV on first use: only the readers turn pages (it is preloaded there), and with one
    thread, since there is one page per core already (its own threads would only contend)."""
    import cv2

    cv2.setNumThreads(1)
    return cv2


def to_rgb(img: Image.Image) -> Image.Image:
    """Any Pillow image (16-bit, CMYK, palette, alpha) as 8-bit RGB on white."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(img, dtype=np.float64)
        top = arr.max() or 1.0
        img = Image.fromarray((arr * (255.0 / top)).astype(np.uint8), mode="L")
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, rgba)
    return img.convert("RGB")


def estimate_skew(gray: Image.Image, max_deg: float = 5.0) -> float:
    """Skew of the text lines in degrees (counter-clockwise positive), by projection profile."""
    small = gray.copy()
    small.thumbnail((700, 700))
    arr = np.asarray(small, dtype=np.uint8)
    ink = arr < min(160, int(arr.mean()) - 30)
    if ink.sum() < 200:
        return 0.0
    mask = ink.astype(np.uint8)
    h, w = mask.shape
    cv2 = opencv()

    def score(angle: float) -> float:
        turned = cv2.warpAffine(mask, _rotation(angle, (w / 2, h / 2)), (w, h),
                                flags=cv2.INTER_NEAREST)
        profile = turned.sum(axis=1, dtype=np.float64)
        return float(np.square(np.diff(profile)).sum())

    best = max(np.arange(-max_deg, max_deg + 1e-9, 1.0), key=score)
    fine = np.arange(best - 0.6, best + 0.6 + 1e-9, 0.1)
    best = max(fine, key=score)
    return -round(float(best), 2)


def _rotation(degrees: float, centre: tuple[float, float]) -> np.ndarray:
    """The affine map of a turn by `degrees` counter-clockwise about `centre` (PIL's convention)."""
    return opencv().getRotationMatrix2D(centre, degrees, 1.0)


def rotated(img: Image.Image, degrees: float) -> Image.Image:
    """`img.rotate(degrees, BILINEAR, fillcolor=white)` at OpenCV's speed (~4× PIL's here)."""
    arr = np.asarray(img)
    fill = 255 if arr.ndim == 2 else (255,) * arr.shape[2]
    matrix = _rotation(degrees, (img.width / 2, img.height / 2))
    cv2 = opencv()
    out = cv2.warpAffine(arr, matrix, (img.width, img.height), flags=cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_CONSTANT, borderValue=fill)
    return Image.fromarray(out, mode=img.mode)


class StraightPage:
    """A page image as it would look deskewed, without straightening all of it: pieces are cut
    from the original on demand (`crop`), and a reduced copy is made whole (`reduced`)."""

    def __init__(self, rgb: Image.Image, skew: float) -> None:
        self.rgb, self.skew = rgb, skew
        self.width, self.height = rgb.width, rgb.height
        self._pixels: np.ndarray | None = None  # the page as an array, made on the first cut

    def _array(self) -> np.ndarray:
        if self._pixels is None:
            self._pixels = np.asarray(self.rgb)
        return self._pixels

    def crop(self, box: tuple[int, int, int, int]) -> Image.Image:
        """The box of the deskewed page (page pixels), as an RGB image."""
        x0, y0, x1, y1 = box
        size = (max(1, x1 - x0), max(1, y1 - y0))
        if not self.skew:
            return self.rgb.crop(box)
        matrix = _rotation(-self.skew, (self.width / 2, self.height / 2))
        matrix[:, 2] -= (x0, y0)
        cv2 = opencv()
        out = cv2.warpAffine(self._array(), matrix, size, flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_CONSTANT, borderValue=(255, 255, 255))
        return Image.fromarray(out, mode="RGB")

    def reduced(self, factor: int) -> Image.Image:
        """The deskewed page at 1/factor of its size (box-averaged, then turned)."""
        small = self.rgb.reduce(factor) if factor > 1 else self.rgb
        return rotated(small, -self.skew) if self.skew else small
