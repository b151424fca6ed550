"""Gutters of a page: where white runs between columns, and the regions that read as columns.

A gutter is a vertical strip of white that lines leave open at the same place: found where
several lines have a wide gap at one x (a projection of the gaps), where three lines or more
start at one x away from the margin, or where few lines have a word. Along the page, top to
bottom, the lines that leave it open form a region (a line across the gutter — a title, a
summary, a legend — or a band of white closes it); a region reads as columns when lines of
text stand on both sides. What is found here shapes the reading order: a change bumps
`COLUMNS_VERSION` (extractors/columns.py).
"""
from __future__ import annotations

import itertools
import re
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from models.records import BBox, Line, Word

MIN_GUTTER = 1.0  # a gutter is at least this many word heights wide ...
SPACES = 2.5  # ... or this many of the page's word spaces (a table's tight cells)
BAND = 2.5  # a band of white this many word heights high ends a region
MIN_SPLIT_LINES = 3  # lines read across the gutter that prove it ...
WIDE_GUTTER = 2.0  # ... or two, when their gaps are this many word heights wide
MIN_TEXT_WIDTH = 4.0  # a column's lines are this many word heights wide (not a list's numbers)
MIN_WIDTH_RATIO = 0.25  # ... and at least this share of the other column's width
MIN_CELL_WIDTH = 1.5  # a table's cells right of a gutter are this many word heights wide
LABEL_SHARE = 0.5  # a left side whose lines are mostly a list's labels is no column
NEAR = 0.25  # the middle of a strip of white is a candidate of its own unless this many word
# heights from one found already (not only a word height: a column's own starts, just right of
# a narrow gutter, must not hide the white beside them)
_LIST_LABEL = re.compile(r"^(?:mesure|n°|no|[a-z])?\s*\(?\d{1,3}\s*[.)—–:-]?$", re.IGNORECASE)


@dataclass(frozen=True)
class Item:
    """A line with its place in the order it was read."""

    index: int
    line: Line
    split: bool = False  # cut out of a line read across a gutter


def _is_text(word: Word, marks: Sequence[BBox]) -> bool:
    """A word that shapes the page's columns: not a rule's glyph (`|`), nor a glyph read off a
    coloured mark (a word of three letters or more on colour is coloured text: it counts)."""
    if word.bbox is None or not word.text.strip("|[]{}_~=/\\ "):
        return False  # a table's rule or a frame read as a glyph
    if sum(c.isalpha() for c in word.text) >= 3 and (word.conf is None or word.conf >= 60):
        return True
    cx, cy = (word.bbox[0] + word.bbox[2]) / 2, (word.bbox[1] + word.bbox[3]) / 2
    return not any(m[0] <= cx <= m[2] and m[1] <= cy <= m[3] for m in marks)


def word_space(lines: Sequence[Line]) -> float:
    """The median white between two words of a line (positive gaps only)."""
    gaps = [b.bbox[0] - a.bbox[2] for ln in lines for a, b in itertools.pairwise(ln.words)
            if a.bbox is not None and b.bbox is not None and b.bbox[0] > a.bbox[2]]
    return float(statistics.median(gaps)) if gaps else 0.0


def word_height(lines: Sequence[Line]) -> float:
    """The median height of the page's words of 2+ letters (a unit for gaps and gutters)."""
    heights = [w.bbox[3] - w.bbox[1] for ln in lines for w in ln.words
               if w.bbox is not None and sum(c.isalpha() for c in w.text) >= 2]
    return float(statistics.median(heights)) if heights else 0.0


