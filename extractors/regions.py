"""Coloured regions of a page image, found while the image is in memory: blobs and their numbers."""
from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytesseract
from PIL import Image
from scipy import ndimage
from skimage.color import rgb2lab

from extractors.ocr import StraightPage
from models.records import ColourRegion, Line

WORK_DPI = 50  # blobs are found on a copy of the page at about this resolution
MIN_CHROMA = 20.0  # CIELAB chroma below this is paper, ink, grey or a tinted panel
MIN_SIDE_MM, MAX_SIDE_MM = 2.0, 40.0  # a mark or swatch is between these sizes
MIN_CORE = 0.3  # share of a blob left after a 1-pixel erosion: solid shapes, not text strokes
DIGITS_CONFIG = "--psm 6 -c tessedit_char_whitelist=0123456789"
MIN_DIGIT_PX = 32  # tiles read again are enlarged until the tallest is at least this high
INK_GRAY = 140  # darker than this (0-255) and unsaturated: printed ink
_DIGITS = re.compile(r"^\d{1,3}$")


def find_colour_regions(img: Image.Image, dpi: int, scale: float = 1.0) -> tuple[ColourRegion, ...]:
    """Solid, saturated blobs of the page image; boxes in page units (image pixels × `scale`)."""
    factor = max(1, round(dpi / WORK_DPI))
    small = img.convert("RGB").reduce(factor) if factor > 1 else img.convert("RGB")
    rgb = np.asarray(small, dtype=np.float64) / 255.0
    lab = rgb2lab(rgb)
    labels, _n = ndimage.label(np.hypot(lab[..., 1], lab[..., 2]) >= MIN_CHROMA)
    px_mm = dpi / factor / 25.4
    out: list[ColourRegion] = []
    for i, sl in enumerate(ndimage.find_objects(labels), start=1):
        region = _region(labels[sl] == i, rgb[sl], sl, px_mm, factor * scale)
        if region is not None:
            out.append(region)
    return tuple(sorted(out, key=lambda r: (r.bbox[1], r.bbox[0])))


def _region(comp: np.ndarray, rgb: np.ndarray, sl: tuple[slice, slice], px_mm: float,
            unit: float) -> ColourRegion | None:
    """One labelled blob as a region, or None when it is too small, too big or not solid."""
    h, w = comp.shape
    if min(h, w) < MIN_SIDE_MM * px_mm or max(h, w) > MAX_SIDE_MM * px_mm:
        return None
    count = int(comp.sum())
    core = ndimage.binary_erosion(comp)
    if core.sum() < max(4, MIN_CORE * count):
        return None
    mean = rgb[core].mean(axis=0)
    lab = rgb2lab(mean.reshape(1, 1, 3))[0, 0]
    y0, x0 = sl[0].start, sl[1].start
    return ColourRegion(
        bbox=(x0 * unit, y0 * unit, (x0 + w) * unit, (y0 + h) * unit),
        rgb=tuple(round(float(v) * 255, 1) for v in mean),  # type: ignore[arg-type]
        lab=tuple(round(float(v), 2) for v in lab),  # type: ignore[arg-type]
        area=round(count * unit * unit, 1), fill=round(count / (w * h), 3))


