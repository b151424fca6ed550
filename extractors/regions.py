"""Coloured regions of a page image, found while the image is in memory: solid blobs of colour
(status marks, legend swatches), measured against the page's own paper, touching marks split."""
from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import replace

import numpy as np
from PIL import Image
from scipy import ndimage
from skimage.filters import apply_hysteresis_threshold
from skimage.measure import regionprops

from extractors.ocr import _cv2
from extractors.strips import is_compact
from models.records import ColourRegion

REGIONS_VERSION = 24  # part of the page cache key: bump when the regions found change, or
# what is read on them (24: a bar of overlapping marks is cut by the marks of its strip's other
# row, by the one mark its row begins with, or by square marks beside it; grey diamonds; a
# table's stacked cells of one colour cut along its rules; 23: legend labels by label_words)
WORK_DPI = 75  # blobs are found on a copy of the page at about this resolution
MIN_CHROMA = 14.0  # CIELAB chroma, once the page is white-balanced on its paper: colour, not
# paper, ink or grey (a yellowed sheet or a scanner's cast is brought back to white first)
LOW_CHROMA = 8.0  # a blob grows from pixels of MIN_CHROMA into touching ones of this chroma
# (a pale mark's noisy pixels), never starts from them (a tinted panel)
MIN_SIDE_MM, MAX_SIDE_MM = 1.8, 40.0  # a mark or swatch is between these sizes
MIN_CORE = 0.3  # share of a blob left after a 1-pixel erosion: solid shapes, not text strokes
ONE_COLOUR_MM = 8.0  # a compact blob up to this size is one mark whatever its colours' spread
MAX_SPREAD = 14.0  # ΔE76 (90th percentile) from a blob's median colour: beyond, two colours
BRIDGE = 0.6  # a blob is cut where its chroma falls under this share of its own median
MAX_COLOURS = 6  # a blob is split into at most this many colours (a table's header bar and
# the status cells of 4 statuses below it can touch)
PALE = 0.45  # … and its pixels under this share of its median chroma are print on it, not it
HOLLOW = 0.3  # a piece of a colour cut filling less of its box than this is a rim, no mark
SQUARES_SLACK = 0.1  # a bar of touching squares is a whole number of them to this share
SADDLE = 0.75  # two discs are two marks when the neck between them is under this share
PILL_ASPECT = 2.2  # a blob this many times as wide as high may hold words (a pill, a cell)
PILL_HEIGHT_IN = (0.08, 0.6)  # … when this high, in inches (a line of words and its margins)
GREY_MAX_L = 62.0  # a grey mark is darker than this (L*, paper ~92), and of chroma < MIN_CHROMA
GREY_STROKE_MM = 1.0  # print's strokes are thinner than this; a grey mark's body is wider
GREY_MAX_SIDE_MM = 15.0  # a grey mark or swatch is at most this large (a dark band is no mark)
GREY_DIAMOND_FILL, GREY_SOLIDITY = (0.4, 0.65), 0.9  # a grey mark fills 0.7 of its box, or
# this share when a diamond this solid, this many mm across at least (smaller, the 75-dpi copy
# cannot tell a diamond from a clump of letters)
GREY_DIAMOND_MM = 3.0
GREY_SPREAD_L = 8.0  # a grey mark is of one lightness (its L* quartiles this close)
PAPER_CELLS = 6  # the paper's colour is measured in a grid of this many cells a side
PAPER_GREY = 0.8  # the white-balanced paper's sRGB value (L* ~ 92)
PAPER_SPREAD = 0.4  # paper's channels differ by less than this (yellowed: ~0.2; a red mark: ~0.7)


