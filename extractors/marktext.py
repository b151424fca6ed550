"""What is printed by the coloured marks of a page, read again enlarged while its image is in
memory: the numbers of a strip (inside, above or below each mark) and the short label beside a
legend swatch, each enlarged before tesseract reads it (small print at 100-150 dpi is misread
at its own size: « Très » read « nés », 19 read 43)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from PIL import Image

from extractors.marklabels import label_tiles, read_labels
from extractors.marktiles import row_tiles
from extractors.ocr import StraightPage
from extractors.strips import mark_rows
from extractors.tilecolumn import read_tiles
from models.records import ColourRegion, Line


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
    """The regions, each with the numbers printed inside it, above it and below it (when any)
    and the short label beside it (when any), read again enlarged: one tesseract call (digits
    only) over the ink of every number place, one over every label. Which place a strip uses,
    and which blobs are a legend, is decided later, with the whole page in view."""
    tiles: list[tuple[int, str, np.ndarray]] = []
    for row in marks_to_read(regions, lines):
        tiles.extend(row_tiles(img, regions, row))
    out = list(regions)
    if tiles:
        for k, readings in read_tiles(tiles, lang).items():
            out[k] = replace(out[k], readings=tuple(readings))
    labels = label_tiles(img, regions, lines, dpi)
    if labels:
        for (k, side), text in read_labels(labels, lang).items():
            out[k] = replace(out[k], **{f"label_{side}": text})
    return tuple(out)
