"""Page layout repairs: list numbers OCR read as a column of their own, two columns read across."""
from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from models.records import Line, Word

T = TypeVar("T")

# A list number as OCR leaves it in its own column: `7.`, `12)`, `19:`, `k5.` (a `1` misread),
# or a bare `Tr.` where the digits were lost (kept as a lost number).
_LONE_NUMBER = re.compile(r"^[A-Za-z]{0,2}(\d{1,3})?[.),:;]?[a-z°]?$")


def _center_y(bbox: tuple[float, float, float, float]) -> float:
    return (bbox[1] + bbox[3]) / 2


def attach_hanging_numbers(lines: list[Line], page_width: float) -> list[Line]:
    """Glue each lone `7.` line onto the text line level with it just to its right.

    When list numbers hang in their own column, tesseract reads them as a separate block
    (`1.`, `2.`, … then the titles). Each lone number goes back to the start of the line it
    stands level with; a number with no such line stays where it is.
    """
    numbers = [i for i, ln in enumerate(lines)
               if ln.bbox is not None and len(ln.words) == 1 and len(ln.text) <= 4
               and _LONE_NUMBER.match(ln.text) and (any(c.isdigit() for c in ln.text)
                                                    or ln.text.endswith((".", ":")))]
    if not numbers:
        return lines
    taken: dict[int, int] = {}  # text line index -> number line index
    for i in numbers:
        nb = lines[i].bbox
        assert nb is not None
        height = nb[3] - nb[1]
        best, best_dx = None, 0.2 * page_width
        for j, ln in enumerate(lines):
            if j == i or j in taken or ln.bbox is None or j in numbers:
                continue
            dx = ln.bbox[0] - nb[2]
            if 0 <= dx < best_dx and abs(_center_y(ln.bbox) - _center_y(nb)) <= 0.6 * max(
                    height, ln.bbox[3] - ln.bbox[1]):
                best, best_dx = j, dx
        if best is not None:
            taken[best] = i
    out: list[Line] = []
    glued = set(taken.values())
    for j, ln in enumerate(lines):
        if j in glued:
            continue
        if j in taken:
            num = lines[taken[j]]
            digits = _LONE_NUMBER.match(num.text).group(1) or ""  # type: ignore[union-attr]
            word = Word(text=f"{digits}.", bbox=num.words[0].bbox, conf=num.words[0].conf)
            bbox = (min(num.bbox[0], ln.bbox[0]), min(num.bbox[1], ln.bbox[1]),  # type: ignore[index]
                    max(num.bbox[2], ln.bbox[2]), max(num.bbox[3], ln.bbox[3]))  # type: ignore[index]
            words = (word, *ln.words)
            conf = sum(w.conf or 0 for w in words) / len(words)
            ln = Line(text=" ".join(w.text for w in words), bbox=bbox, conf=round(conf, 2),
                      para_break=ln.para_break, words=words)
        out.append(ln)
    return out


# -- two columns read across the page (legacy text): line i of column A, then line i of B --------

SHORT_LINE = 15  # a wrapped line is at most this much shorter than its column's longest line


def _order_penalty(columns: list[list[T]], number: Callable[[T], int | None],
                   heading: Callable[[T], bool], text: Callable[[T], str],
                   open_end: Callable[[str], bool]) -> int:
    """How badly an order of lines reads: numbers out of sequence (3 each), a title continued
    after a line that had ended short, or a new title after a line left open (1 each)."""
    penalty = 0
    last: int | None = None
    for column in columns:
        for x in column:
            n = number(x)
            if n is not None:
                if last is not None and n != last + 1:
                    penalty += 3
                last = n
        width = max((len(text(x)) for x in column), default=0)
        for x, y in itertools.pairwise(column):
            starts = number(y) is not None or heading(y)
            left_open = starts and open_end(text(x)) and not heading(x)
            ended_short = (not starts and not heading(x) and not open_end(text(x))
                           and len(text(x)) < width - SHORT_LINE)
            penalty += int(left_open or ended_short)
    return penalty