def number_tile(img: Image.Image | StraightPage, region: ColourRegion) -> np.ndarray:
    """Black-on-white ink of the region's inside and of the band just under it (a disc's number):
    light holes in the blob, dark unsaturated strokes below; colour and rules blanked."""
    x0, y0, x1, y1 = (round(v) for v in region.bbox)
    h = y1 - y0
    pad = max(1, h // 10)
    box = (max(0, x0 - pad), y0, min(img.width, x1 + pad), min(img.height, y1 + (4 * h) // 3))
    rgb = np.asarray(img.crop(box).convert("RGB"), dtype=np.float64) / 255.0
    lab = rgb2lab(rgb)
    colour = np.hypot(lab[..., 1], lab[..., 2]) >= MIN_CHROMA
    ink = (lab[..., 0] < INK_GRAY / 2.55) & ~ndimage.binary_dilation(colour, iterations=2)
    ink |= ndimage.binary_fill_holes(colour) & ~colour & (lab[..., 0] > 60)
    return np.where(_without_rules(ink), 0, 255).astype(np.uint8)


def _without_rules(ink: np.ndarray) -> np.ndarray:
    """Ink less long strokes and what touches the sides (table rules, frames, neighbours' text):
    a mark's number is a few small shapes centred under it or inside it."""
    labels, _n = ndimage.label(ink, structure=np.ones((3, 3)))
    h, w = ink.shape
    for i, sl in enumerate(ndimage.find_objects(labels), start=1):
        height, width = sl[0].stop - sl[0].start, sl[1].stop - sl[1].start
        if (height > 0.5 * h or height < 0.12 * h or width > 0.8 * w
                or sl[1].start == 0 or sl[1].stop == w):
            ink[sl][labels[sl] == i] = False
    return ink


def _compact(region: ColourRegion) -> bool:
    """A disc or a square, as numbered marks are; not a table cell or a bar."""
    w, h = region.bbox[2] - region.bbox[0], region.bbox[3] - region.bbox[1]
    return max(w, h) <= 1.6 * min(w, h)


def _text_bands(lines: Sequence[Line]) -> list[tuple[float, float]]:
    """(top, bottom) of the lines that are prose: three words or more of two letters or more."""
    return [(ln.bbox[1], ln.bbox[3]) for ln in lines if ln.bbox is not None
            and sum(sum(c.isalpha() for c in w.text) >= 2 for w in ln.words) >= 3]


def _beside_text(region: ColourRegion, bands: Sequence[tuple[float, float]]) -> bool:
    """The region stands on a line of prose (half its height or more level with it): a mark
    at a measure's line or in its table row, tied by that band, never by a number."""
    y0, y1 = region.bbox[1], region.bbox[3]
    return any(min(y1, b) - max(y0, t) >= 0.5 * (y1 - y0) for t, b in bands)


def _ink_box(tile: np.ndarray) -> np.ndarray | None:
    rows, cols = np.nonzero(tile < 128)
    if rows.size < 6:
        return None
    return tile[rows.min():rows.max() + 1, cols.min():cols.max() + 1]


def read_region_numbers(img: Image.Image | StraightPage, regions: tuple[ColourRegion, ...], dpi: int,
                        lang: str, lines: Sequence[Line] = ()) -> tuple[ColourRegion, ...]:
    """The regions with the number printed inside or under each, if any; regions standing on
    a line of prose among `lines` (the page's OCR) are not read: they are tied by their band.

    One tesseract call (digits only) on a column of small tiles, one tile of ink per region
    and one tile a line, each word mapped back to its tile by its height on the column; the
    tiles left unread are tried once more enlarged (small digits read either way, not always
    both ways).
    """
    bands = _text_bands(lines)
    inks = [_ink_box(number_tile(img, r)) if _compact(r) and not _beside_text(r, bands) else None
            for r in regions]
    tiles = [(k, t) for k, t in enumerate(inks) if t is not None]
    if not tiles:
        return regions
    numbers = _read_tiles(tiles, dpi, lang, zoom=1)
    unread = [(k, t) for k, t in tiles if k not in numbers]
    if unread:
        numbers |= _read_tiles(unread, dpi, lang, zoom=max(2, -(-MIN_DIGIT_PX // max(
            t.shape[0] for _k, t in unread))))
    out = list(regions)
    for k, (number, conf) in numbers.items():
        out[k] = replace(regions[k], number=number, number_conf=conf)
    return tuple(out)


def _read_tiles(tiles: list[tuple[int, np.ndarray]], dpi: int, lang: str, zoom: int
                ) -> dict[int, tuple[int, float]]:
    """{tile index: (number, confidence)} for the tiles whose ink reads as 1 to 3 digits."""
    gap = max(t.shape[0] for _k, t in tiles)
    column = Image.new("L", (max(t.shape[1] for _k, t in tiles) + 2 * gap,
                             sum(t.shape[0] + gap for _k, t in tiles) + gap), 255)
    spans: dict[int, tuple[float, float]] = {}
    y = gap
    for k, tile in tiles:
        column.paste(Image.fromarray(tile), (gap, y))
        spans[k] = (y - gap / 2, y + tile.shape[0] + gap / 2)
        y += tile.shape[0] + gap
    if zoom > 1:
        column = column.resize((column.width * zoom, column.height * zoom),
                               Image.Resampling.BICUBIC)
    found = [(x / zoom, y / zoom, t, c) for x, y, t, c in _ocr_digits(column, dpi * zoom, lang)]
    numbers: dict[int, tuple[int, float]] = {}
    for k, (a, b) in spans.items():
        words = sorted((wx, text, conf) for wx, wy, text, conf in found if a <= wy < b)
        text = "".join(t for _x, t, _c in words)
        if words and _DIGITS.match(text):
            numbers[k] = (int(text), min(c for *_r, c in words))
    return numbers


def _ocr_digits(strip: Image.Image, dpi: int, lang: str) -> list[tuple[float, float, str, float]]:
    """(x centre, y centre, digits, confidence) of each word tesseract reads on the image."""
    with tempfile.TemporaryDirectory(prefix="missions-marks-") as tmp:
        path = os.path.join(tmp, "strip.bmp")
        strip.save(path, format="BMP")
        try:
            data = pytesseract.image_to_data(path, lang=lang, config=f"{DIGITS_CONFIG} --dpi {dpi}",
                                             output_type=pytesseract.Output.DICT, timeout=30)
        except (RuntimeError, pytesseract.TesseractError):
            return []  # no numbers: marks are then tied by their band or not at all
    return [(data["left"][i] + data["width"][i] / 2, data["top"][i] + data["height"][i] / 2,
             t.strip(), float(data["conf"][i]))
            for i, t in enumerate(data["text"])
            if t.strip().isdigit() and float(data["conf"][i]) >= 0]
