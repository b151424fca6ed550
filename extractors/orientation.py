"""Which way up a page stands, judged from a reading of it: words standing sideways, low
confidence, the turns its ink's lines allow, and which of two readings to keep."""
from __future__ import annotations

import itertools

import numpy as np
from PIL import Image

from models.records import Page, Word

MISREAD_CONFIDENCE = 70.0  # below this mean word confidence, check the page's orientation
ORIENT_VERSION = 2  # bump when the orientation check changes what is read (2: sideways words)
SIDEWAYS_SHARE = 0.4  # this share of a page's words standing taller than wide: read sideways
MIN_SIDEWAYS_WORDS = 5  # ... counted over words of 3+ letters, at least this many of them


def confident_mass(page: Page) -> float:
    """How much confidently read text a page holds: the sum of its words' confidences >= 50."""
    return sum(w.conf for ln in page.lines for w in ln.words if w.conf is not None and w.conf >= 50)


def looks_misread(page: Page, rgb: Image.Image | None) -> bool:
    if page.mean_confidence is not None:
        return page.mean_confidence < MISREAD_CONFIDENCE
    if rgb is None:
        return True
    small = rgb.convert("L")
    small.thumbnail((600, 600))
    return float((np.asarray(small) < 128).mean()) > 0.002  # ink, yet no word read


def _long_words(page: Page) -> list[Word]:
    return [w for ln in page.lines for w in ln.words
            if w.bbox is not None and sum(c.isalpha() for c in w.text) >= 3]


def sideways_turn(page: Page) -> int:
    """The clockwise quarter turn (90 or 270) that sets upright a page tesseract read sideways,
    from the shape of its word boxes alone; 0 when the page reads upright.

    Tesseract reads a page turned a quarter turn as vertical text, often at high confidence:
    its words then stand taller than wide. Along such a line the words run down the page
    (the page was turned clockwise: turn it 270) or up it (turned counter-clockwise: 90) —
    which tells the turn only when the words were read well (a confident reading).
    """
    words = _long_words(page)
    tall = [w for w in words if w.bbox[3] - w.bbox[1] > w.bbox[2] - w.bbox[0]]  # type: ignore[index]
    if len(tall) < MIN_SIDEWAYS_WORDS or len(tall) < SIDEWAYS_SHARE * len(words):
        return 0
    down = up = 0
    for ln in page.lines:
        ys = [(w.bbox[1] + w.bbox[3]) / 2 for w in ln.words if w.bbox is not None]
        for a, b in itertools.pairwise(ys):
            down += b > a
            up += b < a
    if down == up:
        return 0
    return 270 if down > up else 90


def _upright_share(page: Page) -> float:
    """Share of a page's words of 3+ letters that stand wider than tall (1.0 when it has none)."""
    words = _long_words(page)
    if not words:
        return 1.0
    wide = sum(1 for w in words if w.bbox[2] - w.bbox[0] >= w.bbox[3] - w.bbox[1])  # type: ignore[index]
    return wide / len(words)


def likely_turns(rgb: Image.Image) -> list[int]:
    """The turns to try on a page read badly that OSD could not place: its ink's lines run
    across the page (upside down: 180) or down it (a quarter turn, either way: 90, 270)."""
    small = rgb.convert("L")
    small.thumbnail((700, 700))
    arr = np.asarray(small, dtype=np.uint8)
    ink = (arr < min(160, int(arr.mean()) - 30)).astype(np.float64)
    if ink.sum() < 200:
        return []
    rows = float(np.square(np.diff(ink.sum(axis=1))).sum())
    cols = float(np.square(np.diff(ink.sum(axis=0))).sum())
    return [90, 270] if cols > rows else [180]


def reads_better(again: Page, first: Page, sideways: bool) -> bool:
    """Whether the turned reading replaces the first one: it holds more confidently read text,
    or, for a page read sideways, its words stand upright and it holds about as much text. A
    turned reading whose words stand sideways never does: the turn laid an upright page on its
    side, which tesseract read as vertical lines (a blurred page of pale text read poorly
    upright, then 3x the words turned a quarter)."""
    if sideways_turn(again):
        return False
    if confident_mass(again) > confident_mass(first):
        return True
    return (sideways and not looks_misread(again, None) and _upright_share(again) >
            _upright_share(first) and confident_mass(again) >= 0.6 * confident_mass(first))
