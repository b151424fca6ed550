"""What is printed by the coloured marks of a page, read again enlarged while its image is in
memory: the numbers of a strip (inside, above or below each mark) and the short label beside a
legend swatch, each enlarged before tesseract reads it (small print at 100-150 dpi is misread
at its own size: « Très » read « nés », 19 read 43)."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from PIL import Image
from scipy import ndimage

from extractors.engines import OcrFailed, OcrTimeout, engine, parse_tsv
from extractors.legend import label_words, swatch_sized
from extractors.ocr import StraightPage
from extractors.regions import MIN_CHROMA, to_lab, white_balanced
from extractors.strips import height, mark_rows, spans
from models.records import ColourRegion, DigitReading, Line, Word

# digits, and the letters that label measures (M7; O1, S1, P1 per dimension; R3)
DIGITS_CONFIG = "--psm 6 -c tessedit_char_whitelist=0123456789MOPRS"
TILE_PX = 40  # each number's ink is scaled to this height before tesseract reads it
BAND = 1.2  # the bands above and below a mark reach this many mark heights away
INK_L = 74.0  # L* of printed ink on the white-balanced page (paper is ~92)
MIN_MARK_PX = 60  # rows of small marks are enlarged to at least this height before reading
LABEL_PX = 48  # a label's line is enlarged to this height before tesseract reads it again
BINARY_TILES = False
OCR_TIMEOUT_S = 30  # one call over a page's tiles
SURE_CONF = 80.0  # a number read with less confidence is read a second time, larger
_NUMBER = re.compile(r"^([MOPRS]?)(\d{1,3})$")


# -- reading the numbers ----------------------------------------------------------------------

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
        tiles.extend(_row_tiles(img, regions, row))
    out = list(regions)
    if tiles:
        for k, readings in _read_tiles(tiles, lang).items():
            out[k] = replace(out[k], readings=tuple(readings))
    labels = _label_tiles(img, regions, lines, dpi)
    if labels:
        for (k, side), text in _read_labels(labels, lang).items():
            out[k] = replace(out[k], **{f"label_{side}": text})
    return tuple(out)


def _label_tiles(img: Image.Image | StraightPage, regions: Sequence[ColourRegion],
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
                box = _clip((x0 - pad, y0 - pad, x1 + pad, y1 + pad), img)
            else:
                box = _unread_beside(img, region, regions, words, side)
            if box is not None:
                crop = img.crop(box).convert("L")
                scale = LABEL_PX / crop.height
                crop = crop.resize((max(1, round(crop.width * scale)), LABEL_PX),
                                   Image.Resampling.LANCZOS)
                tile = _on_white(np.asarray(crop))
                if not _has_block(tile):
                    out.append(((k, side), tile))
    return out


def _has_block(tile: np.ndarray) -> bool:
    """A solid dark block in a label's crop (the next mark, a bar): no label, and set among the
    labels it throws tesseract's reading of the whole column (« Satisfaisant » read « n »)."""
    labels, _n = ndimage.label(tile < 128)
    for sl in ndimage.find_objects(labels):
        if sl is None:
            continue
        h, w = sl[0].stop - sl[0].start, sl[1].stop - sl[1].start
        if h >= 0.5 * tile.shape[0] and w >= 0.4 * h and (tile[sl] < 128).mean() >= 0.6:
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
    for b in regions:
        if b is not region and min(y1, b.bbox[3]) - max(y0, b.bbox[1]) > 0.3 * h:
            if side == "right" and b.bbox[0] > x1:
                right = min(right, b.bbox[0] - 0.2 * h)
            elif side == "left" and b.bbox[2] < x0:
                left = max(left, b.bbox[2] + 0.2 * h)
    box = _clip((left, y0 - 0.1 * h, right, y1 + 0.1 * h), img)
    if box is None or box[2] - box[0] < 2 * h:
        return None
    if any(w.bbox is not None and w.bbox[0] < box[2] and w.bbox[2] > box[0]
           and w.bbox[1] < box[3] and w.bbox[3] > box[1]
           and not (w.bbox[0] < x1 and w.bbox[2] > x0) for w in words):
        return None  # read words stand there: they were (or were not) a label
    # (a word read across the blob itself, « Mrs » for a swatch and « Remis en cause », is the
    # swatch and its label read as one: the label is read again on its own)
    ink, _grey = _ink(img.crop(box))
    return box if ink.mean() > 0.01 else None


