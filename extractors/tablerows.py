"""A table's rows from its rules: the lines of each row between two rules, put back into the
lines a person reads across the row.

Tesseract reads a table whose rules were erased before OCR (extractors/pageimage.py:
`without_rules`) column by column — the numbers, then the titles, then the horizons — and a
cell centred in a row of two lines (`1)`, `de 3 à 9 mois`) level with neither of the title's
lines. The horizontal rules say where each row is: the lines between two rules are one row, its
cells the lines whose spans overlap; the first line of every cell makes the row's first line
(number, title, horizon, as the row reads), the cells' further lines follow level by level.
A page without such rules keeps its lines as read.

Which rules make a table (`table_extents`) is decided here once, for both sides of OCR: before
it, pageimage erases only a table's rules; after it, the rows are read from the same tables.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

from extractors.layout import on_mark
from extractors.vocabulary import UPRIGHT_RULE_GLYPHS
from models.records import BBox, Line, Word

TABLE_ROWS_VERSION = "table-rows.v1"  # part of pipeline_version: bump when the rows change
FLAT = 5.0  # a horizontal rule is this many times wider than it is high
MIN_RULES = 3  # rules one above the other that make a table (two rows at least)
SAME_TABLE = 0.8  # rules of one table overlap across this share of the shorter one
MIN_WALLS = 1  # upright rules between a table's cells ...
INSET = 0.03  # ... standing inside the table by this share of its width
MIN_WALL_ROWS = 1.5  # ... each across this many of its rows (a row's height, on average)
TALL = 1.8  # a row this many times the table's median row height is rows whose rules went
# unseen (the edge of a tinted band is no rule): its lines are kept as read
FAR_ROW = 3.0  # a rule further below a table's last than this many of its rows is not its
MIN_ROW_GAP = 4.0  # rules closer than this many pixels are one rule (a double rule)
OVERLAP = 0.4  # a word covering this share of a surer word's box, read on another line: ink
# read twice, dropped from the row


def _horizontal(rules: Sequence[BBox]) -> list[BBox]:
    return [r for r in rules if r[2] - r[0] >= FLAT * max(1.0, r[3] - r[1])]


def _tables(rules: Sequence[BBox]) -> list[tuple[float, float, list[float]]]:
    """Each table as (x0, x1, the y of its rules top to bottom): horizontal rules that span
    about the same width, one above the other, none further below the last than FAR_ROW times
    the table's median row (a rule under the table, between two paragraphs, is not its)."""
    groups: list[list[BBox]] = []
    for rule in sorted(_horizontal(rules), key=lambda r: (r[1] + r[3]) / 2):
        for group in groups:
            x0, x1 = min(r[0] for r in group), max(r[2] for r in group)
            shorter = min(x1 - x0, rule[2] - rule[0])
            mids = [(r[1] + r[3]) / 2 for r in group]
            pitches = sorted(b - a for a, b in itertools.pairwise(mids) if b - a > MIN_ROW_GAP)
            if pitches and (rule[1] + rule[3]) / 2 - mids[-1] > FAR_ROW * pitches[len(pitches) // 2]:
                continue
            if min(x1, rule[2]) - max(x0, rule[0]) >= SAME_TABLE * shorter:
                group.append(rule)
                break
        else:
            groups.append([rule])
    out = []
    for group in groups:
        ys: list[float] = []
        for r in group:
            y = (r[1] + r[3]) / 2
            if not ys or y - ys[-1] > MIN_ROW_GAP:
                ys.append(y)
        if len(ys) >= MIN_RULES:
            out.append((min(r[0] for r in group), max(r[2] for r in group), ys))
    return out


def _grids(rules: Sequence[BBox]) -> list[tuple[float, float, list[float]]]:
    """The ruled tables among `_tables`: MIN_WALLS upright rules stand between their cells,
    each across MIN_WALL_ROWS of their rows at least (a grid, not rules between the items of a
    list); a wall that runs past the first or last rule (a tinted row's edge is no rule) adds
    its end as a rule."""
    upright = [r for r in rules if r[3] - r[1] >= FLAT * max(1.0, r[2] - r[0])]
    out = []
    for x0, x1, ys in _tables(rules):
        pitch = (ys[-1] - ys[0]) / (len(ys) - 1)
        inset = INSET * (x1 - x0)  # a frame's sides are no walls between cells
        walls = [u for u in upright if x0 + inset < (u[0] + u[2]) / 2 < x1 - inset
                 and min(u[3], ys[-1]) - max(u[1], ys[0]) >= MIN_WALL_ROWS * pitch]
        if len(walls) < MIN_WALLS:
            continue
        top, bottom = min(w[1] for w in walls), max(w[3] for w in walls)
        ys = ([top] if top < ys[0] - MIN_ROW_GAP else []) + ys + (
            [bottom] if bottom > ys[-1] + MIN_ROW_GAP else [])
        out.append((x0, x1, ys))
    return out


def table_extents(rules: Sequence[BBox]) -> list[BBox]:
    """The box of each ruled table (`_grids`): its first rule to its last, its widest span."""
    return [(x0, ys[0], x1, ys[-1]) for x0, x1, ys in _grids(rules)]


def _line_of(words: Sequence[Word], para_break: bool) -> Line:
    boxes = [w.bbox for w in words if w.bbox is not None]
    confs = [w.conf for w in words if w.conf is not None]
    return Line(text=" ".join(w.text for w in words),
                bbox=(min(b[0] for b in boxes), min(b[1] for b in boxes),
                      max(b[2] for b in boxes), max(b[3] for b in boxes)),
                conf=round(sum(confs) / len(confs), 2) if confs else None,
                para_break=para_break, words=tuple(words))


def _middle(values: Sequence[float]) -> float:
    """The middle value (the upper one of an even count): a row's typical word height or level."""
    return sorted(values)[len(values) // 2]


def _levels(words: Sequence[Word]) -> list[list[Word]]:
    """Words grouped into lines by their height on the page (a word within half a word's height
    of a line's middle is on it), each line left to right."""
    height = _middle([w.bbox[3] - w.bbox[1] for w in words])  # type: ignore[index]
    levels: list[tuple[float, list[Word]]] = []
    for w in sorted(words, key=lambda w: (w.bbox[1] + w.bbox[3]) / 2):  # type: ignore[index]
        mid = (w.bbox[1] + w.bbox[3]) / 2  # type: ignore[index]
        if levels and abs(mid - levels[-1][0]) <= 0.5 * height:
            level = levels[-1][1]
            level.append(w)
            levels[-1] = (_middle([(v.bbox[1] + v.bbox[3]) / 2 for v in level]), level)  # type: ignore[index]
        else:
            levels.append((mid, [w]))
    return [sorted(level, key=lambda w: w.bbox[0]) for _m, level in levels]  # type: ignore[index]


def _cells(words: Sequence[Word], walls: Sequence[float]) -> list[list[Word]]:
    """A row's words in cells, left to right: between the table's upright rules, and within
    those, words whose spans overlap (with a word's height of slack: `_spans`) share a cell — a column
    whose wall is not drawn (a horizon beside a title) is a cell of its own."""
    edges = sorted(walls)
    walled: list[list[Word]] = [[] for _ in range(len(edges) + 1)]
    for w in words:
        mid = (w.bbox[0] + w.bbox[2]) / 2  # type: ignore[index]
        walled[sum(mid > e for e in edges)].append(w)
    return [cell for group in walled if group for cell in _spans(group)]


def _spans(words: Sequence[Word]) -> list[list[Word]]:
    """Words in groups whose spans overlap, or nearly (a word's height apart), left to right."""
    spans: list[tuple[float, float, list[Word]]] = []
    height = _middle([w.bbox[3] - w.bbox[1] for w in words])  # type: ignore[index]
    for w in sorted(words, key=lambda w: w.bbox[0]):  # type: ignore[index]
        x0, x1 = w.bbox[0], w.bbox[2]  # type: ignore[index]
        for k, (a, b, cell) in enumerate(spans):
            if x0 < b + height and a < x1:
                cell.append(w)
                spans[k] = (min(a, x0), max(b, x1), cell)
                break
        else:
            spans.append((x0, x1, [w]))
    return [cell for _a, _b, cell in sorted(spans, key=lambda s: s[0])]


def _read_twice(word: Word, other: Word) -> bool:
    """The same ink read on two of tesseract's lines (a row's title read again, in pieces, with
    the number cell beside it: `LR É DCE EUCES` over « recherche-action collective … »): the word
    covers OVERLAP of the smaller box of a word read with more confidence."""
    a, b = word.bbox, other.bbox
    assert a is not None and b is not None
    if (word.conf if word.conf is not None else 100.0) >= (
            other.conf if other.conf is not None else 100.0):
        return False
    w, h = min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w > 0 and h > 0 and w * h >= OVERLAP * smaller


def _row(lines: list[Line], walls: Sequence[float], skip: set[int],
         apart: Callable[[str], bool]) -> list[Line]:
    """A row's lines as read across: the first line of every cell, then the cells' further
    lines level by level; a cell that `apart` says stands alone (a status written in words,
    « Retard expliqué ») is a line of its own after them, never inside a title."""
    read = [(k, w) for k, ln in enumerate(lines) for w in ln.words
            if w.bbox is not None and id(w) not in skip]
    words = [w for k, w in read if not any(j != k and _read_twice(w, v) for j, v in read)]
    if not words:
        return sorted(lines, key=lambda ln: ln.bbox[1])  # type: ignore[index]
    cells, alone = [], []
    for cell in _cells(words, walls):
        levels = _levels(cell)
        (alone if apart(" ".join(w.text for level in levels for w in level)) else cells).append(
            levels)
    out = [_line_of([w for cell in cells for w in cell[0]], True)] if cells else []
    rest = [w for cell in cells for level in cell[1:] for w in level]
    if rest:
        out.extend(_line_of(level, False) for level in _levels(rest))
    return out + [_line_of([w for level in cell for w in level], True) for cell in alone]


def _outside_tables(line: Line, tables: Sequence[tuple[float, float, list[float]]]) -> list[Line]:
    """A line whose middle stands in a table, split from its words beyond the table's sides
    (a legend beside the table read on the row's line): the row's part, then the rest."""
    box = line.bbox
    words = [w for w in line.words if w.bbox is not None]
    if box is None or not words or len(words) != len(line.words):
        return [line]
    mid_x, mid_y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    for x0, x1, ys in tables:
        if x0 <= mid_x <= x1 and ys[0] < mid_y < ys[-1]:
            inside = [w for w in words if x0 <= (w.bbox[0] + w.bbox[2]) / 2 <= x1]  # type: ignore[index]
            if inside and len(inside) < len(words):
                # a rule's glyph beyond the table (`|`) was part of the row's line only
                outside = [w for w in words if w not in inside and w.text.strip(UPRIGHT_RULE_GLYPHS)]
                return [_line_of(inside, line.para_break)] + (
                    [_line_of(outside, True)] if outside else [])
    return [line]


def table_rows(lines: Sequence[Line], rules: Sequence[BBox], marks: Sequence[BBox] = (),
               apart: Callable[[str], bool] = lambda _text: False
               ) -> tuple[list[Line], dict[int, tuple[float, float]], list[str]]:
    """The page's lines with each table's rows read across (see the module's docstring; a cell
    whose text `apart` accepts is a line of its own), the left and right of the table each
    row's line stands across (by the line's id), and the glyphs OCR read off a status mark in a
    row's cells (`ne` on a filled cell), dropped from the rows."""
    tables = _grids(rules)
    flat = set(_horizontal(rules))
    if not tables or any(ln.bbox is None for ln in lines):
        return list(lines), {}, []
    lines = [part for ln in lines for part in _outside_tables(ln, tables)]
    rows: dict[tuple[int, int], list[Line]] = {}
    where: dict[int, tuple[int, int]] = {}
    for k, ln in enumerate(lines):
        box = ln.bbox
        assert box is not None
        mid_x, mid_y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        for t, (x0, x1, ys) in enumerate(tables):
            if not x0 <= mid_x <= x1:
                continue
            band = next((i for i in range(len(ys) - 1) if ys[i] < mid_y < ys[i + 1]), None)
            if band is not None:
                rows.setdefault((t, band), []).append(ln)
                where[k] = (t, band)
                break
    out: list[Line] = []
    across: dict[int, tuple[float, float]] = {}
    done: set[int] = set()
    dropped: list[str] = []
    for k, ln in enumerate(lines):
        key = where.get(k)
        if key is None:
            out.append(ln)
            continue
        if key[0] in done:
            continue
        done.add(key[0])  # the whole table where its first line was read, row after row
        x0, x1, ys = tables[key[0]]
        row_height = _middle([b - a for a, b in itertools.pairwise(ys)])
        for band in sorted(b for t, b in rows if t == key[0]):
            lines_of = rows[(key[0], band)]
            top, bottom = ys[band], ys[band + 1]
            if bottom - top > TALL * row_height:
                out.extend(sorted(lines_of, key=lambda ln: ln.bbox[1]))  # type: ignore[index]
                continue  # rows whose rule went unseen (a tinted heading's): as read
            walls = [(r[0] + r[2]) / 2 for r in rules if r not in flat
                     and r[1] <= (top + bottom) / 2 <= r[3] and x0 + 2 < (r[0] + r[2]) / 2 < x1 - 2]
            glyphs = [w for ln in lines_of for w in ln.words if on_mark(w, marks)]
            dropped.extend(w.text for w in glyphs)
            row = _row(lines_of, walls, {id(w) for w in glyphs}, apart)
            out.extend(row)
            across.update((id(r), (x0, x1)) for r in row)
    return out, across, dropped
