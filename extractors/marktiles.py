"""The ink of the numbers printed in, beside, above and below a row of marks, cut into tiles."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image
from scipy import ndimage

from extractors.ocr import StraightPage
from extractors.regions import MIN_CHROMA, to_lab, white_balanced
from extractors.strips import height, spans
from models.records import ColourRegion

TILE_PX = 40  # each number's ink is scaled to this height before tesseract reads it
BAND = 1.2  # the bands above and below a mark reach this many mark heights away
INK_L = 74.0  # L* of printed ink on the white-balanced page (paper is ~92)
MIN_MARK_PX = 60  # rows of small marks are enlarged to at least this height before reading
BINARY_TILES = False


def row_tiles(img: Image.Image | StraightPage, regions: Sequence[ColourRegion], row: list[int]
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
            box = clip_box((min(c[0] for c in cells.values()) - h, y0,
                         max(c[1] for c in cells.values()) + h, y1), img)
            if box is None:
                continue
            ink, grey = find_ink(_enlarged(img.crop(box), zoom))
            scaled = {k: tuple((v - box[0]) * zoom for v in c) for k, c in cells.items()}
            for k, tile in _shapes_by_cell(ink, grey, scaled, h * zoom, place).items():
                out.append((k, place, tile))
    for k in row:
        x0, y0, x1, y1 = regions[k].bbox
        pad = 0.15 * (y1 - y0)
        box = clip_box((x0 - pad, y0 - pad, x1 + pad, y1 + pad), img)
        if box is not None:
            bx, by = box[0], box[1]  # the mark's own box in the enlarged crop
            own = (round((x0 - bx) * zoom), round((y0 - by) * zoom), round((x1 - bx) * zoom),
                   round((y1 - by) * zoom))
            tile = _inside_ink(_enlarged(img.crop(box), zoom), own)
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


def clip_box(box: tuple[float, float, float, float], img: Image.Image | StraightPage
             ) -> tuple[int, int, int, int] | None:
    x0, y0 = max(0, round(box[0])), max(0, round(box[1]))
    x1, y1 = min(img.width, round(box[2])), min(img.height, round(box[3]))
    return (x0, y0, x1, y1) if x1 - x0 >= 4 and y1 - y0 >= 4 else None


def find_ink(crop: Image.Image) -> tuple[np.ndarray, np.ndarray]:
    """Printed strokes of a crop (True): darker than the paper by a fifth at least (small digits
    at 100-150 dpi are grey, not black), colour left out; and the crop's lightness (0-255) on
    the white-balanced page, for the tiles (tesseract reads grey edges better than a mask)."""
    rgb = white_balanced(np.asarray(crop.convert("RGB"), dtype=np.float32) / 255.0)
    lab = to_lab(rgb)
    colour = np.hypot(lab[..., 1], lab[..., 2]) >= MIN_CHROMA
    ink = (lab[..., 0] < INK_L) & ~ndimage.binary_dilation(colour, iterations=1)
    return ink, np.clip(lab[..., 0] * (255 / 92), 0, 255).astype(np.uint8)


def _inside_ink(crop: Image.Image, own: tuple[int, ...]) -> np.ndarray | None:
    """What is printed on a mark (white digits on a dark disc, dark ones on a pale one): the
    pixels inside its outline, and inside its own box `own` (x0, y0, x1, y1 in the crop: a
    neighbour it touches is not it), that differ from its colour, as black on white. The rim
    left out is thin: a label as wide as the disc (« M10 ») starts near its edge."""
    rgb = white_balanced(np.asarray(crop.convert("RGB"), dtype=np.float32) / 255.0)
    lab = to_lab(rgb)
    colour = np.hypot(lab[..., 1], lab[..., 2]) >= MIN_CHROMA
    if colour.sum() < 16:
        return None
    disc = ndimage.binary_fill_holes(colour)
    rim = max(1, round(0.03 * min(disc.shape)))
    inside = ndimage.binary_erosion(disc, iterations=rim)
    mine = np.zeros_like(inside)
    mine[max(0, own[1]):max(0, own[3]), max(0, own[0]):max(0, own[2])] = True
    inside &= mine
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
    box = clip_box((x0 - 2 * reach, y0 - 0.2 * h, x0 - 0.04 * h, y1 + 0.2 * h) if side == "left"
                   else (x1 + 0.04 * h, y0 - 0.2 * h, x1 + 2 * reach, y1 + 0.2 * h), img)
    if box is None:
        return None
    ink, grey = find_ink(_enlarged(img.crop(box), zoom))
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
