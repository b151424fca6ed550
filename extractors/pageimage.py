"""A page image made ready to read: 8-bit RGB on white, its skew measured, turned at OpenCV's
speed, and cut as the deskewed page would be (`StraightPage`) without turning all of it."""
from __future__ import annotations

from functools import lru_cache, reduce
from types import ModuleType

import numpy as np
from PIL import Image

from extractors.tablerows import table_extents

DESKEW_VERSION = 4  # bump when the deskew changes the image tesseract sees (4: pale text's ink judged locally)
MIN_SKEW_DEG = 0.15  # a page leaning less than this is read as it is
SKEW_WINDOW, SKEW_CONTRAST = 31, 12  # ink: this much darker than the mean of a window this wide
PALE_INK_SHARE = 0.15  # ... measured where a fixed grey level sees less than this share of it
UNRULED_VERSION = 2  # bump when the rules erased before OCR change (part of the OCR cache key)
RULE_MIN_H_MM, RULE_MIN_V_MM = 25.0, 12.0  # a table's or a frame's rule runs at least this far
RULE_MAX_MM = 0.5  # ... and is at most this thick (a status cell, a bar, a letter's stem: kept)
RULE_CONTRAST = 12  # grey levels under what lies just across it: a rule's pixel (a pale one too)


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
    """Skew of the text lines in degrees (counter-clockwise positive), by projection profile of
    the ink of a reduced copy: what is darker than a fixed grey level. On a page whose text is
    pale (blurred grey text on tinted paper, its strokes lightened past that level by the
    reduction) that ink is the logo and the signature — an upright page measured 4.4°, which
    tesseract then could not read — so where it holds under PALE_INK_SHARE of the ink judged
    against its surroundings (SKEW_WINDOW pixels across, darker by SKEW_CONTRAST), the latter
    is measured instead."""
    small = gray.copy()
    small.thumbnail((700, 700))
    arr = np.asarray(small, dtype=np.uint8)
    cv2 = opencv()
    mask = (arr < min(160, int(arr.mean()) - 30)).astype(np.uint8)
    local = cv2.adaptiveThreshold(arr, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                  SKEW_WINDOW, SKEW_CONTRAST)
    if mask.sum() < PALE_INK_SHARE * local.sum():
        mask = local
    if mask.sum() < 200:
        return 0.0
    h, w = mask.shape

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


