"""Statuses written as words: « Statut : X », a table's status cell, legend-like label lines."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise
from typing import TYPE_CHECKING

from extractors.pagelines import centred_in, enclose
from extractors.rules import matches, parse_docs
from models.records import BBox, ColourRegion, Line, Measure, Word

if TYPE_CHECKING:
    from spacy.tokens import Doc

WHOLE_LABEL_WORDS = 5  # a status label is this many words at most (« En retard (expliqué) »)
_STATUS_PREFIX = re.compile(r"\b(statut|avancement|[ée]tat)\s*[:：—–-]\s*", re.IGNORECASE)


def _label_at_start(text: str) -> str | None:
    return _label_opening(parse_docs([text])[0])


def _label_opening(doc: Doc) -> str | None:
    found = [label for label, s, _e in matches("status-label.v1", doc) if s == 0]
    return found[0] if found else None


def status_in_text(text: str) -> str | None:
    """The status after « Statut : » / « Avancement : » in a text, if one follows."""
    for m in _STATUS_PREFIX.finditer(text):
        label = _label_at_start(text[m.end():])
        if label is not None:
            return label
    return None


def _whole_label(line: Line) -> str | None:
    return whole_label(line.text)


def whole_label(text: str) -> str | None:
    """The status a text is nothing but (a table's status cell: « Retard expliqué »), if so."""
    if not text[:1].isalpha() or len(text.split()) > WHOLE_LABEL_WORDS:
        return None
    doc = parse_docs([text])[0]
    every = matches("status-label.v1", doc)
    # « Très satisfaisant » is one label, though it holds « satisfaisant »
    found = [(label, s, e) for label, s, e in every
             if not any(s2 <= s and e <= e2 and e2 - s2 > e - s for _l, s2, e2 in every)]
    return found[0][0] if len(found) == 1 and found[0][1:] == (0, len(doc)) else None


def _overlaps(a: BBox, b: BBox) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def legend_like_labels(lines: Sequence[Line], line_h: float) -> list[BBox]:
    """Boxes of the lines that look like a legend nobody found by its swatches (a grey page,
    one hue in dark shades): two or more short lines, one under the other at one left edge,
    that each open with a status (« Retard expliqué par le contexte »), each status once on
    the page. A table's status cells repeat their statuses; a legend names each once. Words
    of a legend standing level with a measure are never its status."""
    h = max(line_h, 1.0)
    short = [line for line in lines if line.bbox is not None and len(line.text.split()) <= 6]
    found = [(line.bbox, label) for line, doc in zip(short, parse_docs([ln.text for ln in short]),
                                                     strict=True)
             if (label := _label_opening(doc)) is not None]  # one parse for the page's lines
    statuses = [label for _box, label in found]
    if len(found) < 2 or len(set(statuses)) != len(statuses):
        return []
    boxes = sorted((box for box, _label in found), key=lambda b: b[1])
    lefts = [b[0] for b in boxes]
    gaps = [b[1] - a[3] for a, b in pairwise(boxes)]
    if max(lefts) - min(lefts) > 2 * h or max(gaps) > 2.5 * h:
        return []
    return boxes


def read_text_status(measure: Measure, lines: Sequence[Line], legend: Sequence[BBox] = (),
                     line_h: float = 0.0) -> str | None:
    """A status written as words for the measure: « Statut : X » in its text, or on its band a
    line that says « Statut : X » or is nothing but a status (a table cell) — level with its
    first lines (within two line heights), never a label of the legend (`legend`: their
    boxes), which may stand level with a measure."""
    found = text_status_with_line(measure, lines, legend, line_h)
    return found[0] if found else None


def text_status_with_line(measure: Measure, lines: Sequence[Line], legend: Sequence[BBox] = (),
                          line_h: float = 0.0) -> tuple[str, int | None] | None:
    """`read_text_status`, with the index of the line the status was read on (None when it is
    the measure's own text)."""
    found = status_in_text(measure.title) or status_in_text(measure.raw_title)
    if found is not None:
        return found, None
    if measure.bbox is None:
        return None
    y0, y1 = measure.bbox[1], measure.bbox[3]
    if line_h:
        y1 = min(y1, y0 + 2.5 * line_h)
    for k, line in enumerate(lines):
        if line.bbox is None or not y0 <= (line.bbox[1] + line.bbox[3]) / 2 <= y1:
            continue
        if any(_overlaps(line.bbox, box) for box in legend):
            continue
        found = status_in_text(line.text) or _whole_label(line)
        if found is not None:
            return found, k
    return None


def text_statuses(measures: Sequence[Measure], lines_by_page: dict[int, Sequence[Line]],
                  labels: dict[int, list[BBox]], heights: dict[int, float]
                  ) -> list[str | None]:
    """Each measure's status written as words; a line level with several measures (a legend's
    label beside measures set in columns, a word of another column) is none of theirs."""
    found = [text_status_with_line(m, lines_by_page.get(m.page, ()), labels.get(m.page, ()),
                                   heights.get(m.page, 0.0)) for m in measures]
    claims = Counter((m.page, f[1]) for m, f in zip(measures, found, strict=True)
                     if f is not None and f[1] is not None)
    return [None if f is None or (f[1] is not None and claims[(m.page, f[1])] > 1) else f[0]
            for m, f in zip(measures, found, strict=True)]


PILL_WORD_CONF = 90.0  # a pill's words, read again alone and enlarged, matched whole to a label


def with_pill_words(lines: Sequence[Line], regions: Sequence[ColourRegion]
                    ) -> tuple[list[Line], list[tuple[str, str]]]:
    """The lines with the status printed inside a coloured pill (its words read again alone,
    dark on white: `ColourRegion.label_in`) in place of what the page's OCR read there: white
    words on a pill come out as junk (« EFED », « Radeon ») or glued to the title beside them
    (« … à 3/9 mois Très satisfa »). Only a pill whose words are a status label and nothing
    else is heard; the pills stand as lines of their own after the page's, one under the other
    (as tesseract reads a column of cells: a title wrapped beside its pill stays whole; the
    statuses are tied to the measures by where they stand). Returns the
    lines and, per line that lost words to a pill, those words and the pill's."""
    pills = [(r.bbox, text) for r in regions
             if r.label_in and whole_label(text := " ".join(r.label_in.split())) is not None]
    if not pills:
        return list(lines), []
    out: list[Line] = []
    lost: list[tuple[str, str]] = []
    for ln in lines:
        inside = [next((t for b, t in pills if centred_in(w, b)), None) for w in ln.words]
        kept = tuple(w for w, pill in zip(ln.words, inside, strict=True) if pill is None)
        if len(kept) == len(ln.words):
            out.append(ln)
            continue
        lost.append((" ".join(w.text for w, pill in zip(ln.words, inside, strict=True) if pill),
                     next(pill for pill in inside if pill is not None)))
        box = enclose([w.bbox for w in kept if w.bbox is not None])
        if box is not None:
            out.append(Line(text=" ".join(w.text for w in kept), bbox=box, conf=ln.conf,
                            para_break=ln.para_break, words=kept, raw_text=ln.raw_text))
    out.extend(Line(text=text, bbox=box, conf=PILL_WORD_CONF, para_break=True,
                    words=(Word(text=text, bbox=box, conf=PILL_WORD_CONF),))
               for box, text in sorted(pills, key=lambda p: (p[0][1], p[0][0])))
    return out, lost
