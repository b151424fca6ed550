"""Numbered strips of status marks: rows of marks, and each mark tied to a measure by the
number printed by it, with the strip's own order as a second witness."""
from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from models.records import ColourRegion


def is_compact(region: ColourRegion) -> bool:
    """A disc or a square, as numbered marks are; not a table cell or a bar."""
    w, h = region.bbox[2] - region.bbox[0], region.bbox[3] - region.bbox[1]
    return max(w, h) <= 1.6 * min(w, h)


def height(region: ColourRegion) -> float:
    return region.bbox[3] - region.bbox[1]


def mark_rows(regions: Sequence[ColourRegion], indices: Sequence[int] | None = None
              ) -> list[list[int]]:
    """Rows of compact marks of about one size standing level with each other, each sorted left
    to right, rows top to bottom: indices into `regions`. A row may hold one mark."""
    keys = [k for k in (range(len(regions)) if indices is None else indices)
            if is_compact(regions[k])]
    rows: list[list[int]] = []
    for k in sorted(keys, key=lambda k: regions[k].center[1]):
        r = regions[k]
        for row in rows:
            ref = regions[row[-1]]
            if (abs(r.center[1] - np.mean([regions[j].center[1] for j in row]))
                    <= 0.5 * height(ref) and 0.6 <= height(r) / height(ref) <= 1.65):
                row.append(k)
                break
        else:
            rows.append([k])
    return [sorted(row, key=lambda k: regions[k].center[0]) for row in rows]


def spans(regions: Sequence[ColourRegion], row: list[int]
           ) -> dict[int, tuple[float, float, float]]:
    """Each mark's span across the page: (left, right, centre)."""
    return {k: (regions[k].bbox[0], regions[k].bbox[2], regions[k].center[0]) for k in row}


# -- tying a strip's marks to measures ---------------------------------------------------------

MIN_DIGIT_CONF = 70.0  # a number read by a mark with less confidence is no evidence
ORDER_CONF = 0.85  # how sure a tie is that rests on the strip's order between two read numbers
LONE_CONF = 85.0  # a mark standing alone is tied by its number only when read this surely


@dataclass(frozen=True)
class StripTie:
    """A mark of a strip tied to a measure: by the number read by it, or by its place in the
    strip between two marks whose numbers were read."""

    mark: int  # index into the marks given
    measure: int  # index into the measures given
    conf: float  # 0-1
    how: str  # digits | order


def strips_of(marks: Sequence[ColourRegion]) -> list[list[int]]:
    """The marks' rows gathered into strips (a row, or rows of about one size close under one
    another), each in reading order: left to right, row by row."""
    rows = [row for row in mark_rows(marks)]
    strips: list[list[list[int]]] = []
    for row in rows:
        h = float(np.median([height(marks[k]) for k in row]))
        top = min(marks[k].bbox[1] for k in row)
        if strips:
            last = strips[-1][-1]
            lh = float(np.median([height(marks[k]) for k in last]))
            bottom = max(marks[k].bbox[3] for k in last)
            overlap = (min(max(marks[k].bbox[2] for k in row), max(marks[k].bbox[2] for k in last))
                       - max(min(marks[k].bbox[0] for k in row), min(marks[k].bbox[0] for k in last)))
            if 0 <= top - bottom <= 4 * max(h, lh) and 0.6 <= h / lh <= 1.65 and overlap > 0:
                strips[-1].append(row)
                continue
        strips.append([row])
    return [[k for row in strip for k in row] for strip in strips]


def _digits(mark: ColourRegion, place: str) -> tuple[int, float] | None:
    for r in mark.readings:
        if r.place == place:
            return r.number, r.conf
    return None


def _chain(pairs: list[tuple[int, int]]) -> int:
    """Length of the longest run of pairs increasing in both members."""
    best = [1] * len(pairs)
    for b in range(len(pairs)):
        for a in range(b):
            if pairs[a][0] < pairs[b][0] and pairs[a][1] < pairs[b][1]:
                best[b] = max(best[b], best[a] + 1)
    return max(best, default=0)


def _essential(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The pairs in every longest increasing run: numbers the strip's order confirms. A read
    number that breaks the order, or that could stand in two places, is left out."""
    length = _chain(pairs)
    return sorted(p for k, p in enumerate(pairs) if _chain(pairs[:k] + pairs[k + 1:]) < length)


def tie_strip(marks: Sequence[ColourRegion], strip: Sequence[int], numbers: Sequence[int | None],
              place: str) -> list[StripTie]:
    """The strip's marks tied to measures (`numbers`: the measures' printed numbers, in
    document order) by the numbers read at `place`, with the strip's order as a second witness:

    - a read number ties its mark when the ties run in document order and another read number
      of the strip stands exactly as far from it in the strip as in the document (9 and 12 three
      marks apart); a lone mark (no strip) needs a number read with LONE_CONF;
    - a mark read badly or not at all between two such marks ties to the measure between them,
      when as many measures as marks stand between them;
    - a confidently read number that the order contradicts ties nothing."""
    read = {i: _digits(marks[k], place) for i, k in enumerate(strip)}
    sure = {i: d for i, d in read.items() if d is not None and d[1] >= MIN_DIGIT_CONF}
    pairs = [(i, j) for i, (n, _c) in sure.items() for j, m in enumerate(numbers) if m == n]
    chain = _essential(pairs)
    offsets = [j - i for i, j in chain]
    if len(strip) == 1:
        chain = [(i, j) for i, j in chain if sure[i][1] >= LONE_CONF]
    else:
        chain = [(i, j) for i, j in chain if offsets.count(j - i) >= 2]
    ties = [StripTie(strip[i], j, round(min(1.0, sure[i][1] / 100), 3), "digits") for i, j in chain]
    for (i1, j1), (i2, j2) in itertools.pairwise(chain):
        if i2 - i1 != j2 - j1:
            continue
        for i in range(i1 + 1, i2):
            if i in sure:
                continue  # read, and not where the order puts it: no tie
            ties.append(StripTie(strip[i], j1 + i - i1, ORDER_CONF, "order"))
    return ties


def tie_strips(marks: Sequence[ColourRegion], numbers: Sequence[int | None]) -> list[StripTie]:
    """Every strip's ties, each strip read at the place (inside, above, below its marks) whose
    numbers the order confirms most; a measure claimed by two marks keeps neither."""
    ties: list[StripTie] = []
    for strip in strips_of(marks):
        options = [tie_strip(marks, strip, numbers, place) for place in ("in", "below", "above")]
        best = max(options, key=lambda t: sum(x.how == "digits" for x in t))
        ties.extend(best)
    claims: dict[int, list[StripTie]] = {}
    for t in ties:
        claims.setdefault(t.measure, []).append(t)
    return [v[0] for v in claims.values() if len(v) == 1]
