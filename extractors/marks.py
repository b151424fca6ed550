"""Status marks: coloured blobs on a page, keyed to statuses by the page's own legend swatches."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from skimage.color import deltaE_ciede2000

from extractors.regions import MIN_CHROMA
from extractors.rules import matches, parse_docs
from models.records import (
    STATUSES,
    BBox,
    ColourRegion,
    LegendEntry,
    Line,
    Measure,
    Page,
    StatusCheck,
    StatusCount,
    Word,
)

MARKS_VERSION = "marks.v1"  # part of the pipeline version: a change here re-extracts
MIN_FILL = 0.5  # area / bbox area of a mark (square 1, disc 0.79, a number inside ~0.65)
MAX_DELTA_E = 10.0  # CIEDE2000 from a mark to its swatch beyond which it is no match
MIN_MARGIN = 6.0  # the second-nearest swatch must be at least this much farther
UNREAD_FACTOR = 0.9  # a measure whose mark was seen but not read is that much less sure
_NUMBER = re.compile(r"^[(#n°]*(\d{1,3})[.)]?$")
_STATUS_PREFIX = re.compile(r"\b(statut|avancement|[ée]tat)\s*[:：—–-]\s*", re.IGNORECASE)


@dataclass(frozen=True)
class MarkClass:
    """How one mark compares with the legend: nearest status, its ΔE and the runner-up's."""

    status: str | None  # None when too far from every swatch or between two of them
    delta_e: float
    runner_up: float
    confidence: float
    reason: str  # read | far | ambiguous | no-legend


@dataclass(frozen=True)
class StatusReading:
    """What the page says of one measure's status, and how sure that reading is."""

    status: str | None
    source: str | None  # legend-colour | text | None
    confidence: float
    reason: str


# --- legend swatches ----------------------------------------------------------------------

def read_swatches(legend: Sequence[LegendEntry], regions: Sequence[ColourRegion]
                  ) -> dict[str, ColourRegion]:
    """Each legend label's swatch: the coloured blob just left of the label, on its band."""
    swatches: dict[str, ColourRegion] = {}
    used: set[int] = set()
    for entry in legend:
        if entry.bbox is None:
            continue
        x0, y0, _x1, y1 = entry.bbox
        h = max(1.0, y1 - y0)
        best: tuple[float, int] | None = None
        for k, r in enumerate(regions):
            gap = x0 - r.bbox[2]
            if k in used or not -0.3 * h <= gap <= 4 * h or not y0 - h <= r.center[1] <= y1 + h:
                continue
            if best is None or gap < best[0]:
                best = (gap, k)
        if best is not None:
            used.add(best[1])
            swatches[entry.status] = regions[best[1]]
    return swatches


# --- marks --------------------------------------------------------------------------------

def _inside(word: Word, box: BBox) -> bool:
    if word.bbox is None:
        return False
    cx, cy = (word.bbox[0] + word.bbox[2]) / 2, (word.bbox[1] + word.bbox[3]) / 2
    return box[0] <= cx <= box[2] and box[1] <= cy <= box[3]


def _area(box: BBox) -> float:
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def _legible(word: Word) -> bool:
    return sum(c.isalpha() for c in word.text) >= 3 and (word.conf is None or word.conf >= 50)


def has_text_inside(region: ColourRegion, words: Sequence[Word]) -> bool:
    """Text on the blob (a panel, a button) or the blob part of coloured text: not a mark.

    A word about as large as the blob is the mark itself misread as a glyph (`Hl`, `[`).
    """
    rx0, _ry0, rx1, _ry1 = region.bbox
    for w in words:
        if w.bbox is None or not _legible(w):
            continue
        if _inside(w, region.bbox) and _area(w.bbox) < 0.5 * _area(region.bbox):
            return True  # a word printed on the blob
        cx, cy = region.center
        if (w.bbox[0] <= cx <= w.bbox[2] and w.bbox[1] <= cy <= w.bbox[3]
                and w.bbox[2] - w.bbox[0] >= 1.5 * (rx1 - rx0)):
            return True  # the blob is a few letters of a coloured word
    return False


def find_marks(page: Page, swatches: dict[str, ColourRegion]) -> list[ColourRegion]:
    """The page's status-mark candidates: solid, saturated, mark-sized, not swatches, no text."""
    taken = {id(r) for r in swatches.values()}
    words = [w for ln in page.lines for w in ln.words]
    return [r for r in page.regions
            if id(r) not in taken and r.fill >= MIN_FILL and r.chroma >= MIN_CHROMA
            and not has_text_inside(r, words)]


def delta_e(lab1: Sequence[float], lab2: Sequence[float]) -> float:
    """CIEDE2000 colour difference of two CIELAB colours."""
    return float(deltaE_ciede2000(np.asarray(lab1, dtype=np.float64),
                                  np.asarray(lab2, dtype=np.float64)))


