"""What is printed by the coloured marks of a page, read again enlarged while its image is in
memory: the numbers of a strip (inside, above or below each mark), the short label beside a
legend swatch and the words inside a coloured pill, each enlarged before tesseract reads it
(small print at 100-150 dpi is misread at its own size: « Très » read « nés », 19 read 43;
white words on a pill are not read at all)."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from PIL import Image

from extractors.marklabels import label_tiles, pill_tiles, read_labels
from extractors.marktiles import BAND, row_tiles
from extractors.ocr import StraightPage
from extractors.pagelines import split_labels
from extractors.strips import mark_rows
from extractors.tilecolumn import read_tiles
from models.records import ColourRegion, DigitReading, Line


def _prose_bands(lines: Sequence[Line]) -> list[tuple[float, float, float, float]]:
    """Boxes of the words of prose lines (three words or more of two letters or more)."""
    out = []
    for ln in lines:
        if sum(sum(c.isalpha() for c in w.text) >= 2 for w in ln.words) >= 3:
            out.extend(w.bbox for w in ln.words if w.bbox is not None)
    return out


def _on_prose(region: ColourRegion, words: Sequence[tuple[float, float, float, float]]) -> bool:
    """A lone mark standing on a line of prose, a word of it close beside: tied by its band."""
    x0, y0, x1, y1 = region.bbox
    h = y1 - y0
    return any(min(y1, b[3]) - max(y0, b[1]) >= 0.5 * h and (b[0] - x1 < 4 * h and x0 - b[2] < 4 * h)
               for b in words)


def marks_to_read(regions: Sequence[ColourRegion], lines: Sequence[Line]) -> list[list[int]]:
    """The rows whose numbers are read: rows of three marks or more (a strip, whatever text
    stands level with it), and lone compact marks that stand on no line of prose."""
    prose = _prose_bands(lines)
    out = []
    for row in mark_rows(regions):
        if len(row) >= 3:
            out.append(row)
        else:
            out.extend([k] for k in row if not _on_prose(regions[k], prose))
    return out


def read_mark_text(img: Image.Image | StraightPage, regions: tuple[ColourRegion, ...],
                   dpi: int, lang: str, lines: Sequence[Line] = ()) -> tuple[ColourRegion, ...]:
    """The regions, each with the numbers printed inside it, above it and below it (when any),
    the short label beside it and the words inside it (when any), read again enlarged: one
    tesseract call (digits only) over the ink of every number place, one over every label.
    Which place a strip uses, and which blobs are a legend, is decided later, with the whole
    page in view."""
    tiles: list[tuple[int, str, np.ndarray]] = []
    for row in marks_to_read(regions, lines):
        tiles.extend(row_tiles(img, regions, row))
    out = list(regions)
    if tiles:
        for k, readings in read_tiles(tiles, lang).items():
            out[k] = replace(out[k], readings=tuple(readings))
    labels = label_tiles(img, regions, lines, dpi) + pill_tiles(img, regions, dpi)
    if labels:
        for (k, side), text in read_labels(labels, lang).items():
            out[k] = replace(out[k], **{f"label_{side}": text})
    return tuple(out)


# A strip's number as a text layer gives it: digits, a label letter before them (O1, S1), a dot.
_NUMBER_WORD = re.compile(r"^([A-Z]?)(\d{1,3})[.)]?$")
TEXT_LAYER_CONF = 99.0  # a number a text layer gives is as its author typed it
_BESIDE = 1.0  # a number beside a mark stands within this many mark heights of it (above or
# below it, within marktiles.BAND, as on a scan)


def _place(word: tuple[float, float, float, float], mark: tuple[float, float, float, float]
           ) -> tuple[str, float] | None:
    """Where a word stands by a mark — inside, above, below, left or right of it, as close as
    a strip prints its number — and how far from the mark's edge on that side (0 inside);
    None when not by it."""
    wx0, wy0, wx1, wy1 = word
    x0, y0, x1, y1 = mark
    h, wx, wy = y1 - y0, (wx0 + wx1) / 2, (wy0 + wy1) / 2
    centred_x = x0 - 0.15 * h <= wx <= x1 + 0.15 * h
    level = y0 - 0.15 * h <= wy <= y1 + 0.15 * h
    if x0 <= wx <= x1 and y0 <= wy <= y1:
        return "in", 0.0
    if centred_x and y0 - BAND * h <= wy1 <= y0 + 0.25 * h:
        return "above", y0 - wy1
    if centred_x and y1 - 0.25 * h <= wy0 <= y1 + BAND * h:
        return "below", wy0 - y1
    if level and x1 - 0.25 * h <= wx0 <= x1 + _BESIDE * h:
        return "right", wx0 - x1
    if level and x0 - _BESIDE * h <= wx1 <= x0 + 0.25 * h:
        return "left", x0 - wx1
    return None


_FACING = {"above": "below", "below": "above", "left": "right", "right": "left"}


def text_layer_numbers(regions: tuple[ColourRegion, ...], lines: Sequence[Line]
                       ) -> tuple[ColourRegion, ...]:
    """The regions of a text-layer page, each with the numbers its text layer prints inside it,
    above, below, left and right of it (the marks `marks_to_read` picks, as on a scan): each
    number word goes to the nearest mark at each place it may stand for (which place a strip
    uses is decided later, with the whole document in view)."""
    chosen = {k for row in marks_to_read(regions, lines) for k in row}
    if not chosen:
        return regions
    found: dict[int, list[DigitReading]] = {}
    for line in lines:
        for word in (part for w in line.words for part in split_labels(w)):
            m = _NUMBER_WORD.match(word.text.strip())
            if m is None or word.bbox is None:
                continue
            best: dict[str, tuple[float, int]] = {}
            for k in chosen:
                at = _place(word.bbox, regions[k].bbox)
                if at is not None and (at[0] not in best or at[1] < best[at[0]][0]):
                    best[at[0]] = (at[1], k)
            if "in" in best:  # printed inside a mark: that mark's, not its neighbours' beside it
                best = {"in": best["in"]}
            # between two marks (right of one, left of the next; below a row, above the next):
            # the nearer one's only
            for place, other in _FACING.items():
                if place in best and other in best and best[place][0] > best[other][0]:
                    del best[place]
            for place, (_d, k) in best.items():
                found.setdefault(k, []).append(DigitReading(place, int(m.group(2)),
                                                            TEXT_LAYER_CONF, m.group(1)))
    out = list(regions)
    for k, readings in found.items():
        kept = []
        for place in {r.place for r in readings}:
            at = [r for r in readings if r.place == place]
            if len(at) == 1:  # two numbers at one place of one mark: neither is its own
                kept.extend(at)
        out[k] = replace(out[k], readings=tuple(sorted(kept, key=lambda r: r.place)))
    return tuple(out)
