"""Tiles stacked on white and read by tesseract in one call; numbers in doubt read again larger."""
from __future__ import annotations

import re

import numpy as np
from PIL import Image

from extractors.engines import OcrFailed, OcrTimeout, engine, parse_tsv
from models.records import DigitReading

# digits, and the letters that label measures (M7; O1, S1, P1 per dimension; R3)
DIGITS_CONFIG = "--psm 6 -c tessedit_char_whitelist=0123456789MOPRS"
OCR_TIMEOUT_S = 30  # one call over a page's tiles
SURE_CONF = 80.0  # a number read with less confidence is read a second time, larger
_NUMBER = re.compile(r"^([MOPRS]?)(\d{1,3})$")


def stack_tiles(tiles: list[np.ndarray], height_px: int
                ) -> tuple[Image.Image, list[tuple[float, float]]]:
    """The tiles set one under the other on white, a tile's height apart; each tile's span."""
    gap = height_px
    column = Image.new("L", (max(t.shape[1] for t in tiles) + 2 * gap,
                             len(tiles) * (height_px + gap) + gap), 255)
    spans = []
    y = gap
    for tile in tiles:
        column.paste(Image.fromarray(tile), (gap, y))
        spans.append((y - gap / 2, y + height_px + gap / 2))
        y += height_px + gap
    return column, spans


def read_tiles(tiles: list[tuple[int, str, np.ndarray]], lang: str
               ) -> dict[int, list[DigitReading]]:
    """{region: readings} for the tiles whose ink reads as 1 to 3 digits (after a label letter,
    if any). The tiles are set one
    under the other and read in one call; the tiles read with doubt (or not at all) are read
    once more, larger: the same number twice is sure, two numbers are doubt."""
    first = _read_column([t for *_k, t in tiles], lang)
    again = [i for i, got in enumerate(first) if got is None or got[1] < SURE_CONF]
    if again:
        larger = [_scaled(tiles[i][2], 1.5) for i in again]
        for i, got in zip(again, _read_column(larger, lang), strict=True):
            first[i] = _agree(first[i], got)
    out: dict[int, list[DigitReading]] = {}
    for (k, place, _tile), got in zip(tiles, first, strict=True):
        if got is not None:
            out.setdefault(k, []).append(DigitReading(place, got[0], round(got[1], 1), got[2]))
    return out


def _agree(a: Read | None, b: Read | None) -> Read | None:
    """Two readings of one tile: the same label twice is sure; two labels are doubt."""
    if a is None or b is None:
        return a or b
    if (a[0], a[2]) == (b[0], b[2]):
        return a[0], max(a[1], b[1]), a[2]
    best = max(a, b, key=lambda r: r[1])
    return best[0], min(a[1], b[1]), best[2]


def _scaled(tile: np.ndarray, factor: float) -> np.ndarray:
    img = Image.fromarray(tile)
    return np.asarray(img.resize((max(1, round(img.width * factor)), round(img.height * factor)),
                                 Image.Resampling.LANCZOS))


Read = tuple[int, float, str]  # number, confidence, the letter before it ("" for none)


def _read_column(tiles: list[np.ndarray], lang: str) -> list[Read | None]:
    """Each tile's number (1-999), confidence and prefix letter, or None, from one tesseract
    call."""
    height_px = max(t.shape[0] for t in tiles)
    column, spans = stack_tiles(tiles, height_px)
    found = ocr_words(column, lang, f"{DIGITS_CONFIG} --dpi 300")
    out: list[Read | None] = []
    for a, b in spans:
        words = sorted((wx, text, conf) for wx, wy, text, conf in found if a <= wy < b)
        m = _NUMBER.match("".join(t for _x, t, _c in words))
        ok = words and m is not None and int(m.group(2)) > 0
        out.append((int(m.group(2)), min(c for *_r, c in words), m.group(1))
                   if ok and m is not None else None)
    return out


def ocr_words(image: Image.Image, lang: str, config: str) -> list[tuple[float, float, str, float]]:
    """(x centre, y centre, text, confidence) of each word tesseract reads on the image."""
    try:
        data = parse_tsv(engine().run(image, lang=lang, config=config, outputs=("tsv",),
                                      timeout=OCR_TIMEOUT_S)["tsv"])
    except (OcrFailed, OcrTimeout):
        return []  # nothing read again: the page's own reading stands
    return [(data["left"][i] + data["width"][i] / 2, data["top"][i] + data["height"][i] / 2,
             t.strip(), float(data["conf"][i]))
            for i, t in enumerate(data["text"])
            if t.strip() and float(data["conf"][i]) >= 0]