def classify_mark(mark: ColourRegion, swatches: dict[str, ColourRegion]) -> MarkClass:
    """The status whose swatch is nearest in ΔE2000, when near enough and clearly nearest."""
    if not swatches:
        return MarkClass(None, float("inf"), float("inf"), 0.0, "no-legend")
    dists = sorted((delta_e(mark.lab, sw.lab), status) for status, sw in swatches.items())
    d1, status = dists[0]
    d2 = dists[1][0] if len(dists) > 1 else float("inf")
    confidence = round(0.5 + 0.5 * (1 - d1 / d2), 3) if d2 > 0 else 0.0
    if d1 > MAX_DELTA_E:
        return MarkClass(None, d1, d2, 0.0, "far")
    if d2 - d1 < MIN_MARGIN:
        return MarkClass(None, d1, d2, 0.0, "ambiguous")
    return MarkClass(status, d1, d2, confidence, "read")


def classify_marks(marks: Sequence[ColourRegion], swatches: dict[str, ColourRegion]
                   ) -> list[MarkClass]:
    return [classify_mark(m, swatches) for m in marks]


# --- tying marks to measures --------------------------------------------------------------

def number_of_mark(mark: ColourRegion, words: Sequence[Word]) -> tuple[int, float] | None:
    """The number printed inside a disc or just under it (a numbered strip), with its OCR
    confidence (0-1; 1 for a text layer); None when no number stands there."""
    if mark.number is not None:
        return mark.number, max(0.0, min(1.0, (mark.number_conf or 0.0) / 100))
    x0, y0, x1, y1 = mark.bbox
    w, h = x1 - x0, y1 - y0
    best: tuple[float, int, float] | None = None
    for word in words:
        found = _NUMBER.match(word.text)
        if found is None or word.bbox is None:
            continue
        cx = (word.bbox[0] + word.bbox[2]) / 2
        below = word.bbox[1] - y1
        if not x0 - 0.25 * w <= cx <= x1 + 0.25 * w:
            continue
        if not (_inside(word, mark.bbox) or -0.3 * h <= below <= 1.2 * h):
            continue
        dist = max(0.0, below)
        if best is None or dist < best[0]:
            conf = 1.0 if word.conf is None else max(0.0, min(1.0, word.conf / 100))
            best = (dist, int(found.group(1)), conf)
    return None if best is None else (best[1], best[2])


def tie_numbered_marks(marks: Sequence[tuple[int, ColourRegion]], words: Sequence[Word],
                       numbers: set[int]) -> dict[int, tuple[int, float]]:
    """mark index → (measure number, confidence of the number) for marks of a numbered strip;
    a number claimed by two marks ties neither."""
    claims: dict[int, list[tuple[int, float]]] = {}
    for k, mark in marks:
        found = number_of_mark(mark, words)
        if found is not None and found[0] in numbers:
            claims.setdefault(found[0], []).append((k, found[1]))
    return {v[0][0]: (n, v[0][1]) for n, v in claims.items() if len(v) == 1}


def on_band(mark: ColourRegion, box: BBox, line_h: float) -> bool:
    """The mark stands level with the measure: its centre within the measure's lines (its row)."""
    return box[1] - 0.5 * line_h <= mark.center[1] <= box[3] + 0.5 * line_h


def tie_marks_by_band(boxes: Sequence[tuple[int, BBox]], marks: Sequence[tuple[int, ColourRegion]],
                      line_h: float) -> dict[int, int]:
    """measure index → mark index: each mark on a measure's band (its row, or the level of its
    first line), nearest first line first, one mark per measure and one measure per mark."""
    pairs: list[tuple[float, int, int]] = []
    for mi, box in boxes:
        first = box[1] + line_h / 2
        for k, mark in marks:
            if on_band(mark, box, line_h):
                cx, cy = mark.center
                dx = max(0.0, box[0] - cx, cx - box[2])
                pairs.append((abs(cy - first) + 0.02 * dx, mi, k))
    tied: dict[int, int] = {}
    used: set[int] = set()
    for _cost, mi, k in sorted(pairs):
        if mi not in tied and k not in used:
            tied[mi] = k
            used.add(k)
    return tied


