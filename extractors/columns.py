"""Columns of a page read in order: lines cut at a gutter, each region read column by column.

OCR and PDF text layers both run lines across columns set side by side (measures in 2–3
columns, a letterhead beside the recipient's address). Where extractors/gutters.py finds a
gutter whose regions read as columns, each such region's columns are read left to right,
each top to bottom, and looked at again for a gutter of their own (a third column).
Everything else keeps the order it was read in.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from extractors.gutters import Geometry, Item, best_gutter, word_height, word_space
from models.records import BBox, Line, Word

COLUMNS_VERSION = "columns.v3"  # part of pipeline_version: bump when the reading order changes


def _cut(line: Line, x: float) -> tuple[Line, Line]:
    """A line read across a gutter at x, as its two parts."""
    def part(words: list[Word]) -> Line:
        boxes = [w.bbox for w in words if w.bbox is not None]
        confs = [w.conf for w in words if w.conf is not None]
        bbox = (min(b[0] for b in boxes), min(b[1] for b in boxes),
                max(b[2] for b in boxes), max(b[3] for b in boxes))
        conf = round(sum(confs) / len(confs), 2) if confs else None
        return Line(text=" ".join(w.text for w in words), bbox=bbox, conf=conf,
                    para_break=line.para_break, words=tuple(words), raw_text=None)

    def centre(w: Word) -> float:
        return (w.bbox[0] + w.bbox[2]) / 2 if w.bbox is not None else x

    return part([w for w in line.words if centre(w) < x]), part(
        [w for w in line.words if centre(w) >= x])


def _columns(run: list[Item], x: float, geo: Geometry) -> list[Item]:
    """A run that reads as two columns at x: its left column, then its right one, each read
    top to bottom (and looked at again for a gutter of its own)."""
    out: list[Item] = []
    for column in _sides(run, x, geo):
        column.sort(key=_reading_key(geo))
        out.extend(_with_breaks(_block(column, geo), geo))
    return out


def _with_breaks(column: list[Item], geo: Geometry) -> list[Item]:
    """A column's paragraph breaks from its own geometry: its first line, and a line after a
    gap of more than a line (the breaks OCR gave to lines run across columns say little)."""
    out: list[Item] = []
    prev: BBox | None = None
    for it in column:
        box = it.line.bbox
        assert box is not None
        brk = prev is None or box[1] - prev[3] > 0.9 * geo.h or (it.line.para_break
                                                                 and not it.split)
        out.append(replace(it, line=replace(it.line, para_break=brk)))
        prev = box
    return out


def _block(items: list[Item], geo: Geometry) -> list[Item]:
    """Items in reading order. The gutter whose regions read as columns hold the most lines
    splits them into columns; the rest is read top to bottom: one column beside the gutter
    by its lines' height on the page, a run that does not read as columns in the order it
    was read; each looked at again for a gutter of its own."""
    found = best_gutter(items, geo)
    if found is None:
        return items
    x, regions = found
    out: list[Item] = []
    for kind, run in regions:
        if kind == "columns":
            out.extend(_columns(run, x, geo))
        elif kind in ("left", "right"):
            out.extend(_block(sorted(run, key=_reading_key(geo)), geo))
        else:
            out.extend(_block(sorted(run, key=lambda it: it.index), geo))
    return out


def _reading_key(geo: Geometry) -> Callable[[Item], tuple[float, float]]:
    """Top to bottom; lines level with each other (a number read apart from its title) left to
    right."""
    def key(it: Item) -> tuple[float, float]:
        box = it.line.bbox
        assert box is not None
        return (round((box[1] + box[3]) / 2 / geo.h), box[0])
    return key


def read_columns(lines: Sequence[Line], whole: Callable[[Line], bool] = lambda _ln: False,
                 marks: Sequence[BBox] = (),
                 spans: Callable[[Line], tuple[float, float] | None] = lambda _ln: None
                 ) -> list[Line]:
    """The page's lines in reading order: column by column where lines were read across
    gutters; `whole`: lines that stand across the page whatever their width (a legend row, a
    summary); `spans`: the left and right of what a line stands across, or None (a table's
    row: a gutter may pass beside the table, never through it); `marks`: boxes of coloured marks, whose
    misread glyphs do not shape columns."""
    if not lines or any(ln.bbox is None for ln in lines):
        return list(lines)
    h = word_height(lines)
    if h <= 0:
        return list(lines)
    geo = Geometry(h, marks, whole, word_space(lines), spans)
    items = [Item(i, ln) for i, ln in enumerate(lines)]
    return [it.line for it in _block(items, geo)]


def column_boxes(lines: Sequence[Line], whole: Callable[[Line], bool] = lambda _ln: False,
                 marks: Sequence[BBox] = ()) -> list[BBox]:
    """The boxes of the page's text columns (one per column of each region read as columns);
    empty when the page reads as one column. For tying a mark only within its column."""
    if not lines or any(ln.bbox is None for ln in lines):
        return []
    h = word_height(lines)
    if h <= 0:
        return []
    geo = Geometry(h, marks, whole, word_space(lines))
    boxes: list[BBox] = []
    _collect_columns([Item(i, ln) for i, ln in enumerate(lines)], geo, boxes)
    return boxes


def _collect_columns(items: list[Item], geo: Geometry, boxes: list[BBox]) -> bool:
    found = best_gutter(items, geo)
    if found is None:
        return False
    x, regions = found
    for kind, run in regions:
        if kind != "columns":
            _collect_columns(run, geo, boxes)
            continue
        for column in _sides(run, x, geo):
            if not _collect_columns(column, geo, boxes):
                boxes.append(_union([it.line.bbox for it in column]))  # type: ignore[misc]
    return True


def _sides(run: list[Item], x: float, geo: Geometry) -> tuple[list[Item], list[Item]]:
    left: list[Item] = []
    right: list[Item] = []
    for it in run:
        how = geo.side(it.line, x)
        if how == "split":
            a, b = _cut(it.line, x)
            left.append(Item(it.index, a, True))
            right.append(Item(it.index, b, True))
        else:
            (left if how == "left" else right).append(it)
    return left, right


def _union(boxes: Sequence[BBox]) -> BBox:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))
