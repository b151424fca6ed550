"""The status-count sentence and the status legend's labels."""
from __future__ import annotations

from typing import TYPE_CHECKING

from extractors.headings import count_value
from extractors.pagelines import PageLine
from extractors.rules import legend_phrases, matches, parse_docs
from models.records import BBox, LegendEntry, StatusCount

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

CLAUSE_BREAKS = {",", ";", ":", "."}


def _status_spans(doc: Doc) -> list[tuple[str, int, int]]:
    """Status mentions, longest first where they overlap (« très satisfaisant » over « satisfaisant »)."""
    found = sorted(matches("status-label.v1", doc), key=lambda t: (t[1], -(t[2] - t[1])))
    kept: list[tuple[str, int, int]] = []
    for label, s, e in found:
        if any(s < ke and e > ks for _l, ks, ke in kept):
            continue
        kept.append((label, s, e))
    return kept


def _count_value(span: Span) -> int | None:
    return count_value(span.text)


def _summary_start(doc: Doc) -> int | None:
    """Where the summary sentence starts when a legend stands before it in the same paragraph:
    at the first « N mesures »."""
    for _l, cs, ce in matches("count.v2", doc):
        if ce < len(doc) and doc[ce].lower_.startswith("mesure"):
            return cs
    return None


def read_status_counts(doc: Doc, page: int) -> list[StatusCount]:
    """Counts per status from one paragraph, when it states two or more statuses with counts.

    Each status takes the first count of its clause that comes after the previous status
    (« …, trois en retard et 1 mesure remise en cause » → 3 and 1)."""
    if legend_phrases()(doc) or any(label == "LEGEND" for label, _s, _e in
                                    matches("section-heading.v2", doc)):
        start = _summary_start(doc)
        if start is None:
            return []  # a legend lists statuses without counts
        doc = doc[start:].as_doc()
    statuses = _status_spans(doc)
    if len({label for label, _s, _e in statuses}) < 2:
        return []
    if not any(t.lower_.startswith("mesure") for t in doc):
        return []  # a summary speaks of measures
    counts = sorted(matches("count.v2", doc), key=lambda t: (t[1], -(t[2] - t[1])))
    out: dict[str, StatusCount] = {}
    previous_end = 0
    for label, s, e in statuses:
        value: int | None = None
        clause_start = s
        while clause_start > 0 and doc[clause_start - 1].text not in CLAUSE_BREAKS:
            clause_start -= 1
        lower = max(clause_start, previous_end)
        for _l, cs, ce in counts:
            if lower <= cs and ce <= s:
                value = _count_value(doc[cs:ce])
                if value is not None:
                    break
        previous_end = e
        if value is None or label in out:
            continue
        clause_end = s
        while clause_end < len(doc) and doc[clause_end].text not in CLAUSE_BREAKS:
            clause_end += 1
        out[label] = StatusCount(page=page, status=label, count=value, rule="count.v2",
                                 text=doc[clause_start:clause_end].text)
    return list(out.values()) if len(out) >= 2 else []


def extract_status_counts(paragraphs: list[tuple[int, str]]) -> list[StatusCount]:
    """(page, paragraph text) → the counts the document states, first statement per page."""
    results: list[StatusCount] = []
    done_pages: set[int] = set()
    for (page, _text), doc in zip(paragraphs, parse_docs([t for _p, t in paragraphs]), strict=True):
        if page in done_pages:
            continue
        found = read_status_counts(doc, page)
        if found:
            done_pages.add(page)
            results.extend(found)
    return results


def _span_bbox(pl: PageLine, start_char: int, end_char: int) -> BBox | None:
    words = pl.line.words
    if not words:
        return pl.line.bbox
    boxes, pos = [], 0
    for w in words:
        w_start, w_end = pos, pos + len(w.text)
        if w_start < end_char and w_end > start_char and w.bbox is not None:
            boxes.append(w.bbox)
        pos = w_end + 1
    if not boxes:
        return pl.line.bbox
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def extract_legend(lines: list[PageLine]) -> list[LegendEntry]:
    """Labels under a « Légende … » heading (same page, next few lines), one per status."""
    entries: list[LegendEntry] = []
    window: int = 0
    page: int | None = None
    seen: set[tuple[int, str]] = set()
    for pl in lines:
        heading = bool(legend_phrases()(pl.doc)) or any(
            label == "LEGEND" for label, _s, _e in matches("section-heading.v2", pl.doc))
        if heading:
            window, page = 10, pl.page
        if window <= 0 or pl.page != page:
            continue
        window -= 1
        for label, s, e in _status_spans(pl.doc):
            if (pl.page, label) in seen:
                continue
            seen.add((pl.page, label))
            span = pl.doc[s:e]
            entries.append(LegendEntry(page=pl.page, status=label, label=span.text,
                                       bbox=_span_bbox(pl, span.start_char, span.end_char)))
    return entries
