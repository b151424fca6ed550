"""Status marks: coloured blobs on a page, tied to measures and keyed to statuses by the page's
own legend swatches; why a status stays NULL when it does."""
from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace

from extractors.legend import Swatch, find_legend, legend_members
from extractors.markbands import band_pairs, on_band, tie_marks_by_band
from extractors.markcolour import MarkClass, classify_marks
from extractors.pagelines import centred_in, split_labels
from extractors.regions import MIN_CHROMA, is_grey
from extractors.statuswords import legend_like_labels, text_statuses, whole_label
from extractors.strips import (
    confirmed_inferred,
    keyed_by_label,
    mark_rows,
    strips_of,
    tie_strips,
    with_labels,
)
from models.records import (
    STATUSES,
    BBox,
    ColourRegion,
    Extraction,
    LegendEntry,
    Measure,
    Page,
    StatusCheck,
    StatusCount,
    Word,
)

MARKS_VERSION = "marks.v21"  # part of the pipeline version: a change here re-extracts
# (it covers markcolour.py, markbands.py, statuswords.py and strips.py too: bump it when they
# change what is read; v12: a strip tied by its count despite a misread number; v13: a
# legend label is not read across another blob level with it; v14: a strip tied by its count
# to numbering that restarts; v15: marks homed by the one side of their columns that explains
# them all; v16: a legend label read glued to its swatch's glyph; v17: marks on a slanting
# page homed as it stands upright; v18: a legend label is one line; v19: and reads past a
# « / »; v20: the one label left unread of a legend may be a piece of the missing status; v21:
# a label's leading tokens with no letter are no part of it)
# (v3: a stack of legend labels whose swatches were not found is no measure's status; a line
# of status words level with several measures is none of theirs)
MIN_FILL = 0.5  # area / bbox area of a mark (square 1, disc 0.79, a number inside ~0.65)
SPECK_MM = 2.6  # a blob smaller than this (and than half a swatch) is noise, not a mark
UNREAD_FACTOR = 0.9  # a measure whose mark was seen but not read is that much less sure


@dataclass(frozen=True)
class StatusReading:
    """What the page says of one measure's status, how sure, and why not when it says nothing."""

    status: str | None
    source: str | None  # legend-colour | text | None
    confidence: float
    reason: str | None  # a STATUS_REASONS value when status is None


@dataclass(frozen=True)
class MarkReport:
    """What the marks of a document came to: seen on pages with a legend, and tied."""

    seen: int = 0
    tied: int = 0


# --- marks ----------------------------------------------------------------------------------

def _area(box: BBox) -> float:
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def _legible(word: Word) -> bool:
    return sum(c.isalpha() for c in word.text) >= 3 and (word.conf is None or word.conf >= 50)


def has_text_inside(region: ColourRegion, words: Sequence[Word]) -> bool:
    """Text on the blob (a panel, a button) or the blob part of coloured text: not a mark.

    A word about as large as the blob is the mark itself misread as a glyph (`Hl`, `[`) —
    unless the blob is long and the word read surely: bold print fringed with colour.
    """
    rx0, ry0, rx1, ry1 = region.bbox
    for w in words:
        if w.bbox is None or not _legible(w):
            continue
        if centred_in(w, region.bbox) and _area(w.bbox) < 0.5 * _area(region.bbox):
            return True  # a word printed on the blob
        cx, cy = region.center
        if (w.bbox[0] <= cx <= w.bbox[2] and w.bbox[1] <= cy <= w.bbox[3]
                and w.bbox[2] - w.bbox[0] >= 1.5 * (rx1 - rx0)):
            return True  # the blob is a few letters of a coloured word
        if (rx1 - rx0 > 2.5 * (ry1 - ry0) and centred_in(w, region.bbox)
                and (w.conf is None or w.conf >= 70)):
            return True  # a long blob read as a word: bold print fringed with colour (« Mesure »)
    return False


def find_marks(page: Page, swatches: Sequence[Swatch]) -> list[ColourRegion]:
    """The page's status-mark candidates: solid, saturated, mark-sized, not the legend's, no
    text on them."""
    own = [s for s in swatches if any(s.region is r for r in page.regions)]
    taken = {id(r) for r in legend_members(own, page.regions)} | {id(s.region) for s in swatches}
    # (labels run together over overlapping marks, « O1O2O3 », are their numbers, not a word)
    words = [part for ln in page.lines for w in ln.words for part in split_labels(w)]
    return [r for r in page.regions
            if id(r) not in taken and r.fill >= MIN_FILL
            and (r.chroma >= MIN_CHROMA or is_grey(r) and keys_grey(swatches))
            and not has_text_inside(r, words) and not _speck(r, swatches, page.dpi or 72)]