class Geometry:
    """The lines' geometry, as the search for gutters needs it."""

    def __init__(self, h: float, marks: Sequence[BBox], whole: Callable[[Line], bool],
                 space: float = 0.0,
                 spans: Callable[[Line], tuple[float, float] | None] = lambda _ln: None) -> None:
        self.h, self.marks, self.whole, self.spans = h, marks, whole, spans
        self._words: dict[int, tuple[Line, list[Word]]] = {}  # a line's text words, by line
        self.gap = min(MIN_GUTTER * h, SPACES * space) if space > 0 else MIN_GUTTER * h

    def text_words(self, line: Line) -> list[Word]:
        found = self._words.get(id(line))
        if found is None or found[0] is not line:
            words = sorted((w for w in line.words if _is_text(w, self.marks)),
                           key=lambda w: w.bbox[0])  # type: ignore[index]
            self._words[id(line)] = found = (line, words)
        return found[1]

    def gutters(self, items: Sequence[Item]) -> list[float]:
        """x positions where a gutter may run: where several lines leave a wide gap (lines
        read across it), and where few lines have a word (columns read apart)."""
        boxes = [w.bbox for it in items for w in self.text_words(it.line)]
        if not boxes:
            return []
        x0 = int(min(b[0] for b in boxes))  # type: ignore[index]
        size = int(max(b[2] for b in boxes)) - x0 + 2  # type: ignore[index]
        gaps = np.zeros(size, dtype=np.int32)
        ink = np.zeros(size, dtype=np.int32)
        for it in items:
            words = self.text_words(it.line)
            covered = np.zeros(size, dtype=bool)
            for w in words:
                covered[int(w.bbox[0]) - x0:int(w.bbox[2]) - x0 + 1] = True  # type: ignore[index]
            ink += covered
            for a, b in itertools.pairwise(words):
                left, right = a.bbox[2], b.bbox[0]  # type: ignore[index]
                if right - left >= self.gap:  # a very wide gap counts twice
                    weight = 2 if right - left >= 2 * WIDE_GUTTER * self.h else 1
                    gaps[int(left) - x0 + 1:int(right) - x0] += weight
        found = [x0 + x for x in _peaks(gaps, spread=self.h)]
        for x in self._aligned_starts(items, x0):
            if all(abs(x - f) > self.h for f in found):
                found.append(x)
        floor = max(1.0, 0.2 * float(np.percentile(ink[ink > 0], 75)))
        white = np.where(ink <= floor, floor + 1 - ink, 0).astype(np.int32)
        white[:int(np.argmax(ink > 0))] = 0
        white[size - int(np.argmax(ink[::-1] > 0)):] = 0
        for x in _peaks(white, min_width=self.gap, spread=self.h):
            if all(abs(x0 + x - f) > NEAR * self.h for f in found):
                found.append(x0 + x)
        return found

    def _aligned_starts(self, items: Sequence[Item], left: float) -> list[float]:
        """Just left of where three lines or more start at the same x, away from the left
        margin (a block set beside another: a recipient's address right of a letterhead)."""
        starts = []
        for it in items:
            words = self.text_words(it.line)
            for k, w in enumerate(words):
                if k == 0 or w.bbox[0] - words[k - 1].bbox[2] >= self.gap:  # type: ignore[index]
                    starts.append(w.bbox[0])  # type: ignore[index]
        starts.sort()
        out: list[float] = []
        i = 0
        while i < len(starts):
            j = i
            while j + 1 < len(starts) and starts[j + 1] - starts[i] <= 0.5 * self.h:
                j += 1
            if j - i + 1 >= MIN_SPLIT_LINES and starts[i] > left + MIN_TEXT_WIDTH * self.h:
                out.append(starts[i] - 0.5 * self.h)
            i = j + 1
        return out

    def first_right(self, line: Line, x: float) -> Word | None:
        """The line's first word right of x."""
        return next((w for w in self.text_words(line) if w.bbox[0] >= x), None)  # type: ignore[index]

    def gap_at(self, line: Line, x: float) -> float:
        """The width of the white a line leaves around x."""
        words = self.text_words(line)
        left = max((w.bbox[2] for w in words if w.bbox[2] <= x), default=x)  # type: ignore[index]
        right = min((w.bbox[0] for w in words if w.bbox[0] >= x), default=x)  # type: ignore[index]
        return right - left

    def label_before(self, line: Line, x: float) -> bool:
        """Whether the text just left of x is a list's label (`12.`, `Mesure 7 —`, `S1`)."""
        words = [w for w in self.text_words(line) if w.bbox[2] <= x]  # type: ignore[index]
        run: list[Word] = []
        for w in reversed(words):
            if run and run[0].bbox[0] - w.bbox[2] >= self.gap:  # type: ignore[index]
                break
            run.insert(0, w)
        return bool(_LIST_LABEL.match(" ".join(w.text for w in run)))

    def reach(self, line: Line, x: float, side: str) -> float:
        """How wide the text next to x on one side of it runs (up to the first wide gap)."""
        words = [w for w in self.text_words(line)
                 if (w.bbox[2] <= x if side == "left" else w.bbox[0] >= x)]  # type: ignore[index]
        if side == "left":
            words.reverse()
        if not words:
            return 0.0
        run = [words[0]]
        for w in words[1:]:
            prev = run[-1]
            gap = (prev.bbox[0] - w.bbox[2]) if side == "left" else (  # type: ignore[index]
                w.bbox[0] - prev.bbox[2])  # type: ignore[index]
            if gap >= self.gap:
                break
            run.append(w)
        return max(w.bbox[2] for w in run) - min(w.bbox[0] for w in run)  # type: ignore[index]

    def side(self, line: Line, x: float) -> str:
        """How a line stands to a gutter at x: left, right, split (words both sides) or cross."""
        if self.whole(line):
            return "cross"
        span = self.spans(line)
        if span is not None:  # a table's row: whole across the table, beside it no more
            return "cross" if span[0] < x < span[1] else "left" if span[1] <= x else "right"
        words = self.text_words(line)
        if not words:
            return "left" if line.bbox is not None and line.bbox[2] <= x else "right"
        # a speck OCR read as punctuation before a line, in or at the gutter (« . M14
        # Piloter »), is no text across it: the line stands right of the gutter
        first = words[0]
        if len(words) > 1 and _speck(first) and (
                first.bbox[0] - self.gap < x < first.bbox[2] + self.gap):  # type: ignore[index]
            words = words[1:]
        if any(w.bbox[0] < x < w.bbox[2] for w in words):  # type: ignore[index]
            return "cross"
        left = any(w.bbox[2] <= x for w in words)  # type: ignore[index]
        right = any(w.bbox[0] >= x for w in words)  # type: ignore[index]
        if left and right:  # a word space at x is no gutter
            return "split" if self.gap_at(line, x) >= self.gap else "cross"
        return "left" if left else "right"