def _line_height(page: Page) -> float:
    heights = sorted(ln.bbox[3] - ln.bbox[1] for ln in page.lines if ln.bbox is not None)
    return heights[len(heights) // 2] if heights else 10.0


def _reading(mark_class: MarkClass, tie_conf: float = 1.0) -> StatusReading:
    if mark_class.status is None:
        return StatusReading(None, None, UNREAD_FACTOR, mark_class.reason)
    return StatusReading(mark_class.status, "legend-colour",
                         round(mark_class.confidence * tie_conf, 3), "read")


def read_page_marks(page: Page, measures: Sequence[Measure], legend: Sequence[LegendEntry]
                    ) -> dict[int, list[StatusReading]]:
    """measure index → what this page's coloured marks say of it.

    A mark level with a measure (on its line, in its table row) is tied by that band; a mark
    level with no measure (a strip of discs) is tied by the number printed by it.
    """
    entries = [e for e in legend if e.page == page.page and e.bbox is not None]
    swatches = read_swatches(entries, page.regions)
    marks = list(enumerate(find_marks(page, swatches)))
    classes = classify_marks([m for _k, m in marks], swatches)
    line_h = _line_height(page)
    boxes = [(i, m.bbox) for i, m in enumerate(measures)
             if m.page == page.page and m.bbox is not None]
    out: dict[int, list[StatusReading]] = {}
    for mi, k in tie_marks_by_band(boxes, marks, line_h).items():
        out.setdefault(mi, []).append(_reading(classes[k]))
    apart = [(k, m) for k, m in marks if not any(on_band(m, box, line_h) for _i, box in boxes)]
    index = {m.number: i for i, m in enumerate(measures)}
    words = [w for ln in page.lines for w in ln.words]
    for k, (number, conf) in tie_numbered_marks(apart, words, set(index)).items():
        out.setdefault(index[number], []).append(_reading(classes[k], conf))
    if entries and not swatches:  # a legend whose swatches carry no colour (a grey scan)
        for mi, _box in boxes:
            out.setdefault(mi, [StatusReading(None, None, UNREAD_FACTOR, "legend-without-colour")])
    return out


# --- statuses written as words ------------------------------------------------------------

def _label_at_start(text: str) -> str | None:
    doc = parse_docs([text])[0]
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
    doc = parse_docs([line.text])[0]
    found = matches("status-label.v1", doc)
    return found[0][0] if len(found) == 1 and found[0][1:] == (0, len(doc)) else None


def read_text_status(measure: Measure, lines: Sequence[Line]) -> str | None:
    """A status written as words for the measure: « Statut : X » in its text, or on its band a
    line that says « Statut : X » or is nothing but a status (a table cell)."""
    found = status_in_text(measure.title) or status_in_text(measure.raw_title)
    if found is not None or measure.bbox is None:
        return found
    y0, y1 = measure.bbox[1], measure.bbox[3]
    for line in lines:
        if line.bbox is None or not y0 <= (line.bbox[1] + line.bbox[3]) / 2 <= y1:
            continue
        found = status_in_text(line.text) or _whole_label(line)
        if found is not None:
            return found
    return None


# --- the whole step -----------------------------------------------------------------------

def _merge(colour: StatusReading | None, text: str | None) -> StatusReading | None:
    if text is None:
        return colour
    if colour is not None and colour.status is not None and colour.status != text:
        return StatusReading(None, None, UNREAD_FACTOR, "conflict")
    return StatusReading(text, "text", 1.0, "read")


def _pick(readings: Sequence[StatusReading]) -> StatusReading | None:
    """One reading from several pages: the status they agree on, else none (a conflict)."""
    read = [r for r in readings if r.status is not None]
    if len({r.status for r in read}) > 1:
        return StatusReading(None, None, UNREAD_FACTOR, "conflict")
    if read:
        return max(read, key=lambda r: r.confidence)
    return readings[0] if readings else None


def assign_statuses(measures: Sequence[Measure], pages: Sequence[Page],
                    legend: Sequence[LegendEntry]) -> list[StatusReading | None]:
    """Per measure, its status as the pages show it (colour marks, words), or why not.

    Colour is read only on pages with a legend: its swatches are the only key to the marks.
    """
    colour: dict[int, list[StatusReading]] = {}
    keyed = {e.page for e in legend if e.bbox is not None}
    for page in pages:
        if page.page in keyed:
            for mi, readings in read_page_marks(page, measures, legend).items():
                colour.setdefault(mi, []).extend(readings)
    lines_by_page = {p.page: p.lines for p in pages}
    return [_merge(_pick(colour.get(i, [])), read_text_status(m, lines_by_page.get(m.page, ())))
            for i, m in enumerate(measures)]


def apply_statuses(measures: Sequence[Measure], readings: Sequence[StatusReading | None]
                   ) -> list[Measure]:
    """The measures with the statuses read; confidence scaled by how sure each reading is."""
    out = []
    for m, r in zip(measures, readings, strict=True):
        if r is None:
            out.append(m)
            continue
        out.append(replace(m, status=r.status, status_source=r.source,
                           confidence=round(m.confidence * r.confidence, 3)))
    return out


def check_status_counts(measures: Sequence[Measure], counts: Sequence[StatusCount]
                        ) -> list[StatusCheck]:
    """The document's stated counts beside the counts of statuses read; never reconciled."""
    read = {s: sum(1 for m in measures if m.status == s) for s in STATUSES}
    unread = sum(1 for m in measures if m.status is None)
    return [StatusCheck(page=c.page, status=c.status, stated_count=c.count,
                        read_count=read[c.status], unread_count=unread) for c in counts]
