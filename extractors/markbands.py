"""Marks tied to measures by their band: level with a measure's lines, within its column."""
from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from models.records import BBox, ColourRegion


def on_band(mark: ColourRegion, box: BBox, line_h: float) -> bool:
    """The mark stands level with the measure: its centre within the measure's lines (its row)."""
    return box[1] - 0.5 * line_h <= mark.center[1] <= box[3] + 0.5 * line_h


def _columns(boxes: Sequence[tuple[int, BBox]], width: float) -> dict[int, tuple[float, float]]:
    """measure index → the x-extent of its column: measures whose left edges line up (within
    4 % of the page's width) form a column, and a few whose span lies within a column's are
    that column's."""
    groups: list[list[tuple[int, BBox]]] = []
    for mi, box in sorted(boxes, key=lambda t: t[1][0]):
        if groups and box[0] - groups[-1][-1][1][0] <= 0.04 * width:
            groups[-1].append((mi, box))
        else:
            groups.append([(mi, box)])
    # A smaller group whose span mostly lies on another's, and is no wider (a measure indented
    # further, or one whose box took in the mark before it), is part of that column, not a
    # column of its own; a box run across two columns is wider than either and stays apart.
    merged = True
    while merged:
        merged = False
        spans = [_span(g) for g in groups]
        for a, b in itertools.permutations(range(len(groups)), 2):
            (a0, a1), (b0, b1) = spans[a], spans[b]
            if (len(groups[a]) <= len(groups[b]) and a1 - a0 <= 1.15 * (b1 - b0)
                    and min(a1, b1) - max(a0, b0) >= 0.8 * min(a1 - a0, b1 - b0)):
                groups[b].extend(groups.pop(a))
                merged = True
                break
    out: dict[int, tuple[float, float]] = {}
    for group in groups:
        extent = _span(group)
        out.update({mi: extent for mi, _b in group})
    return out


WIDE = 1.6  # a measure's box this many times wider than its column's middle one ran across