def without_rules(gray: Image.Image, dpi: int) -> tuple[Image.Image, list[tuple[int, int, int, int]]]:
    """The page with the rules of its ruled tables painted in the colour around them (paper, a
    tinted row), and the rules' boxes (x0, y0, x1, y1 in the page's pixels). Tesseract reads a cell's border
    as `|`, `[`, `l` or `1` glued to the words beside it (`|ox | Rendre …`, `lo3|`), and a row's
    rule through a line breaks it; once erased, it reads a table's columns apart, and the rules
    say where its rows are (extractors/tablerows.py). A rule is a run of ink at least
    RULE_MIN_H_MM long (RULE_MIN_V_MM upright), at most RULE_MAX_MM thick and darker than what
    lies just across it by RULE_CONTRAST, a pale grey one too: letters, marks, filled cells,
    bars and the edges of tinted rows are not touched. Only a table's rules go — rows
    ruled one above the other with upright rules between their cells (`table_extents`): a rule
    between two measures, a column's or a panel's frame, stays (tesseract finds columns by
    them). Runs on the deskewed page."""
    cv2 = opencv()
    arr = np.asarray(gray, dtype=np.uint8)
    px_mm = dpi / 25.4
    d = max(2, round(RULE_MAX_MM * px_mm))  # what lies across a rule lies this far off its middle
    # a thin line: lighter than the pixel at its middle, by RULE_CONTRAST, at `d` on both sides
    # across it (paper, or a tinted row). A letter's foot, a serif row, a band's edge or a
    # filled cell has ink, or the band, on one side at least
    flat = _thin(arr, ((-d, 0), (d, 0)))
    upright = _thin(arr, ((0, -d), (0, d)))
    # where a flat rule crosses an upright one neither sees a thin line (each is dark across
    # the other): the gap is bridged where a flat line runs on both sides, an upright one above
    # and below, and the crossing is lighter at its four corners
    bridge = np.ones((1, 2 * d + 3), np.uint8)
    crossing = (_thin(arr, ((-d, -d), (-d, d), (d, -d), (d, d)))
                & cv2.morphologyEx(flat, cv2.MORPH_CLOSE, bridge)
                & cv2.morphologyEx(upright, cv2.MORPH_CLOSE, bridge.T))
    lines = {"flat": flat, "upright": upright}
    found: dict[str, np.ndarray] = {}
    for name, length, (w, h) in (("flat", RULE_MIN_H_MM, (1, 0)),
                                 ("upright", RULE_MIN_V_MM, (0, 1))):
        n = max(10, round(length * px_mm))
        # a flat rule runs on through crossings, never through letters' stems
        # (widened by a pixel each way across it: a photographed page's rule leans a little)
        mask = cv2.dilate(lines[name] | crossing, np.ones((3 * w or 1, 3 * h or 1), np.uint8))
        run = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((n * h or 1, n * w or 1), np.uint8))
        found[name] = cv2.dilate(run, np.ones((5, 5), np.uint8))  # its soft edges too
    flat, upright = _boxes(found["flat"]), _boxes(found["upright"])
    tables = table_extents(flat + upright)
    if not tables:  # rules of no table stay: a rule between two measures, a frame
        return gray, []
    keep = np.zeros_like(arr)
    for x0, y0, x1, y1 in tables:
        keep[max(0, int(y0) - 2):int(y1) + 3, max(0, int(x0) - 2):int(x1) + 3] = 255
    out = arr.copy()
    for name, standing in (("flat", False), ("upright", True)):
        rules = (found[name] & keep) > 0
        # painted from the page as the flat rules left it: where a wall crosses a row's rule,
        # what lies beside the wall is paper by then, not the rule
        out[rules] = _beside(out, d + 3, standing)[rules]
    boxes = [b for b in flat + upright if any(
        t[0] - 3 <= b[0] and b[2] <= t[2] + 3 and t[1] - 3 <= b[1] and b[3] <= t[3] + 3
        for t in tables)]
    return Image.fromarray(out, mode="L"), boxes


def _thin(arr: np.ndarray, offsets: tuple[tuple[int, int], ...]) -> np.ndarray:
    """255 where every pixel at the (dy, dx) `offsets` is lighter by RULE_CONTRAST (the page's
    edge repeated beyond it)."""
    m = max(abs(v) for off in offsets for v in off)
    padded = np.pad(arr.astype(np.int16), m, mode="edge")
    h, w = arr.shape
    lighter = reduce(np.minimum, (padded[m + dy:m + dy + h, m + dx:m + dx + w]
                                  for dy, dx in offsets))  # no stack of k copies of the page
    return ((lighter - arr) > RULE_CONTRAST).view(np.uint8) * np.uint8(255)


def _boxes(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    # labelled within the box of what the mask holds (a page's rules: little, often nothing)
    bx, by, bw, bh = opencv().boundingRect(mask)
    if not bw:
        return []
    n, _labels, stats, _c = opencv().connectedComponentsWithStats(
        np.ascontiguousarray(mask[by:by + bh, bx:bx + bw]), connectivity=8)
    return [(int(bx + x), int(by + y), int(bx + x + w), int(by + y + h))
            for x, y, w, h, _a in stats[1:n]]


def _beside(arr: np.ndarray, d: int, upright: bool) -> np.ndarray:
    """Each pixel's lighter neighbour `d` pixels across a rule (above or below it; left or right
    when `upright`): the paper or the tinted row the rule stands on."""
    padded = np.pad(arr, ((0, 0), (d, d)) if upright else ((d, d), (0, 0)), mode="edge")
    if upright:
        return np.maximum(padded[:, :-2 * d], padded[:, 2 * d:])
    return np.maximum(padded[:-2 * d], padded[2 * d:])