def find_colour_regions(img: Image.Image, dpi: int, scale: float = 1.0,
                        rules: Sequence[tuple[float, float, float, float]] = ()
                        ) -> tuple[ColourRegion, ...]:
    """Solid, saturated blobs of the page image; boxes in page units (image pixels × `scale`).

    The page is white-balanced on its paper first (cell by cell, so a yellowed sheet, a scanner's
    cast or a photo's shading read as white), then pixels of chroma ≥ MIN_CHROMA, with the
    pixels of chroma ≥ LOW_CHROMA that touch them, are grouped into blobs. A blob that is not
    one mark — touching discs of a strip, marks of two colours, a mark joined to its neighbour
    by a faint bridge, a table's cells of one colour one under the other (too large for one
    mark: cut along the table's `rules`, boxes in page units) — is cut into its marks."""
    factor = max(1, round(dpi / WORK_DPI))
    small = img.convert("RGB").reduce(factor) if factor > 1 else img.convert("RGB")
    rgb = np.asarray(small, dtype=np.float32) / 255.0
    lab = to_lab(white_balanced(rgb))
    chroma = np.hypot(lab[..., 1], lab[..., 2])
    px_mm = dpi / factor / 25.4
    labels, _n = ndimage.label(apply_hysteresis_threshold(chroma, LOW_CHROMA, MIN_CHROMA))
    out: list[ColourRegion] = []
    for i, sl in enumerate(ndimage.find_objects(labels), start=1):
        if sl is None:
            continue
        for blob, (r0, c0) in _cells(labels[sl] == i, sl, rules, factor * scale, px_mm):
            inner = (slice(r0, r0 + blob.shape[0]), slice(c0, c0 + blob.shape[1]))
            for mask, offset in _marks_of(blob, lab[sl][inner], chroma[sl][inner], px_mm):
                region = _region(mask, rgb[sl][inner], lab[sl][inner], offset,
                                 (sl[0].start + r0, sl[1].start + c0), px_mm, factor * scale)
                if region is not None:
                    out.append(region)
    out.extend(_grey_marks(rgb, lab, chroma, px_mm, factor * scale))
    cut = _split_runs(out, rgb, lab, factor * scale)
    if len(cut) > len(out):  # again with the bars cut: a row cut first is the measure of the next
        cut = _split_runs(cut, rgb, lab, factor * scale)
    out = cut
    return tuple(sorted(out, key=lambda r: (r.bbox[1], r.bbox[0])))


def _cells(blob: np.ndarray, sl: tuple[slice, slice], rules: Sequence[tuple[float, float, float, float]],
           unit: float, px_mm: float) -> list[tuple[np.ndarray, tuple[int, int]]]:
    """The blob, or, when it is too large for a mark and a table's rules cross it from side to
    side, the pieces those rules cut it into (a table's status cells of one colour, one under
    the other, the rules between them too thin to part them at WORK_DPI), each with its offset
    in the blob."""
    h, w = blob.shape
    if max(h, w) <= MAX_SIDE_MM * px_mm:
        return [(blob, (0, 0))]
    cut = blob.copy()
    crossed = False
    e = 2  # work pixels: a rule may end this short of the blob's edge and still cross it
    for x0, y0, x1, y1 in rules:
        r0, r1 = int(y0 / unit) - sl[0].start, int(np.ceil(y1 / unit)) - sl[0].start
        c0, c1 = int(x0 / unit) - sl[1].start, int(np.ceil(x1 / unit)) - sl[1].start
        across = (x1 - x0 >= y1 - y0 and c0 <= e and c1 >= w - e and e < r0 < h - e) or (
            y1 - y0 > x1 - x0 and r0 <= e and r1 >= h - e and e < c0 < w - e)
        if across:
            cut[max(0, r0):max(r0 + 1, r1), max(0, c0):max(c0 + 1, c1)] = False
            crossed = True
    if not crossed:
        return [(blob, (0, 0))]
    pieces, _n = ndimage.label(cut)
    return [(pieces[p] == k, (p[0].start, p[1].start))
            for k, p in enumerate(ndimage.find_objects(pieces), start=1) if p is not None]


