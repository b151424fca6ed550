"""The status-count sentence and the status legend's labels."""
from __future__ import annotations

import re

from spacy.tokens import Doc, Span

from extractors.measures import PageLine
from extractors.rules import NUMBER_WORDS, legend_phrases, matches, parse_docs
from models.records import BBox, LegendEntry, StatusCount

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
    text = span.text.lower().replace(" ", "-").replace("--", "-")
    if re.fullmatch(r"\d{1,3}", text):
        return int(text)
    text = text.replace("-et-", "-et-").replace("vingt-et-une", "vingt-et-un")
    if text in NUMBER_WORDS:
        return NUMBER_WORDS[text]
    parts = [p for p in text.split("-") if p and p != "et"]
    if len(parts) == 2 and parts[0] in ("vingt", "dix") and parts[1] in NUMBER_WORDS:
        return NUMBER_WORDS[parts[0]] + (1 if parts[1] in ("un", "une") else NUMBER_WORDS[parts[1]])
    return None


def read_status_counts(doc: Doc, page: int) -> list[StatusCount]:
    """Counts per status from one paragraph, when it states two or more statuses with counts."""
    statuses = _status_spans(doc)
    if len({label for label, _s, _e in statuses}) < 2:
        return []
    if legend_phrases()(doc) or not any(t.lower_.startswith("mesure") for t in doc):
        return []  # a legend lists statuses without counts; a summary speaks of measures
    counts = sorted(matches("count.v1", doc), key=lambda t: (t[1], -(t[2] - t[1])))
    out: dict[str, StatusCount] = {}
    for label, s, _e in statuses:
        value: int | None = None
        clause_start = s
        while clause_start > 0 and doc[clause_start - 1].text not in CLAUSE_BREAKS:
            clause_start -= 1
        for _l, cs, ce in counts:
            if clause_start <= cs and ce <= s:
                v = _count_value(doc[cs:ce])
                if v is not None:
                    value = v
                    break
        if value is None or label in out:
            continue
        clause_end = s
        while clause_end < len(doc) and doc[clause_end].text not in CLAUSE_BREAKS:
            clause_end += 1
        out[label] = StatusCount(page=page, status=label, count=value, rule="count.v1",
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
            label == "LEGEND" for label, _s, _e in matches("section-heading.v1", pl.doc))
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
