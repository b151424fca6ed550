"""The short label beside a legend swatch, and the words printed inside a coloured pill, cropped
from the page image and read again enlarged."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image
from scipy import ndimage

from extractors.legend import label_words, swatch_sized
from extractors.marktiles import clip_box, find_ink
from extractors.ocr import StraightPage
from extractors.regions import PILL_ASPECT, PILL_HEIGHT_IN
from extractors.tilecolumn import ocr_words, stack_tiles
from models.records import ColourRegion, Line, Word

LABEL_PX = 48  # a label's line is enlarged to this height before tesseract reads it again
SWATCH_GAP = 0.2  # a label's crop starts this many swatch heights from the swatch
BLOCK_FILL = 0.75  # a mark's share of its box that is ink (a disc's is π/4 and more once
# thresholded); bold letters blurred together fill up to 0.7 of theirs (« a », « sa »)…
BLOCK_NARROW, BLOCK_WIDTH = 0.8, 1.3  # … and is about as wide as high (a disc, a square): a
# bold « a » blurred full (0.77 of its box) is two thirds as wide, a run of letters wider
BLOCK_HEIGHT = 0.6  # … and spans this share of the crop cut to its ink rows at least (a small
# letter, « a » filled by blur, spans half of it)
INK_SHARE = 0.6  # a label crop whose ink rows span less than this share of it is cut to them
PILL_INK = 40.0  # grey levels from the pill's own colour from which a pixel is its print
PILL_INK_SHARE = 0.02  # a pill's inside with less print than this holds no words


def label_tiles(img: Image.Image | StraightPage, regions: Sequence[ColourRegion],
                lines: Sequence[Line], dpi: int) -> list[tuple[tuple[int, str], np.ndarray]]:
    """Per swatch-sized blob and side with a few words beside it (as a legend entry has), the
    line of those words, grey, enlarged to LABEL_PX high."""
    words = [w for ln in lines for w in ln.words]
    out = []
    for k, region in enumerate(regions):
        if not swatch_sized(region, dpi):
            continue
        for side in ("right", "left"):
            found = label_words(region, words, regions, side)
            if found:
                boxes = [w.bbox for w in found if w.bbox is not None]
                x0, x1 = min(b[0] for b in boxes), max(b[2] for b in boxes)
                y0, y1 = min(b[1] for b in boxes), max(b[3] for b in boxes)
                pad = 0.25 * (y1 - y0)
                x0, x1 = x0 - pad, x1 + pad
                gap = SWATCH_GAP * (region.bbox[3] - region.bbox[1])
                if side == "right":  # from the swatch on: a first letter the page's OCR lost
                    x0 = region.bbox[2] + gap  # by the swatch (« ès satisfaisant »), and not
                else:  # the swatch itself, which a word read across it takes in (« BB: »)
                    x1 = region.bbox[0] - gap
                # up to the next blob of the row: the page's OCR reads the next swatch as a
                # letter (« atisfaisant @ Satisfaisant »), and a crop taking it in is refused
                x0, x1 = _short_of_next(region, regions, side, x0, x1)
                box = clip_box((x0, y0 - pad, x1, y1 + pad), img)
            else:
                box = _unread_beside(img, region, regions, words, side)
            if box is not None:
                box = _to_ink_rows(img, box)
            if box is not None:
                tile = _label_tile(img.crop(box).convert("L"))
                if not _has_block(tile):
                    out.append(((k, side), tile))
    return out


def pill_tiles(img: Image.Image | StraightPage, regions: Sequence[ColourRegion], dpi: int
               ) -> list[tuple[tuple[int, str], np.ndarray]]:
    """Per blob shaped to hold a line of words (a coloured pill in a table's status column), its
    inside, grey, its print turned dark on white, enlarged to LABEL_PX high: white words on a
    saturated pill are lost by the page's OCR, whose threshold takes the pill for ink."""
    out = []
    for k, region in enumerate(regions):
        x0, y0, x1, y1 = region.bbox
        h = y1 - y0
        if not (PILL_HEIGHT_IN[0] * dpi <= h <= PILL_HEIGHT_IN[1] * dpi
                and x1 - x0 >= PILL_ASPECT * h):
            continue
        box = clip_box((x0 + 0.3 * h, y0 + 0.1 * h, x1 - 0.3 * h, y1 - 0.1 * h), img)  # not its
        if box is None:  # rounded ends nor its rim
            continue
        grey = np.asarray(img.crop(box).convert("L"), dtype=np.float64)
        ground = float(np.median(grey))
        ink = np.abs(grey - ground) > PILL_INK
        if ink.mean() < PILL_INK_SHARE:
            continue  # a tinted cell, a bar: nothing printed in it
        if grey[ink].mean() > ground:
            grey = 255.0 - grey  # light words on the pill, turned dark on light
        out.append(((k, "in"), _label_tile(Image.fromarray(grey.astype(np.uint8)))))
    return out


def _short_of_next(region: ColourRegion, regions: Sequence[ColourRegion], side: str,
                   x0: float, x1: float) -> tuple[float, float]:
    """The span (x0, x1) beside `region` cut short of the next blob on that side of it in its
    row (a fifth of the swatch's height before it)."""
    rx0, ry0, rx1, ry1 = region.bbox
    h = ry1 - ry0
    for b in regions:
        if b is region or min(ry1, b.bbox[3]) - max(ry0, b.bbox[1]) <= 0.3 * h:
            continue
        if side == "right" and b.bbox[0] > rx1:
            x1 = min(x1, b.bbox[0] - 0.2 * h)
        elif side == "left" and b.bbox[2] < rx0:
            x0 = max(x0, b.bbox[2] + 0.2 * h)
    return x0, x1


def _label_tile(crop: Image.Image) -> np.ndarray:
    """A grey crop of a line of words enlarged to LABEL_PX high, its paper stretched to white."""
    scale = LABEL_PX / crop.height
    crop = crop.resize((max(1, round(crop.width * scale)), LABEL_PX), Image.Resampling.LANCZOS)
    return _on_white(np.asarray(crop))


def _to_ink_rows(img: Image.Image | StraightPage, box: tuple[int, int, int, int]
                 ) -> tuple[int, int, int, int] | None:
    """The box cut down to the rows its ink stands on, with a fifth of their height round
    them: a label printed small beside a large swatch (text a third of its height) was read
    from a crop as tall as the swatch, enlarged too little to be read."""
    ink, _grey = find_ink(img.crop(box))
    rows = np.flatnonzero(ink.any(axis=1))
    if rows.size == 0:
        return None
    top, bottom = int(rows[0]), int(rows[-1]) + 1
    if bottom - top >= INK_SHARE * (box[3] - box[1]):
        return box  # the label fills its crop already
    pad = max(2, round(0.2 * (bottom - top)))
    return clip_box((box[0], box[1] + top - pad, box[2], box[1] + bottom + pad), img)


def _has_block(tile: np.ndarray) -> bool:
    """A solid dark block in a label's crop (the next mark, a bar): no label, and set among the
    labels it throws tesseract's reading of the whole column (« Satisfaisant » read « n »)."""
    labels, _n = ndimage.label(tile < 128)
    for sl in ndimage.find_objects(labels):
        if sl is None:
            continue
        h, w = sl[0].stop - sl[0].start, sl[1].stop - sl[1].start
        if (h >= BLOCK_HEIGHT * tile.shape[0] and BLOCK_NARROW * h <= w <= BLOCK_WIDTH * h
                and (tile[sl] < 128).mean() >= BLOCK_FILL):
            return True
    return False


def _on_white(tile: np.ndarray) -> np.ndarray:
    """A label's crop stretched so that its paper is white and its darkest ink black: crops of
    grey or yellowed paper set on the white column made tesseract's threshold fall between
    white and the paper, and it read nothing at all."""
    values = tile.astype(np.float64)
    paper, dark = float(np.percentile(values, 90)), float(np.percentile(values, 2))
    if paper - dark < 30:
        return tile  # no ink to speak of: left as it is
    return np.clip((values - dark) * (255.0 / (paper - dark)), 0, 255).astype(np.uint8)


def _unread_beside(img: Image.Image | StraightPage, region: ColourRegion,
                   regions: Sequence[ColourRegion], words: Sequence[Word], side: str
                   ) -> tuple[int, int, int, int] | None:
    """The box beside a blob (up to twelve of its heights, or the next blob) where ink stands
    that the page's OCR read no word of (tesseract drops short lines): read it on its own."""
    x0, y0, x1, y1 = region.bbox
    h = y1 - y0
    left, right = (x1 + 0.2 * h, x1 + 12 * h) if side == "right" else (x0 - 12 * h, x0 - 0.2 * h)
    left, right = _short_of_next(region, regions, side, left, right)
    box = clip_box((left, y0 - 0.1 * h, right, y1 + 0.1 * h), img)
    if box is None or box[2] - box[0] < 2 * h:
        return None
    if any(w.bbox is not None and w.bbox[0] < box[2] and w.bbox[2] > box[0]
           and w.bbox[1] < box[3] and w.bbox[3] > box[1]
           and not (w.bbox[0] < x1 and w.bbox[2] > x0) for w in words):
        return None  # read words stand there: they were (or were not) a label
    # (a word read across the blob itself, « Mrs » for a swatch and « Remis en cause », is the
    # swatch and its label read as one: the label is read again on its own)
    ink, _grey = find_ink(img.crop(box))
    return box if ink.mean() > 0.01 else None


def read_labels(tiles: list[tuple[tuple[int, str], np.ndarray]], lang: str
                ) -> dict[tuple[int, str], str]:
    """{(region, side): text} for the label tiles, set one under the other, read in one call."""
    column, spans = stack_tiles([t for _k, t in tiles], LABEL_PX)
    found = ocr_words(column, lang, "--psm 6 --dpi 300")
    out: dict[tuple[int, str], str] = {}
    for (key, _tile), (a, b) in zip(tiles, spans, strict=True):
        words = [text for _wx, wy, text, _c in found if a <= wy < b]  # in reading order
        if words:
            out[key] = " ".join(words)
    return out