def keys_grey(swatches: Sequence[Swatch]) -> bool:
    """A legend that shows a status in grey beside two coloured ones at least (a grey scan of
    a coloured legend shows greys only: its marks are not told apart by their lightness)."""
    return any(is_grey(s.region) for s in swatches) and sum(
        s.region.chroma >= MIN_CHROMA for s in swatches) >= 2


def keyed_greys(pages: Sequence[Page]) -> list[Page]:
    """The pages without their grey blobs, unless the document's legend shows a status in grey
    (`keys_grey`) or the blob is a pill a status is written on (its words are read, not its
    grey): a grey blob is a bullet, a logo or bold print otherwise, and no page's business
    (its columns, its table, its glyphs)."""
    if not any(is_grey(r) for page in pages for r in page.regions):
        return list(pages)
    for page in pages:
        if any(is_grey(r) for r in page.regions) and keys_grey(find_legend(page)):
            return list(pages)
    return [replace(page, regions=tuple(r for r in page.regions if not is_grey(r) or (
        r.label_in and whole_label(" ".join(r.label_in.split())) is not None)))
        for page in pages]


def _speck(region: ColourRegion, swatches: Sequence[Swatch], dpi: float) -> bool:
    """A blob near the smallest size and under half the legend's swatches (a JPEG colour
    blotch by dark print on tinted paper): no status mark."""
    side = max(region.bbox[2] - region.bbox[0], region.bbox[3] - region.bbox[1])
    sizes = sorted(max(s.region.bbox[2] - s.region.bbox[0], s.region.bbox[3] - s.region.bbox[1])
                   for s in swatches)
    return bool(sizes) and side < SPECK_MM * dpi / 25.4 and side < 0.5 * sizes[len(sizes) // 2]


def _line_height(page: Page) -> float:
    heights = sorted(ln.bbox[3] - ln.bbox[1] for ln in page.lines if ln.bbox is not None)
    return heights[len(heights) // 2] if heights else 10.0


# --- one page -------------------------------------------------------------------------------

def _reading(mark_class: MarkClass, tie_conf: float = 1.0) -> StatusReading:
    if mark_class.status is None:
        return StatusReading(None, None, UNREAD_FACTOR, mark_class.reason)
    return StatusReading(mark_class.status, "legend-colour",
                         round(mark_class.confidence * tie_conf, 3), None)


@dataclass(frozen=True)
class PageMarks:
    """What one page's marks say: readings per measure index, marks seen and tied."""

    readings: dict[int, list[StatusReading]]
    seen: int
    tied: int


def read_page_marks(page: Page, measures: Sequence[Measure], swatches: Sequence[Swatch]
                    ) -> PageMarks:
    """What this page's coloured marks say of the document's measures, keyed by `swatches`.

    A mark level with a measure of the page (on its line, in its table row, in its column) is
    tied by that band; the other marks (a strip of discs) by the numbers printed by them and
    the strip's order."""
    key = {s.status: s.region for s in swatches}
    marks = find_marks(page, swatches)
    classes = classify_marks(marks, key)
    line_h = _line_height(page)
    boxes = [(i, m.bbox) for i, m in enumerate(measures)
             if m.page == page.page and m.bbox is not None]
    out: dict[int, list[StatusReading]] = {}
    tied = 0
    width = float(page.width_px or 0)
    # A blob of no status colour amid a measure's own words is its print fringed with colour
    # (a bold « Mesure 2 – »), not a mark that might be the measure's.
    candidates = [(k, m) for k, m in enumerate(marks) if classes[k].status is not None or not any(
        on_band(m, b, line_h) and b[0] < m.center[0] < b[2] for _i, b in boxes)]
    by_band = tie_marks_by_band(boxes, candidates, line_h, width)
    for mi, k in by_band.items():
        out.setdefault(mi, []).append(_reading(classes[k]))
        tied += 1
    by_box = dict(boxes)
    for _cost, mi, k in band_pairs(boxes, candidates, line_h, width):
        box = by_box[mi]
        if mi in by_band and k != by_band[mi] and (
                k not in by_band.values() or box[1] < marks[k].center[1] < box[3]):
            # A second mark on one measure's band, or within its lines though tied elsewhere
            # (two measures read as one title): it is heard too, so that two marks that
            # disagree leave the status NULL.
            out[mi].append(_reading(classes[k]))
    for mi, box in boxes:
        if mi in out and any(on_band(m, box, line_h) and box[0] + 2 * line_h < m.center[0]
                             < box[2] - 2 * line_h and c.status is not None
                             for m, c in zip(marks, classes, strict=True)):
            # A mark of a status colour amid the measure's own line: its box runs across a
            # column (two columns read as one line), so which mark is its own cannot be told.
            # (A blob of no status colour there is print fringed with colour, no mark.)
            out[mi] = [StatusReading(None, None, UNREAD_FACTOR, "conflict")]
    apart = [k for k, m in enumerate(marks) if not any(on_band(m, b, line_h) for _i, b in boxes)]
    if key:  # a blob alone, of no legend colour (a coloured heading's « 4 »), is no strip's mark:
        # tied by the number read on it, it would rival the strip's own mark 4 and void both
        alone = {row[0] for row in mark_rows(marks, apart) if len(row) == 1}
        apart = [k for k in apart if not (k in alone and classes[k].reason == "too-far")]
    # A strip's numbers tie to numbers printed by the measures, and to inferred ones only where
    # the printed neighbours confirm them: a measure list that lost a number would shift every
    # tie after it, and a page read out of order would tie marks to guesses.
    printed = [None if m.number_inferred else m.number for m in measures]
    inferred = confirmed_inferred(printed, [m.number if m.number_inferred else None
                                            for m in measures],
                                  [(m.page, m.bbox) for m in measures])
    prefixes = {m.label.rstrip("0123456789") for m in measures if m.label} - {""}
    strip = with_labels([marks[k] for k in apart], prefixes)
    keyed = keyed_by_label(strip, [m.label for m in measures])
    if keyed is not None:  # O1-O7, S1-S7: each measure by its label, its key its place (i + 1)
        strip = keyed
        printed = [None if p is None else i + 1 for i, p in enumerate(printed)]
        inferred = [None if n is None else i + 1 for i, n in enumerate(inferred)]
    unnumbered = _unnumbered(measures) and keyed is None
    if unnumbered:  # no number read: each measure is keyed by its place, as its strip is
        printed = [i + 1 for i in range(len(measures))]
    ties = strip_ties(strip, page.page, measures, printed, inferred)
    if unnumbered and sorted(map(len, strips_of(strip))) != [len(measures)]:
        ties = {}  # … only by a strip of as many marks as the list's measures, and alone
    for mark, (mi, conf) in ties.items():
        out.setdefault(mi, []).append(_reading(classes[apart[mark]], conf))
        tied += 1
    return PageMarks(out, len(marks), tied)


def _unnumbered(measures: Sequence[Measure]) -> bool:
    """A list of measures (three or more) none of which prints a number OCR read, standing
    top to bottom in one column of one page: the k-th is the k-th its strip numbers, when the
    strip prints numbers 1 to N for as many marks as there are measures (a measure lost or one
    too many, a list read across two columns would shift them: those are not tied)."""
    boxes = [m.bbox for m in measures if m.bbox is not None]
    if len(measures) < 3 or any(m.number is not None for m in measures) or (
            len({m.page for m in measures}) != 1 or len(boxes) != len(measures)):
        return False
    return all(min(a[2], b[2]) > max(a[0], b[0]) and b[1] > a[1]
               for a, b in itertools.pairwise(boxes))


def strip_ties(strip: Sequence[ColourRegion], page: int, measures: Sequence[Measure],
                printed: Sequence[int | None], inferred: Sequence[int | None]
                ) -> dict[int, tuple[int, float]]:
    """mark → (measure, confidence): the strip tied to the measures of its own page (a deck's
    slide numbers its own measures, 1 to 7 on each when the numbering restarts), and to the
    document's; where the two disagree on a mark or a measure, neither stands."""
    local = [i for i, m in enumerate(measures) if m.page == page]
    found = [{t.mark: (t.measure, t.conf) for t in tie_strips(strip, printed, inferred)}]
    if local and len(local) < len(measures):
        found.append({t.mark: (local[t.measure], t.conf) for t in tie_strips(
            strip, [printed[i] for i in local], [inferred[i] for i in local])})
    ties: dict[int, tuple[int, float]] = {}
    for mark in {k for f in found for k in f}:
        said = {f[mark][0] for f in found if mark in f}
        if len(said) == 1:
            ties[mark] = max((f[mark] for f in found if mark in f), key=lambda t: t[1])
    claims = [mi for mi, _c in ties.values()]
    return {mark: t for mark, t in ties.items() if claims.count(t[0]) == 1}


# --- the whole step -----------------------------------------------------------------------

def _merge(colour: StatusReading | None, text: str | None) -> StatusReading | None:
    if text is None:
        return colour
    if colour is not None and colour.status is not None and colour.status != text:
        return StatusReading(None, None, UNREAD_FACTOR, "conflict")
    return StatusReading(text, "text", 1.0, None)


def _pick(readings: Sequence[StatusReading]) -> StatusReading | None:
    """One reading from several marks: the status they all agree on, else none (a conflict —
    a mark seen but not read counts against a mark read: which is its own is not known)."""
    read = [r for r in readings if r.status is not None]
    if len({r.status for r in read}) > 1 or (read and len(read) < len(readings)):
        return StatusReading(None, None, UNREAD_FACTOR, "conflict")
    if read:
        return max(read, key=lambda r: r.confidence)
    return readings[0] if readings else None


@dataclass(frozen=True)
class StatusResult:
    """Per measure, what the document says of its status; the legend as read; the marks."""

    readings: list[StatusReading]
    legend: list[LegendEntry]
    marks: MarkReport


def legends(pages: Sequence[Page], measures: Sequence[Measure]) -> dict[int, list[Swatch]]:
    """page → the legend found on it by its structure (pages without one left out)."""
    out = {}
    for page in pages:
        boxes = [m.bbox for m in measures if m.page == page.page and m.bbox is not None]
        found = find_legend(page, boxes)
        if found:
            out[page.page] = found
    return out


def assign_statuses(measures: Sequence[Measure], pages: Sequence[Page],
                    text_legend: Sequence[LegendEntry] = ()) -> StatusResult:
    """Per measure, its status as the pages show it (colour marks, words), or why not.

    Colour is read only with a legend in view: its swatches are the only key to the marks. A
    page without a legend is keyed by the document's legend when exactly one page has one (a
    deck: the legend on one slide, the strip on another). `text_legend` (legend labels found in
    the text, their swatches not seen) says that a page's legend has no colour (a grey scan)."""
    own = legends(pages, measures)
    only = next(iter(own.values())) if len(own) == 1 else []
    keyed = {p.page: own.get(p.page, only) for p in pages}
    colour: dict[int, list[StatusReading]] = {}
    report = MarkReport()
    for page in pages:
        if keyed[page.page]:
            result = read_page_marks(page, measures, keyed[page.page])
            report = MarkReport(report.seen + result.seen, report.tied + result.tied)
            for mi, found in result.readings.items():
                colour.setdefault(mi, []).extend(found)
    lines_by_page = {p.page: p.lines for p in pages}
    heights = {p.page: _line_height(p) for p in pages}
    text_pages = {e.page for e in text_legend}
    labels: dict[int, list[BBox]] = {}
    for page, found in own.items():
        labels.setdefault(page, []).extend(s.label_bbox for s in found)
    for e in text_legend:
        if e.bbox is not None:
            labels.setdefault(e.page, []).append(e.bbox)
    for page in pages:
        labels.setdefault(page.page, []).extend(legend_like_labels(page.lines,
                                                                   heights.get(page.page, 0.0)))
    readings = []
    words = text_statuses(measures, lines_by_page, labels, heights)
    for i, m in enumerate(measures):
        reading = _merge(_pick(colour.get(i, [])), words[i])
        if reading is None:
            reason = ("no-legend" if not keyed.get(m.page) and m.page not in text_pages
                      else "legend-without-colour" if not keyed.get(m.page)
                      else "mark-not-tied" if report.seen > report.tied else "no-mark")
            reading = StatusReading(None, None, 1.0 if reason == "no-legend" else UNREAD_FACTOR,
                                    reason)
        readings.append(reading)
    legend = [s.entry(page) for page, found in sorted(own.items()) for s in found]
    legend += [e for e in text_legend if e.page not in own]
    return StatusResult(readings, legend, report)


def apply_statuses(measures: Sequence[Measure], readings: Sequence[StatusReading | None]
                   ) -> list[Measure]:
    """The measures with the statuses read (or why not); confidence scaled by how sure each is."""
    out = []
    for m, r in zip(measures, readings, strict=True):
        if r is None:
            out.append(m)
            continue
        out.append(replace(m, status=r.status, status_source=r.source,
                           status_reason=r.reason if r.status is None else None,
                           confidence=round(m.confidence * r.confidence, 3)))
    return out


def check_status_counts(measures: Sequence[Measure], counts: Sequence[StatusCount]
                        ) -> list[StatusCheck]:
    """The document's stated counts beside the counts of statuses read; never reconciled."""
    read = {s: sum(1 for m in measures if m.status == s) for s in STATUSES}
    unread = sum(1 for m in measures if m.status is None)
    return [StatusCheck(page=c.page, status=c.status, stated_count=c.count,
                        read_count=read[c.status], unread_count=unread) for c in counts]


UNKEYED = ("no-legend", "legend-without-colour")  # reasons that say no colour could be read


def unread_statuses_note(extraction: Extraction) -> str | None:
    """One line for a document whose legend keys marks, yet some of its measures got no status:
    how many marks were seen and tied, and why the statuses stayed NULL; None otherwise."""
    unread = [m.status_reason for m in extraction.measures
              if m.status is None and m.status_reason not in UNKEYED]
    if not extraction.marks_seen or not unread:
        return None
    why = ", ".join(f"{reason} {unread.count(reason)}" for reason in dict.fromkeys(unread))
    return (f"{extraction.marks_seen} status marks seen, {extraction.marks_tied} tied to a "
            f"measure; {len(unread)} of {len(extraction.measures)} measures have no status "
            f"({why}; see measures.status_reason)")