def deinterleave_columns(items: list[T], *, number: Callable[[T], int | None],
                         heading: Callable[[T], bool], text: Callable[[T], str],
                         para_break: Callable[[T], bool], skip: Callable[[T], bool],
                         open_end: Callable[[str], bool] | None = None) -> list[T]:
    """Put back two columns that legacy OCR read across the page, line by line.

    Text alone cannot show columns, so the rule is a test on the numbers: from a line where two
    headings stand together, or where a numbered line is followed by another whose number does
    not come next, the lines up to the next blank line are tried as two columns (lines at even
    and odd places), the longer column running on alone at the end; the split that reads best
    (numbers in sequence, titles continued only after full lines) replaces the text when it
    reads strictly better than the lines as they are. Lines `skip` marks (junk) are left out
    of a page whose columns are put back.
    """
    ends_open = open_end or (lambda s: s.rstrip().endswith((",", "-", "'")))
    xs = [x for x in items if not skip(x)]
    changed = False
    i = 0
    while i < len(xs) - 1:
        a, b = xs[i], xs[i + 1]
        na, nb = number(a), number(b)
        start = (heading(a) and heading(b)) or (na is not None and nb is not None and nb != na + 1)
        if not start:
            i += 1
            continue
        end = next((j for j in range(i + 1, len(xs)) if para_break(xs[j])), len(xs))
        region = xs[i:end]
        best = (_order_penalty([region], number, heading, text, ends_open), 0, region)
        for e in range(2, len(region) + 1, 2):
            col_a, col_b, tail = region[0:e:2], region[1:e:2], region[e:]
            for columns in ([col_a + tail, col_b], [col_a, col_b + tail]):
                score = _order_penalty(columns, number, heading, text, ends_open)
                if score < best[0] or (score == best[0] and best[1] and e > best[1]):
                    best = (score, e, columns[0] + columns[1])
                if not tail:
                    break
        if best[1]:
            xs[i:end] = best[2]
            changed = True
            i = end
        else:
            i += 1
    return xs if changed else items  # junk lines stay where they were unless columns moved


# -- a status mark read as a glyph at the start of a line (`@ Favoriser …`, `6 Inciter …`) --------

MARK_HEIGHT = 1.4  # a glyph this much taller than its line's words is a mark read as text

def drop_mark_glyphs(lines: list[Line], marks: list[tuple[float, float, float, float]]
                     ) -> tuple[list[Line], list[str]]:
    """Lines without the glyphs OCR read off a status mark standing just before their text:
    short words (two characters at most) whose box lies on a coloured mark, or stands about
    square and clearly taller than the line's words (a mark on a grey scan), at the start of
    a line of words. Returns the lines and the glyphs dropped. A line of numbers (a strip)
    stays."""
    out: list[Line] = []
    dropped: list[str] = []
    for ln in lines:
        words = list(ln.words)
        heights = sorted(w.bbox[3] - w.bbox[1] for w in words[1:] if w.bbox is not None)
        text_h = heights[len(heights) // 2] if heights else 0.0
        k = 0
        while k < len(words) - 1 and (on_mark(words[k], marks) or _mark_sized(words[k], text_h)):
            k += 1
        rest = words[k:]
        if k and sum(1 for w in rest if sum(c.isalpha() for c in w.text) >= 2) >= 2:
            dropped.append(" ".join(w.text for w in words[:k]))
            boxes = [w.bbox for w in rest if w.bbox is not None]
            bbox = (min(b[0] for b in boxes), min(b[1] for b in boxes),
                    max(b[2] for b in boxes), max(b[3] for b in boxes)) if boxes else ln.bbox
            ln = Line(text=" ".join(w.text for w in rest), bbox=bbox, conf=ln.conf,
                      para_break=ln.para_break, words=tuple(rest), raw_text=ln.raw_text)
        out.append(ln)
    return out, dropped


def _mark_sized(word: Word, text_h: float) -> bool:
    """A short glyph boxed about square and clearly taller than the line's words: a status
    mark (a square, a disc) OCR read as `@`, `©`, `6`."""
    if word.bbox is None or len(word.text) > 2 or text_h <= 0:
        return False
    w, h = word.bbox[2] - word.bbox[0], word.bbox[3] - word.bbox[1]
    return h >= MARK_HEIGHT * text_h and 0.6 <= w / max(h, 1e-6) <= 1.6


def on_mark(word: Word, marks: Sequence[tuple[float, float, float, float]]) -> bool:
    """A short glyph (two characters at most) whose box's middle lies on a coloured mark."""
    if word.bbox is None or len(word.text) > 2:
        return False
    cx, cy = (word.bbox[0] + word.bbox[2]) / 2, (word.bbox[1] + word.bbox[3]) / 2
    return any(m[0] <= cx <= m[2] and m[1] <= cy <= m[3] for m in marks)