def _span(group: Sequence[tuple[int, BBox]]) -> tuple[float, float]:
    """A column's x-extent, from its measures' boxes but the few run across the page (a last
    title that took in the lines under it, legend and all): they would make one column of
    three."""
    widths = sorted(b[2] - b[0] for _m, b in group)
    middle = widths[len(widths) // 2]
    own = [b for _m, b in group if b[2] - b[0] <= WIDE * middle] or [b for _m, b in group]
    return min(b[0] for b in own), max(b[2] for b in own)


SLANT = 0.01  # a slope of the measures' left edges (x per y) under this is no slant
MIN_SLANTED = 5  # measures of one column it takes to measure a slant


def _upright(boxes: Sequence[tuple[int, BBox]], marks: Sequence[tuple[int, ColourRegion]],
             line_h: float, width: float
             ) -> tuple[list[tuple[int, BBox]], list[tuple[int, ColourRegion]]] | None:
    """The boxes and marks moved across as a photographed or skewed page would be set upright:
    the measures' left edges, which line up in each column, slope with the page (Theil-Sen
    over each column's edges, the columns' median slope); each box and mark is moved by the
    slope times its height on the page. None when the edges do not slope, or do not line up
    along one slope (ragged starts: no slant to measure)."""
    from scipy.stats import theilslopes

    slopes = []
    for extent in set(_columns(boxes, width).values()):
        own = sorted((b[1], b[0]) for _m, b in boxes if extent[0] <= b[0] <= extent[1])
        if len(own) < MIN_SLANTED:
            continue
        ys, xs = np.array([y for y, _x in own]), np.array([x for _y, x in own])
        slope, at, _lo, _hi = theilslopes(xs, ys)
        if float(np.median(np.abs(xs - (at + slope * ys)))) <= 0.3 * line_h:
            slopes.append(float(slope))
    slope = float(np.median(slopes)) if slopes else 0.0
    if abs(slope) < SLANT:
        return None

    def moved(x: float, y: float) -> float:
        return x - slope * y

    return ([(mi, (moved(b[0], b[1]), b[1], moved(b[2], b[1]), b[3])) for mi, b in boxes],
            [(k, replace(m, bbox=(moved(m.bbox[0], m.center[1]), m.bbox[1],
                                  moved(m.bbox[2], m.center[1]), m.bbox[3]))) for k, m in marks])


def _gap(x: float, extent: tuple[float, float]) -> float:
    return max(0.0, extent[0] - x, x - extent[1])


def band_pairs(boxes: Sequence[tuple[int, BBox]], marks: Sequence[tuple[int, ColourRegion]],
               line_h: float, width: float = 0.0) -> list[tuple[float, int, int]]:
    """(distance to the first line, measure index, mark index) for each mark on a measure's band
    (its row, or the level of its lines) within the measure's own column — the column the mark
    stands nearest, clearly. On a page whose columns slant (photographed, skewed), the marks
    are judged as the page stands upright (`_upright`) and as it lies: a mark whose column
    only one of the two tells is tied by that one; a mark the two tie to different measures,
    to none."""
    width = width or max((b[2] for _m, b in boxes), default=1.0)
    pairs = _pairs(boxes, marks, line_h, width)
    up = _upright(boxes, marks, line_h, width)
    if up is None:
        return pairs
    upright = _pairs(*up, line_h, width)
    lying: dict[int, set[int]] = {}
    standing: dict[int, set[int]] = {}
    for _c, mi, k in pairs:
        lying.setdefault(k, set()).add(mi)
    for _c, mi, k in upright:
        standing.setdefault(k, set()).add(mi)
    return sorted([p for p in upright if lying.get(p[2], standing[p[2]]) & standing[p[2]]]
                  + [p for p in pairs if p[2] not in standing])


def _pairs(boxes: Sequence[tuple[int, BBox]], marks: Sequence[tuple[int, ColourRegion]],
           line_h: float, width: float) -> list[tuple[float, int, int]]:
    """`band_pairs` on the page as given."""
    columns = _columns(boxes, width)
    extents = sorted(set(columns.values()))
    homes: dict[int, tuple[float, float] | None] = {}
    for k, mark in marks:
        gaps = sorted((_gap(mark.center[0], e), e) for e in extents)
        clear = len(gaps) < 2 or gaps[1][0] - gaps[0][0] >= max(line_h, 0.25 * gaps[1][0])
        homes[k] = gaps[0][1] if gaps and clear else None  # None: about as near to two columns
    side = _marks_side([(mark, homes[k]) for k, mark in marks if homes[k] is not None], line_h)
    if side is None:  # the nearest columns set marks on both sides: one side may hold them all
        level = [(k, mark) for k, mark in marks if any(on_band(mark, b, line_h) for _m, b in boxes)]
        homes.update(_one_side_for_all(level, extents, line_h, [
            (columns[mi], box) for mi, box in boxes]))
    pairs: list[tuple[float, int, int]] = []
    for k, mark in marks:
        home = homes[k] if homes[k] is not None or side is None else _by_side(mark, extents, side)
        if home is None:
            continue  # whose it is cannot be told
        for mi, box in boxes:
            if columns[mi] == home and on_band(mark, box, line_h):
                pairs.append((abs(mark.center[1] - (box[1] + line_h / 2)), mi, k))
    return sorted(pairs)


MIN_SIDED = 3  # marks clearly in their column that show the page's mark side and gap


def _marks_side(placed: Sequence[tuple[ColourRegion, tuple[float, float]]], line_h: float
                ) -> tuple[str, float] | None:
    """Where the page sets its marks by their column: ("left", gap) when every mark clearly in
    a column stands left of it, about `gap` from its start (a line layout with its marks
    before the titles), ("right", gap) after its end; None otherwise."""
    for name in ("left", "right"):
        gaps = [_side_gap(name, m, e) for m, e in placed]
        if len(gaps) >= MIN_SIDED and all(-0.5 * line_h <= g <= 3 * line_h for g in gaps):
            return name, sorted(gaps)[len(gaps) // 2]
    return None


def _one_side_for_all(marks: Sequence[tuple[int, ColourRegion]],
                      extents: Sequence[tuple[float, float]], line_h: float,
                      placed: Sequence[tuple[tuple[float, float], BBox]]
                      ) -> dict[int, tuple[float, float]]:
    """mark → column, when one side explains every mark level with a measure and the other
    does not: each mark stands before the column after it (side "left"), or after the column
    before it ("right"), all about one gap from their columns. Two columns whose marks stand
    left of their titles put the second column's marks nearer the end of the first than the
    start of their own; by that nearness the page would set marks on both sides of its
    columns, which no page does. Each mark must stand level with a measure of the column it
    is given (`placed`: each measure's column and box): a column whose measures went unread
    leaves its marks to no other. {} when neither side or both explain them all."""
    found: list[dict[int, tuple[float, float]]] = []
    for name in ("left", "right"):
        homes: dict[int, tuple[float, float]] = {}
        gaps = []
        for k, mark in marks:
            fits = sorted((g, e) for e in extents
                          if -0.5 * line_h <= (g := _side_gap(name, mark, e)) <= 6 * line_h)
            inside = [e for e in extents if _gap(mark.center[0], e) == 0.0]
            if not fits or inside and fits[0][1] not in inside or not any(
                    e == fits[0][1] and on_band(mark, b, line_h) for e, b in placed):
                break  # (a mark within a column's width is that column's, whatever the side)
            homes[k] = fits[0][1]
            gaps.append(fits[0][0])
        else:
            middle = sorted(gaps)[len(gaps) // 2] if gaps else 0.0
            if (len(homes) >= MIN_SIDED and len(set(homes.values())) >= 2
                    and all(abs(g - middle) <= 0.5 * max(middle, line_h) for g in gaps)):
                found.append(homes)
    return found[0] if len(found) == 1 else {}


def _by_side(mark: ColourRegion, extents: Sequence[tuple[float, float]], side: tuple[str, float]
             ) -> tuple[float, float] | None:
    """The one column the mark stands beside as the page's clear marks stand beside theirs
    (same side, about the same gap), when no other column has it so."""
    name, gap = side
    fits = [e for e in extents if abs(_side_gap(name, mark, e) - gap) <= 0.5 * max(gap, 1.0) + 2.0]
    return fits[0] if len(fits) == 1 else None


def _side_gap(side: str, mark: ColourRegion, extent: tuple[float, float]) -> float:
    """The white from the mark to its column's start (side "left") or from its end ("right")."""
    return extent[0] - mark.bbox[2] if side == "left" else mark.bbox[0] - extent[1]


def tie_marks_by_band(boxes: Sequence[tuple[int, BBox]], marks: Sequence[tuple[int, ColourRegion]],
                      line_h: float, width: float = 0.0) -> dict[int, int]:
    """measure index → mark index: each mark on a measure's band within its column (see
    `band_pairs`), nearest first line first, one mark per measure and one measure per mark."""
    tied: dict[int, int] = {}
    used: set[int] = set()
    for _cost, mi, k in band_pairs(boxes, marks, line_h, width):
        if mi not in tied and k not in used:
            tied[mi] = k
            used.add(k)
    return tied