def _speck(word: Word) -> bool:
    """A word of no letter nor digit: a speck of dirt or ink OCR read as punctuation."""
    return not any(c.isalnum() for c in word.text)


def _peaks(count: np.ndarray, min_width: float = 0.0, spread: float = 0.0,
           most: int = 8) -> list[float]:
    """The middles of a profile's highest plateaus, highest first: each in a run (of non-zero
    values) wider than `min_width`, at least `spread` from the others (at most `most`)."""
    count = count.copy()
    out: list[float] = []
    pad = max(1, int(spread))
    while count.max(initial=0) >= 1 and len(out) < most:
        lo = hi = int(np.argmax(count))
        top = count[lo]
        while hi + 1 < len(count) and count[hi + 1] == top:
            hi += 1
        run_lo, run_hi = lo, hi
        while run_lo > 0 and count[run_lo - 1] > 0:
            run_lo -= 1
        while run_hi + 1 < len(count) and count[run_hi + 1] > 0:
            run_hi += 1
        if run_hi - run_lo + 1 >= min_width and (min_width or top >= 2):
            out.append((lo + hi) / 2)
        count[max(0, lo - pad):hi + pad + 1] = 0
    return out


def _regions(items: list[Item], x: float, geo: Geometry) -> list[tuple[str, list[Item]]]:
    """The items top to bottom in runs, each with how it reads at x: `columns` (two columns),
    `left` or `right` (one column beside the gutter), `cross` (a line across it), `mixed`."""
    ordered = sorted(items, key=lambda it: it.line.bbox[1])  # type: ignore[index]
    runs: list[list[tuple[Item, str]]] = [[]]
    bottom: float | None = None
    for it in ordered:
        box = it.line.bbox
        assert box is not None
        how = geo.side(it.line, x)
        band = bottom is not None and box[1] - bottom > BAND * geo.h
        if how == "cross" or band:
            runs.append([])
        runs[-1].append((it, how))
        if how == "cross":
            runs.append([])
        bottom = box[3] if bottom is None else max(bottom, box[3])
    out: list[tuple[str, list[Item]]] = []
    for run in runs:
        if not run:
            continue
        hows = {how for _it, how in run}
        kind = ("columns" if _reads_as_columns(run, x, geo) else hows.pop() if len(hows) == 1
                else "mixed")
        out.append((kind, [it for it, _how in run]))
    return out