def _grey_marks(rgb: np.ndarray, lab: np.ndarray, chroma: np.ndarray, px_mm: float, unit: float
                ) -> list[ColourRegion]:
    """Solid discs and squares of a dark grey (a palette may print a status in grey), and grey
    pills (a status written on one, or a coloured pill on a grey scan): dark, not coloured
    pixels that stay after an opening by a disc of GREY_STROKE_MM across — print's strokes do
    not, a mark's body does — each blob as solid and compact as a mark or shaped as a pill, of
    one lightness. Whether a grey is a status at all is judged later (`marks.keyed_greys`)."""
    dark = (lab[..., 0] < GREY_MAX_L) & (chroma < MIN_CHROMA)
    radius = max(1, round(GREY_STROKE_MM * px_mm / 2))
    yy, xx = np.mgrid[-radius:radius + 1, -radius:radius + 1]
    body = ndimage.binary_opening(dark, structure=xx * xx + yy * yy <= radius * radius)
    labels, _n = ndimage.label(body)
    out: list[ColourRegion] = []
    for i, sl in enumerate(ndimage.find_objects(labels), start=1):
        if sl is None:
            continue
        h, w = sl[0].stop - sl[0].start, sl[1].stop - sl[1].start
        mark = (MIN_SIDE_MM * px_mm <= min(h, w) and max(h, w) <= GREY_MAX_SIDE_MM * px_mm
                and max(h, w) <= 1.3 * min(h, w))
        pill = (PILL_HEIGHT_IN[0] * 25.4 * px_mm <= h <= PILL_HEIGHT_IN[1] * 25.4 * px_mm
                and w >= PILL_ASPECT * h and w <= MAX_SIDE_MM * px_mm)
        if not (mark or pill):
            continue
        own = labels[sl] == i
        mask = ndimage.binary_fill_holes(own)  # a number printed on it
        inner = ndimage.binary_erosion(own)  # its rim blurred into the paper left out
        diamond = mark and min(h, w) >= GREY_DIAMOND_MM * px_mm and _diamond(mask)
        if mask.mean() < (0.7 if mark else 0.85) and not diamond or inner.sum() < 4:
            continue
        low, high = np.percentile(lab[sl][..., 0][inner], [25, 75])  # the words on a pill left out
        if high - low > GREY_SPREAD_L:
            continue
        region = _region(mask, rgb[sl], lab[sl], (0, 0), (sl[0].start, sl[1].start), px_mm, unit)
        if region is not None:
            out.append(region)
    return out