def _read_labels(tiles: list[tuple[tuple[int, str], np.ndarray]], lang: str
                 ) -> dict[tuple[int, str], str]:
    """{(region, side): text} for the label tiles, set one under the other, read in one call."""
    column, spans = _column([t for _k, t in tiles], LABEL_PX)
    found = _ocr(column, lang, "--psm 6 --dpi 300")
    out: dict[tuple[int, str], str] = {}
    for (key, _tile), (a, b) in zip(tiles, spans, strict=True):
        words = [text for _wx, wy, text, _c in found if a <= wy < b]  # in reading order
        if words:
            out[key] = " ".join(words)
    return out


def _column(tiles: list[np.ndarray], height_px: int) -> tuple[Image.Image, list[tuple[float, float]]]:
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


def _row_tiles(img: Image.Image | StraightPage, regions: Sequence[ColourRegion], row: list[int]
               ) -> list[tuple[int, str, np.ndarray]]:
    """Ink tiles of one row: per mark, what is printed inside it, left and right of it, and in
    the bands above and below the row, the number centred on it (a text line running across
    several marks is not a number and is left out)."""
    h = float(np.median([height(regions[k]) for k in row]))
    zoom = min(4, max(1, -(-MIN_MARK_PX // max(1, round(h)))))
    out: list[tuple[int, str, np.ndarray]] = []
    for place in ("above", "below"):
        for part in _level_parts(regions, row, place, h):
            cells = spans(regions, part)
            top = min(regions[k].bbox[1] for k in part)
            bottom = max(regions[k].bbox[3] for k in part)
            y0, y1 = ((top - BAND * h, top - 0.04 * h) if place == "above"
                      else (bottom + 0.04 * h, bottom + BAND * h))
            box = _clip((min(c[0] for c in cells.values()) - h, y0,
                         max(c[1] for c in cells.values()) + h, y1), img)
            if box is None:
                continue
            ink, grey = _ink(_enlarged(img.crop(box), zoom))
            scaled = {k: tuple((v - box[0]) * zoom for v in c) for k, c in cells.items()}
            for k, tile in _shapes_by_cell(ink, grey, scaled, h * zoom, place).items():
                out.append((k, place, tile))
    for k in row:
        x0, y0, x1, y1 = regions[k].bbox
        pad = 0.15 * (y1 - y0)
        box = _clip((x0 - pad, y0 - pad, x1 + pad, y1 + pad), img)
        if box is not None:
            tile = _inside_ink(_enlarged(img.crop(box), zoom))
            if tile is not None:
                out.append((k, "in", tile))
        at = row.index(k)
        for side, nb in (("left", row[at - 1] if at else None),
                         ("right", row[at + 1] if at + 1 < len(row) else None)):
            tile = _beside(img, regions[k], side, zoom, None if nb is None else regions[nb])
            if tile is not None:
                out.append((k, side, tile))
    return out


def _level_parts(regions: Sequence[ColourRegion], row: list[int], place: str, h: float
                 ) -> list[list[int]]:
    """The row cut into runs of marks whose tops (bottoms, for numbers below) stand level within
    a quarter of a mark: on a slanting row each run gets a band of its own."""
    edge = 1 if place == "above" else 3
    parts: list[list[int]] = []
    for k in row:
        if parts and abs(regions[k].bbox[edge] - regions[parts[-1][0]].bbox[edge]) <= 0.25 * h:
            parts[-1].append(k)
        else:
            parts.append([k])
    return parts


def _enlarged(crop: Image.Image, zoom: int) -> Image.Image:
    if zoom <= 1:
        return crop
    return crop.resize((crop.width * zoom, crop.height * zoom), Image.Resampling.BICUBIC)


def _clip(box: tuple[float, float, float, float], img: Image.Image | StraightPage
          ) -> tuple[int, int, int, int] | None:
    x0, y0 = max(0, round(box[0])), max(0, round(box[1]))
    x1, y1 = min(img.width, round(box[2])), min(img.height, round(box[3]))
    return (x0, y0, x1, y1) if x1 - x0 >= 4 and y1 - y0 >= 4 else None


def _ink(crop: Image.Image) -> tuple[np.ndarray, np.ndarray]:
    """Printed strokes of a crop (True): darker than the paper by a fifth at least (small digits
    at 100-150 dpi are grey, not black), colour left out; and the crop's lightness (0-255) on
    the white-balanced page, for the tiles (tesseract reads grey edges better than a mask)."""
    rgb = white_balanced(np.asarray(crop.convert("RGB"), dtype=np.float32) / 255.0)
    lab = to_lab(rgb)
    colour = np.hypot(lab[..., 1], lab[..., 2]) >= MIN_CHROMA
    ink = (lab[..., 0] < INK_L) & ~ndimage.binary_dilation(colour, iterations=1)
    return ink, np.clip(lab[..., 0] * (255 / 92), 0, 255).astype(np.uint8)


def _inside_ink(crop: Image.Image) -> np.ndarray | None:
    """What is printed on a mark (white digits on a dark disc, dark ones on a pale one): the
    pixels inside its outline that differ from its colour, as black on white."""
    rgb = white_balanced(np.asarray(crop.convert("RGB"), dtype=np.float32) / 255.0)
    lab = to_lab(rgb)
    colour = np.hypot(lab[..., 1], lab[..., 2]) >= MIN_CHROMA
    if colour.sum() < 16:
        return None
    disc = ndimage.binary_fill_holes(colour)
    rim = max(1, round(0.08 * min(disc.shape)))
    inside = ndimage.binary_erosion(disc, iterations=rim)
    level = float(np.median(lab[..., 0][colour]))
    digits = inside & (np.abs(lab[..., 0] - level) > 20)
    labels, _n = ndimage.label(digits, structure=np.ones((3, 3)))
    h = digits.shape[0]
    keep = np.zeros_like(digits)
    for i, sl in enumerate(ndimage.find_objects(labels), start=1):
        if sl is not None and 0.2 * h <= sl[0].stop - sl[0].start <= 0.9 * h:
            keep[sl] |= labels[sl] == i
    contrast = np.clip(np.abs(lab[..., 0] - level) * (255 / 50), 0, 255)
    return _tile(keep, (255 - contrast).astype(np.uint8))


Run = tuple[float, float, float, float, np.ndarray]  # x0, x1, y0, y1 and its ink, in a band


def _mark_like(shape: np.ndarray, h: float) -> bool:
    """An empty box or ring drawn where a mark has no colour: about as tall as the marks, about
    as wide as tall, and hollow (what it encloses is a third of its box at least; a 0, or
    digits run together by blur, enclose much less)."""
    sh, sw = shape.shape
    if not (0.85 * h <= sh <= 1.6 * h and 0.75 * sh <= sw <= 1.35 * sh):
        return False
    hole = int(ndimage.binary_fill_holes(shape).sum() - shape.sum())
    return hole >= 0.33 * sh * sw


def _runs(ink: np.ndarray, h: float, obstacles: list[tuple[int, int, int, int]] | None = None,
          long: list[Run] | None = None) -> list[Run]:
    """The band's ink shapes of digit size (`h`: the marks' height), grouped into runs left to
    right (a number, or a line of text), each shaped like a number (at most five shapes, at
    most 3.5 times as wide as high: « M10 »). Shapes shaped like a mark are no digits: they go to
    `obstacles` (x0, x1, y0, y1), and longer runs to `long`, when lists are given."""
    labels, _n = ndimage.label(ink, structure=np.ones((3, 3)))
    shapes = []
    for i, sl in enumerate(ndimage.find_objects(labels), start=1):
        if sl is None:
            continue
        sh, sw = sl[0].stop - sl[0].start, sl[1].stop - sl[1].start
        if _mark_like(labels[sl] == i, h):
            if obstacles is not None:
                obstacles.append((sl[1].start, sl[1].stop, sl[0].start, sl[0].stop))
        elif 0.2 * h <= sh <= 1.3 * h and sw <= 1.5 * h:
            shapes.append((sl[1].start, sl[1].stop, sl, i))
    shapes.sort()
    groups: list[list[tuple[int, int, tuple[slice, slice], int]]] = []

    def level(group: list[tuple[int, int, tuple[slice, slice], int]], sl: tuple[slice, slice]
              ) -> bool:
        """The shape stands on the group's line (a heading above a strip's numbers is not)."""
        top, bottom = min(t[2][0].start for t in group), max(t[2][0].stop for t in group)
        return min(bottom, sl[0].stop) - max(top, sl[0].start) >= 0.5 * min(
            bottom - top, sl[0].stop - sl[0].start)

    for shape in shapes:
        tall = shape[2][0].stop - shape[2][0].start
        # a letter's gap within a number, not the space between two labels (« M10 M11 »)
        near = [g for g in groups if shape[0] - max(t[1] for t in g) < min(0.35 * h, 0.45 * tall)
                and level(g, shape[2])]
        if near:
            near[-1].append(shape)
        else:
            groups.append([shape])
    out: list[Run] = []
    for group in groups:
        x0, x1 = group[0][0], max(t[1] for t in group)
        y0, y1 = min(t[2][0].start for t in group), max(t[2][0].stop for t in group)
        mask = np.zeros_like(ink)
        for *_x, sl, i in group:
            mask[sl] |= labels[sl] == i
        if len(group) > 5 or x1 - x0 > 3.5 * (y1 - y0):
            if long is not None:  # not shaped like a number: handed back when asked for
                long.append((x0, x1, y0, y1, mask))
            continue
        out.append((x0, x1, y0, y1, mask))
    return out


def _shapes_by_cell(ink: np.ndarray, grey: np.ndarray,
                    cells: dict[int, tuple[float, float, float]], h: float, place: str = "above"
                    ) -> dict[int, np.ndarray]:
    """Per mark, the run of the band centred on it (as numbers above or below marks are
    printed), when it is the only one so. Numbers wider than their marks run together
    (« 10111213 » over touching discs): a run standing right by the marks and over several of
    them is cut, each mark given the shapes nearest its centre."""
    found: dict[int, list[np.ndarray | None]] = {}
    long: list[Run] = []
    runs = _runs(ink, h, long=long)
    by_marks = [r for r in long if (ink.shape[0] - r[3] if place == "above" else r[2]) <= 0.5 * h]
    for x0, x1, _y0, _y1, mask in [*runs, *by_marks]:
        if x0 <= 0 or x1 >= ink.shape[1]:
            continue  # cut by the band's end: a line of text running on, not a number
        over = {k: c for k, (_a, _b, c) in cells.items() if x0 <= c <= x1}
        if len(over) >= 2:
            for k, piece in _by_nearest(mask, over).items():
                found.setdefault(k, []).append(_tile(piece, grey))
            continue
        centre = (x0 + x1) / 2
        owner = [k for k, (a, b, c) in cells.items() if abs(centre - c) <= 0.4 * (b - a)]
        if len(owner) == 1:
            found.setdefault(owner[0], []).append(_tile(mask, grey))
    return {k: tiles[0] for k, tiles in found.items() if len(tiles) == 1 and tiles[0] is not None}


def _by_nearest(mask: np.ndarray, centres: dict[int, float]) -> dict[int, np.ndarray]:
    """A run of ink standing over several marks cut into the shapes each mark's centre is the
    nearest to (numbers are printed centred on their marks); a mark given more than three
    shapes is given none (that is text, not its number)."""
    labels, _n = ndimage.label(mask, structure=np.ones((3, 3)))
    pieces: dict[int, np.ndarray] = {}
    counts: dict[int, int] = {}
    for i, sl in enumerate(ndimage.find_objects(labels), start=1):
        if sl is None:
            continue
        middle = (sl[1].start + sl[1].stop) / 2
        k = min(centres, key=lambda c: abs(centres[c] - middle))
        pieces.setdefault(k, np.zeros_like(mask))[sl] |= labels[sl] == i
        counts[k] = counts.get(k, 0) + 1
    return {k: piece for k, piece in pieces.items() if counts[k] <= 3}


def _beside(img: Image.Image | StraightPage, region: ColourRegion, side: str, zoom: int,
            neighbour: ColourRegion | None) -> np.ndarray | None:
    """The number printed just left or right of a mark, level with it: the run nearest to it in
    a band one and a half marks wide — unless that run stands nearer to what lies beyond it on
    that side: the next mark (« ●1 ●2 »: the 1 is the first disc's, not the second's), an empty
    box drawn for a measure without colour (« ●8 □9 ●10 »: the 9 is the box's), or other ink."""
    x0, y0, x1, y1 = region.bbox
    h = y1 - y0
    reach = 1.6 * h  # a number further from its mark than this is not beside it
    box = _clip((x0 - 2 * reach, y0 - 0.2 * h, x0 - 0.04 * h, y1 + 0.2 * h) if side == "left"
                else (x1 + 0.04 * h, y0 - 0.2 * h, x1 + 2 * reach, y1 + 0.2 * h), img)
    if box is None:
        return None
    ink, grey = _ink(_enlarged(img.crop(box), zoom))
    ink, outline = _without_edge(ink, -1 if side == "left" else 0)
    if neighbour is not None:  # the next mark's blurred edge is no « 1 » of a number
        nx0, _ny0, nx1, _ny1 = ((v - box[0]) * zoom for v in neighbour.bbox)
        pad = 0.12 * h * zoom
        ink[:, max(0, int(nx0 - pad)):max(0, int(nx1 + pad) + 1)] = False
    middle = ((y0 + y1) / 2 - box[1]) * zoom
    obstacles: list[tuple[int, int, int, int]] = []
    runs = _runs(ink, h * zoom, obstacles)

    def page_x(x: float) -> float:
        return box[0] + x / zoom

    def gap(a: tuple[float, float]) -> float:
        """How far a span (page x) stands from the mark."""
        return x0 - a[1] if side == "left" else a[0] - x1

    level = [r for r in runs if abs((r[2] + r[3]) / 2 - middle) <= 0.3 * h * zoom
             and gap((page_x(r[0]), page_x(r[1]))) <= reach]
    if not level:
        return None
    near = min(level, key=lambda r: gap((page_x(r[0]), page_x(r[1]))))
    left, right = page_x(near[0]), page_x(near[1])
    # from the mark's ink: its outline, if drawn (a stroke reaching further is no outline)
    mine = gap((left, right)) - min(outline / zoom, 0.3 * h)
    beyond = [(page_x(o[0]), page_x(o[1])) for o in [*obstacles, *runs]
              if abs((o[2] + o[3]) / 2 - middle) <= 0.5 * h * zoom and o is not near
              and gap((page_x(o[0]), page_x(o[1]))) > mine]
    if neighbour is not None:
        beyond.append((neighbour.bbox[0], neighbour.bbox[2]))
    for b0, b1 in beyond:
        theirs = left - b1 if side == "left" else b0 - right
        if 0 <= theirs < mine:
            return None
    return _tile(near[4], grey)


def _without_edge(ink: np.ndarray, column: int) -> tuple[np.ndarray, int]:
    """The ink less the strokes that touch `column` (the side of the crop against the mark): the
    mark's own dark outline, cut by the crop, would read as a 1 before its number. With it, how
    many columns in from that side those strokes reach (where the mark's ink ends)."""
    labels, _n = ndimage.label(ink, structure=np.ones((3, 3)))
    touching = np.unique(labels[:, column])
    edge = np.isin(labels, touching[touching > 0])
    cols = np.nonzero(edge.any(axis=0))[0]
    reach = 0 if cols.size == 0 else (int(cols.max()) + 1 if column == 0
                                      else ink.shape[1] - int(cols.min()))
    return ink & ~edge, reach


def _tile(mask: np.ndarray, grey: np.ndarray | None = None) -> np.ndarray | None:
    """A mask's ink, cropped to it with a margin, as dark on white (the grey levels kept where
    given), scaled to TILE_PX high."""
    rows, cols = np.nonzero(mask)
    if rows.size < 6:
        return None
    pad = max(1, (rows.max() - rows.min()) // 6)
    sub = (slice(max(0, rows.min() - pad), rows.max() + pad + 1),
           slice(max(0, cols.min() - pad), cols.max() + pad + 1))
    near = ndimage.binary_dilation(mask[sub], iterations=pad)
    if grey is None:
        values = np.where(mask[sub], 0.0, 255.0)
    else:  # contrast stretched: small blurred print's darkest grey becomes black
        values = grey[sub].astype(np.float64)
        dark = float(np.percentile(values[mask[sub]], 5))
        values = np.clip((values - dark) * (255.0 / max(1.0, 235.0 - dark)), 0, 255)
    img = Image.fromarray(np.where(near, values, 255).astype(np.uint8))
    scale = TILE_PX / img.height
    img = img.resize((max(1, round(img.width * scale)), TILE_PX), Image.Resampling.LANCZOS)
    if BINARY_TILES:
        arr = np.asarray(img)
        return np.where(arr < 128, 0, 255).astype(np.uint8)
    return np.asarray(img)


def _read_tiles(tiles: list[tuple[int, str, np.ndarray]], lang: str
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
    column, spans = _column(tiles, height_px)
    found = _ocr(column, lang, f"{DIGITS_CONFIG} --dpi 300")
    out: list[Read | None] = []
    for a, b in spans:
        words = sorted((wx, text, conf) for wx, wy, text, conf in found if a <= wy < b)
        m = _NUMBER.match("".join(t for _x, t, _c in words))
        ok = words and m is not None and int(m.group(2)) > 0
        out.append((int(m.group(2)), min(c for *_r, c in words), m.group(1))
                   if ok and m is not None else None)
    return out


def _ocr(image: Image.Image, lang: str, config: str) -> list[tuple[float, float, str, float]]:
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