def _reads_as_columns(run: list[tuple[Item, str]], x: float, geo: Geometry) -> bool:
    """A run proves its gutter by lines read across it with text on both sides (three, or two
    across a wide gap), or by columns read apart: three lines of text or more on each side
    and a strip of white between them (two when the right side's lines start at one x, or
    across a wide strip one line read across, or a very wide one)."""
    if any(how == "cross" for _it, how in run):
        return False
    split = [it.line for it, how in run if how == "split"]
    if len(split) >= MIN_SPLIT_LINES or (len(split) == 2 and all(
            geo.gap_at(line, x) >= WIDE_GUTTER * geo.h for line in split)):
        return _texts_both_sides({side: split for side in ("left", "right")}, x, geo)
    sides = {side: [it.line for it, how in run if how in (side, "split")]
             for side in ("left", "right")}
    words = [w for it, _how in run for w in geo.text_words(it.line)]
    strip = min((w.bbox[0] for w in words if w.bbox[0] >= x), default=x) - max(  # type: ignore[index]
        (w.bbox[2] for w in words if w.bbox[2] <= x), default=x)  # type: ignore[index]
    starts = sorted(w.bbox[0] for ln in sides["right"] if (w := geo.first_right(ln, x)))  # type: ignore[index]
    aligned = len(starts) >= MIN_SPLIT_LINES and starts[MIN_SPLIT_LINES - 1] - starts[0] <= 0.5 * geo.h
    least = 2 if (aligned or strip >= WIDE_GUTTER * geo.h * (1 if split else 2)) else MIN_SPLIT_LINES
    if any(len(lines) < least for lines in sides.values()):
        return False
    return strip >= geo.gap and _texts_both_sides(sides, x, geo)


def _texts_both_sides(sides: dict[str, list[Line]], x: float, geo: Geometry) -> bool:
    """Text on both sides of x: on the left a column of text, not a list's labels (`Mesure 7
    —`, `12.`) beside their titles; on the right a column or a table's cells (`3-9 mois`),
    not a mark's glyph beside a line."""
    reach = {side: _median(geo.reach(line, x, side) for line in lines)
             for side, lines in sides.items()}
    if reach["left"] < max(MIN_TEXT_WIDTH * geo.h, MIN_WIDTH_RATIO * reach["right"]) or (
            reach["right"] < MIN_CELL_WIDTH * geo.h):
        return False
    labels = [geo.label_before(line, x) for line in sides["left"]]
    return sum(labels) < LABEL_SHARE * len(labels)


def _median(values: Iterable[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0.0


def best_gutter(items: list[Item], geo: Geometry
                 ) -> tuple[float, list[tuple[str, list[Item]]]] | None:
    """The gutter whose regions read as columns hold the most lines, with its regions."""
    if len(items) < 4:
        return None
    best: tuple[int, float, list[tuple[str, list[Item]]]] | None = None
    for x in geo.gutters(items):
        regions = _regions(items, x, geo)
        held = sum(len(run) for kind, run in regions if kind == "columns")
        if held and (best is None or held > best[0]):
            best = (held, x, regions)
    return None if best is None else (best[1], best[2])