def _diamond(mask: np.ndarray) -> bool:
    """A solid diamond (a grey status drawn as the coloured ones are, « ◆ »): half its box,
    convex, its box's corners empty — not a clump of a word's letters at the copy's 75 dpi."""
    h, w = mask.shape
    ch, cw = max(1, h // 4), max(1, w // 4)
    corners = (mask[:ch, :cw], mask[:ch, -cw:], mask[-ch:, :cw], mask[-ch:, -cw:])
    return bool(GREY_DIAMOND_FILL[0] <= mask.mean() <= GREY_DIAMOND_FILL[1]
                and all(c.mean() < 0.1 for c in corners)
                and regionprops(mask.astype(np.uint8))[0].solidity >= GREY_SOLIDITY)


def is_grey(region: ColourRegion) -> bool:
    """A dark grey blob (`_grey_marks`), not a coloured one: whether it is a status is for the
    document's legend to say (`marks.keyed_greys`)."""
    return region.chroma < LOW_CHROMA and region.lab[0] < GREY_MAX_L


def _split_runs(regions: list[ColourRegion], rgb: np.ndarray, lab: np.ndarray, unit: float
                ) -> list[ColourRegion]:
    """Marks that overlap (squares drawn a little over each other), of one colour or of close
    ones, are found as one bar: a bar as high as a strip's marks and as long as a whole number
    of them (`_mark_width`) is that many marks, cut in equal parts, each with its own colour
    measured inside it. Any other bar (a table cell, a heading's band) is left whole."""
    out: list[ColourRegion] = []
    for r in regions:
        w, h = r.bbox[2] - r.bbox[0], r.bbox[3] - r.bbox[1]
        size, slack = _mark_width(r, regions)
        count = round(w / size) if size else 0
        if not 2 <= count <= 12 or abs(w - count * size) > slack * size:
            out.append(r)
            continue
        step = w / count
        for i in range(count):
            x0, x1 = r.bbox[0] + i * step, r.bbox[0] + (i + 1) * step
            inner = (slice(int((r.bbox[1] + 0.25 * h) / unit), int((r.bbox[3] - 0.25 * h) / unit) + 1),
                     slice(int((x0 + 0.25 * step) / unit), int((x1 - 0.25 * step) / unit) + 1))
            if rgb[inner].size == 0:
                out.append(r)
                break
            out.append(replace(
                r, bbox=(x0, r.bbox[1], x1, r.bbox[3]), area=round(r.area / count, 1),
                rgb=tuple(round(float(v) * 255, 1) for v in np.median(rgb[inner].reshape(-1, 3), axis=0)),
                lab=tuple(round(float(v), 2) for v in np.median(lab[inner].reshape(-1, 3), axis=0))))
    return out


def _mark_width(bar: ColourRegion, regions: list[ColourRegion]) -> tuple[float, float]:
    """The width of one of the marks `bar` may be made of (0 when nothing says), and how far
    from a whole number of it the bar may be, as a share of it: the marks level with it, as
    high (two at least: a row of discs, squares or pills); else a row of the strip just above
    or below it whose marks stand at both its ends, as many marks as that row's pitch holds (a
    two-row strip whose second row overlaps into one bar: no mark of its own left; overlapping,
    their width is more than their pitch); else one mark level with it that the bar goes on
    from, bar after bar without a gap (a row that is one mark and then bars: the rest of the
    row overlapping); else the width of the square marks as high beside it or on the strip's
    other row, the bar then a whole number of it to a pixel or two (squares touching without
    a gap: a row of the strip all bars)."""
    h = bar.bbox[3] - bar.bbox[1]

    def as_high(m: ColourRegion) -> bool:
        return m is not bar and 0.85 <= (m.bbox[3] - m.bbox[1]) / max(h, 1.0) <= 1.15

    def width(m: ColourRegion) -> float:
        return m.bbox[2] - m.bbox[0]

    def is_single(m: ColourRegion) -> bool:  # about as wide as high
        return width(m) <= 1.3 * (m.bbox[3] - m.bbox[1])

    def single(marks: list[ColourRegion]) -> list[float]:
        return [width(m) for m in marks if is_single(m)]

    on_level = [m for m in regions if as_high(m) and abs(m.center[1] - bar.center[1]) <= 0.3 * h]
    level = [m for m in on_level if is_compact(m)]
    if len(level) >= 2:  # the square ones say, two at least, or one of two (the other marks
        # run together, as compact as a pill); else all (a row of pills, a speck among them)
        widths = single(level)
        if len(widths) < 2 and 2 * len(widths) < len(level) or not widths:
            widths = [width(m) for m in level]
        return float(np.median(widths)), 0.3
    rows = [m for m in regions if as_high(m) and is_compact(m)
            and h <= abs(m.center[1] - bar.center[1]) <= 5 * h]
    for row in _rows(rows, h):
        singles = sorted(filter(is_single, row), key=lambda m: m.center[0])
        if len(singles) < 2:
            continue
        size = float(np.median([width(m) for m in singles]))
        steps = [b.center[0] - a.center[0] for a, b in itertools.pairwise(singles)
                 if b.center[0] - a.center[0] < 1.5 * size]  # neighbours: the strip's pitch
        pitch = float(np.median(steps)) if steps else size
        count = round((width(bar) - size) / pitch) + 1
        if (count >= 2 and abs(width(bar) - size - (count - 1) * pitch) <= 0.3 * pitch
                and any(abs(m.bbox[0] - bar.bbox[0]) <= 0.3 * size for m in row)
                and any(abs(m.bbox[2] - bar.bbox[2]) <= 0.3 * size for m in row)):
            return width(bar) / count, 0.3  # as many marks as the row's pitch holds
    if len(level) == 1 and single(level) and any(m is level[0] for m in _gapless(
            [*on_level, bar], bar, 0.3 * single(level)[0])):
        return single(level)[0], 0.3
    near = [m for m in on_level + rows if abs(width(m) - h) <= 0.1 * h
            and max(m.bbox[0] - bar.bbox[2], bar.bbox[0] - m.bbox[2]) <= 2 * h]
    return (float(np.median([width(m) for m in near])), SQUARES_SLACK) if near else (0.0, 0.0)


def _rows(marks: list[ColourRegion], h: float) -> list[list[ColourRegion]]:
    """The marks grouped in rows: centres level within 0.3 `h`."""
    rows: list[list[ColourRegion]] = []
    for m in sorted(marks, key=lambda m: m.center[1]):
        if rows and abs(m.center[1] - rows[-1][-1].center[1]) <= 0.3 * h:
            rows[-1].append(m)
        else:
            rows.append([m])
    return rows


def _gapless(regions: list[ColourRegion], member: ColourRegion, gap: float) -> list[ColourRegion]:
    """The regions of the run `member` is in, left to right, each less than `gap` from the last."""
    run: list[ColourRegion] = []
    for m in sorted(regions, key=lambda m: m.bbox[0]):
        if run and m.bbox[0] - max(x.bbox[2] for x in run) > gap:
            if any(x is member for x in run):
                break
            run = []
        run.append(m)
    return run


def to_lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of an sRGB float image in 0-1 (OpenCV: ~20× scikit-image's speed, same
    values within 0.6)."""
    return _cv2().cvtColor(np.ascontiguousarray(rgb, dtype=np.float32), _cv2().COLOR_RGB2Lab)


_BINS = 24 ** 3  # a colour's bin: 24 levels a channel


class _Paper:
    """An image's light pixels and their colour bins, worked out once for the whole image, so
    that the paper of the image and of each cell of a grid is found without doing that again."""

    def __init__(self, rgb: np.ndarray) -> None:
        self.rgb = rgb
        # (np.maximum of the channels: max over a last axis of 3 is many times slower). Light,
        # and not saturated: in a crop of a red mark with white digits (a strip's tile), the
        # red is the commonest colour bright in one channel, and taken for paper it turned red
        # to white and the digits unreadable
        top = np.maximum(np.maximum(rgb[..., 0], rgb[..., 1]), rgb[..., 2])
        low = np.minimum(np.minimum(rgb[..., 0], rgb[..., 1]), rgb[..., 2])
        self.light = (top > 0.45) & (top - low < PAPER_SPREAD)
        q = np.minimum((rgb * 24).astype(np.int32), 23)
        self.keys = (q[..., 0] * 24 + q[..., 1]) * 24 + q[..., 2]

    def colour(self, cell: tuple[slice, slice]) -> np.ndarray | None:
        """The commonest light colour (24 bins a channel) of `cell`, the mean of its pixels."""
        mask = self.light[cell]
        if int(mask.sum()) < 50:
            return None
        keys = self.keys[cell]
        mode = int(np.bincount(keys[mask]).argmax())
        return self.rgb[cell][mask & (keys == mode)].mean(axis=0)

    def grid_colours(self, cells: int) -> tuple[np.ndarray, np.ndarray]:
        """`colour` of each cell of a `cells` × `cells` grid (row by row), and whether the cell
        has one: the light pixels' bins counted for all cells at once (a page's tiles are
        many small crops, where 36 counts of their own cost more than the crop's OCR)."""
        h, w = self.keys.shape
        ys = [i * h // cells for i in range(cells + 1)]
        xs = [i * w // cells for i in range(cells + 1)]
        cell = (np.repeat(np.arange(cells), np.diff(ys))[:, None] * cells
                + np.repeat(np.arange(cells), np.diff(xs))[None, :])
        # the (cell, bin) pairs of light pixels and their counts; each cell's commonest bin is
        # its first pair ordered by count (descending), then bin (np.bincount's argmax: lowest)
        pairs, counts = np.unique(cell[self.light] * _BINS + self.keys[self.light],
                                  return_counts=True)
        of_cell = pairs // _BINS
        has = np.bincount(of_cell, weights=counts, minlength=cells * cells) >= 50
        order = np.lexsort((pairs % _BINS, -counts, of_cell))
        first = order[np.r_[True, of_cell[order][1:] != of_cell[order][:-1]]]
        mode = np.full(cells * cells, -1)
        mode[of_cell[first]] = pairs[first] % _BINS
        chosen = self.light & (self.keys == mode[cell])
        out = np.zeros((cells * cells, 3), dtype=np.float32)
        for i in np.flatnonzero(has):
            at = (slice(ys[i // cells], ys[i // cells + 1]), slice(xs[i % cells], xs[i % cells + 1]))
            out[i] = self.rgb[at][chosen[at]].mean(axis=0)
        return out, has


def white_balanced(rgb: np.ndarray) -> np.ndarray:
    """The image divided by its paper's colour, measured per cell of a grid and smoothed, so
    that paper reads neutral (light grey) everywhere. A cell whose commonest light colour is far from the
    page's (a tinted panel, a photo) takes the page's paper instead: only the paper is white."""
    h, w, _ = rgb.shape
    paper = _Paper(rgb)
    page = paper.colour((slice(None), slice(None)))
    if page is None:
        return rgb
    local, has = paper.grid_colours(PAPER_CELLS)
    distance = np.sqrt(((to_lab(local[:, None]) - to_lab(page[None, None])) ** 2).sum(axis=-1))[:, 0]
    near = has & (distance <= 12.0)
    grid = np.where(near[:, None], local, page).astype(np.float32).reshape(PAPER_CELLS, PAPER_CELLS, 3)
    field = _cv2().resize(grid, (w, h), interpolation=_cv2().INTER_LINEAR)
    # Paper is brought to PAPER_GREY, not to white: a pale blue on yellowed paper is bluer than
    # the paper, and keeps that headroom (sRGB values are clipped at 1).
    return np.clip(rgb * (PAPER_GREY / np.maximum(field, 0.05)), 0.0, 1.0)


# -- one blob into its marks -----------------------------------------------------------------

Piece = tuple[np.ndarray, tuple[int, int]]  # a mask and its (row, col) offset in the blob


def _marks_of(mask: np.ndarray, lab: np.ndarray, chroma: np.ndarray, px_mm: float
              ) -> Iterator[Piece]:
    """The marks one blob holds: itself, or the pieces it is cut into (each still a blob). Any
    blob is first cut at its faint bridges (two table cells joined by the rule between them look
    like one cell); the other cuts are tried only on a blob that is not one mark."""
    pending: list[tuple[np.ndarray, tuple[int, int], int]] = [(mask, (0, 0), 0)]
    while pending:
        piece, (r0, c0), step = pending.pop()
        h, w = piece.shape
        if max(h, w) < MIN_SIDE_MM * px_mm:
            continue
        sub = (slice(r0, r0 + h), slice(c0, c0 + w))
        if step > 2 or (step > 0 and _one_mark(piece, lab[sub], chroma[sub], px_mm)):
            yield piece, (r0, c0)
            continue
        cutter = (_cut_bridges, _cut_colours, _cut_necks)[step]
        parts = [p for p in cutter(piece, lab[sub], chroma[sub], px_mm)
                 if min(p[0].shape) >= MIN_SIDE_MM * px_mm / 2]  # specks, rims: dropped
        if cutter is _cut_colours:
            # a number printed on a mark is not a mark; nor is a hollow piece (the blended rim
            # of cells of two colours, the rule between them), which would lie over them all
            parts = _outermost([p for p in parts if p[0].mean() >= HOLLOW])
        if not parts or (len(parts) > 1 and _stacked(parts)):
            pending.append((piece, (r0, c0), step + 1))
            continue
        for part, (pr, pc) in parts:
            pending.append((part, (r0 + pr, c0 + pc), step + 1))


def _overlap(a: Piece, b: Piece) -> float:
    """How much of the smaller piece's box lies in the other's (0-1)."""
    (ma, (ra, ca)), (mb, (rb, cb)) = a, b
    inter = (max(0, min(ca + ma.shape[1], cb + mb.shape[1]) - max(ca, cb))
             * max(0, min(ra + ma.shape[0], rb + mb.shape[0]) - max(ra, rb)))
    return inter / min(ma.size, mb.size)


def _stacked(parts: list[Piece]) -> bool:
    """Pieces lying over one another (a disc cut by the digit printed on it), not side by side
    (touching marks): their boxes overlap by more than a third of the smaller one."""
    return any(_overlap(a, b) > 1 / 3 for i, a in enumerate(parts) for b in parts[i + 1:])


def _outermost(parts: list[Piece]) -> list[Piece]:
    """The pieces not lying within a larger one (a number printed on a disc lies within it)."""
    return [a for a in parts if not any(b[0].sum() > a[0].sum() and _overlap(a, b) > 0.8
                                        for b in parts)]


def _one_mark(mask: np.ndarray, lab: np.ndarray, chroma: np.ndarray, px_mm: float) -> bool:
    """A blob that is one mark: within the size range, compact (a disc, a square: two marks
    side by side would be twice as long as high) or a cell or bar whose outline is its box (a
    table cell), and of one colour — judged on its saturated pixels only (a number printed on
    it, its anti-aliased rim, JPEG's blocks left out): three table cells of three statuses
    stacked can be as compact as one disc."""
    h, w = mask.shape
    if max(h, w) > MAX_SIDE_MM * px_mm:
        return False
    fill = mask.sum() / (h * w)
    compact = max(h, w) / max(1, min(h, w)) <= 1.5 and fill >= 0.6
    if compact and max(h, w) <= ONE_COLOUR_MM * px_mm:
        return True  # a swatch or a mark: too small to hold two (its rim and JPEG's noise vary)
    if not compact and fill < 0.9:
        return False
    core = ndimage.binary_erosion(mask)
    # a pale cell stacked on a saturated one is of its colours too: only the print on a mark
    # (a white number, its dark outline), far paler than the mark, is left out
    core &= chroma >= PALE * float(np.median(chroma[mask]))
    if core.sum() < 4:
        return True  # too small to cut; judged as it is
    colours = lab[core]
    spread = np.percentile(np.sqrt(((colours - np.median(colours, axis=0)) ** 2).sum(axis=1)), 90)
    return spread <= MAX_SPREAD


def _pieces(labels: np.ndarray, n: int) -> list[Piece]:
    out = []
    for k, sl in enumerate(ndimage.find_objects(labels), start=1):
        if sl is not None and k <= n:
            out.append((labels[sl] == k, (sl[0].start, sl[1].start)))
    return out


def _cut_bridges(mask: np.ndarray, _lab: np.ndarray, chroma: np.ndarray, _px_mm: float
                 ) -> list[Piece]:
    """Marks joined by a faint bridge (blur, JPEG, a gap of a pixel at low resolution): cut
    where the blob's chroma falls well under its own."""
    level = BRIDGE * float(np.median(chroma[mask]))
    labels, n = ndimage.label(mask & (chroma >= level))
    return _pieces(labels, n)


def _cut_colours(mask: np.ndarray, lab: np.ndarray, _chroma: np.ndarray, _px_mm: float
                 ) -> list[Piece]:
    """Touching marks of different colours: the blob's pixels split by colour (k-means on
    a*, b* and L*, 2 to MAX_COLOURS clusters, kept only while every two centres differ by ΔE76 ≥ 15)."""
    from scipy.cluster.vq import kmeans2

    colours = lab[mask].astype(np.float64)
    if len(colours) < 16:
        return []
    rng = np.random.default_rng(0)
    best: np.ndarray | None = None
    for k in range(2, MAX_COLOURS + 1):
        with warnings.catch_warnings():  # a cluster left empty (its centre stays where it was
            warnings.simplefilter("ignore")  # drawn: the gap test judges it), or no colour left
            # to draw a centre from (k-means++ divides by zero): noise for the user, not news
            centres, _ = kmeans2(colours, k, minit="++", seed=rng)
        gaps = [np.sqrt(((a - b) ** 2).sum()) for i, a in enumerate(centres) for b in centres[i + 1:]]
        if min(gaps) < 15.0:
            break
        best = centres
    if best is None:
        return []
    dist = ((lab[..., None, :] - best[None, None, :, :]) ** 2).sum(axis=-1)
    nearest = dist.argmin(axis=-1)
    labels = np.zeros(mask.shape, dtype=np.int32)
    n = 0
    for k in range(len(best)):
        part, m = ndimage.label(mask & (nearest == k))
        labels[part > 0] = part[part > 0] + n
        n += m
    return _pieces(labels, n)


def _cut_necks(mask: np.ndarray, _lab: np.ndarray, _chroma: np.ndarray, px_mm: float
               ) -> list[Piece]:
    """Touching or overlapping discs of one colour: one peak of the distance to the blob's
    edge per disc (watershed between them), kept apart only where the neck between two is
    narrow (under SADDLE of the smaller disc's radius): a pill or a bar stays whole."""
    from skimage.feature import peak_local_max
    from skimage.segmentation import watershed

    solid = ndimage.binary_fill_holes(mask)  # a number printed on a disc is no edge of it
    dist = ndimage.distance_transform_edt(np.pad(solid, 1))[1:-1, 1:-1]
    radius = float(dist.max())
    if radius < 0.7 * MIN_SIDE_MM * px_mm / 2:
        return []
    peaks = peak_local_max(dist, min_distance=max(1, int(0.6 * radius)), threshold_abs=0.5 * radius,
                           labels=solid.astype(np.int32), exclude_border=False)
    if len(peaks) < 2:
        return []
    markers = np.zeros(mask.shape, dtype=np.int32)
    for k, (r, c) in enumerate(peaks, start=1):
        markers[r, c] = k
    labels = watershed(-dist, markers, mask=solid)
    labels = _merge_wide_necks(labels, dist, len(peaks)) * mask
    return _pieces(labels, int(labels.max()))


def _merge_wide_necks(labels: np.ndarray, dist: np.ndarray, n: int) -> np.ndarray:
    """Put back together two pieces whose common edge is nearly as thick as they are."""
    peak = ndimage.maximum(dist, labels, index=np.arange(1, n + 1))
    parent = list(range(n + 1))

    def root(k: int) -> int:
        while parent[k] != k:
            k = parent[k]
        return k

    for axis in (0, 1):
        a = labels.take(np.arange(labels.shape[axis] - 1), axis=axis)
        b = labels.take(np.arange(1, labels.shape[axis]), axis=axis)
        d = np.minimum(dist.take(np.arange(labels.shape[axis] - 1), axis=axis),
                       dist.take(np.arange(1, labels.shape[axis]), axis=axis))
        edge = (a != b) & (a > 0) & (b > 0)
        necks: dict[tuple[int, int], float] = {}
        for x, y, v in zip(a[edge], b[edge], d[edge], strict=True):
            key = (min(x, y), max(x, y))
            necks[key] = max(necks.get(key, 0.0), float(v))
        for (x, y), neck in necks.items():
            if neck >= SADDLE * min(peak[x - 1], peak[y - 1]):
                parent[root(y)] = root(x)
    if all(parent[k] == k for k in range(1, n + 1)):
        return labels
    lookup = np.array([root(k) for k in range(n + 1)])
    merged = lookup[labels]
    _, dense = np.unique(merged, return_inverse=True)
    return dense.reshape(labels.shape)


def _region(mask: np.ndarray, rgb: np.ndarray, lab: np.ndarray, offset: tuple[int, int],
            origin: tuple[int, int], px_mm: float, unit: float) -> ColourRegion | None:
    """One mark-sized, solid piece as a region, or None. Its `lab` is the median of its inside
    on the white-balanced page (what marks and swatches are compared by: a cast or shading
    that differs across the sheet is taken out); its `rgb` is the median as scanned."""
    h, w = mask.shape
    if min(h, w) < MIN_SIDE_MM * px_mm or max(h, w) > MAX_SIDE_MM * px_mm:
        return None
    count = int(mask.sum())
    core = ndimage.binary_erosion(mask)
    if core.sum() < max(4, MIN_CORE * count):
        return None
    r0, c0 = offset
    sub = (slice(r0, r0 + h), slice(c0, c0 + w))
    inner = core if core.sum() >= 4 else mask
    y0, x0 = origin[0] + r0, origin[1] + c0
    return ColourRegion(
        bbox=(x0 * unit, y0 * unit, (x0 + w) * unit, (y0 + h) * unit),
        rgb=tuple(round(float(v) * 255, 1) for v in np.median(rgb[sub][inner], axis=0)),  # type: ignore[arg-type]
        lab=tuple(round(float(v), 2) for v in np.median(lab[sub][inner], axis=0)),  # type: ignore[arg-type]
        area=round(count * unit * unit, 1), fill=round(count / (w * h), 3))
