"""A document from file to records, with no orchestration: plan pages, read them, extract."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from importlib.metadata import PackageNotFoundError, version

from extractors.columns import COLUMNS_VERSION, read_columns
from extractors.layout import drop_mark_glyphs
from extractors.letters import LETTERS_VERSION, extract_letter, is_letter_anchor
from extractors.marks import (
    MARKS_VERSION,
    apply_statuses,
    assign_statuses,
    check_status_counts,
    keyed_greys,
)
from extractors.measures import MEASURES_VERSION, extract_measures
from extractors.normalise import NORMALISE_VERSION, Repair, normalise_page
from extractors.numbering import SEQUENCES_VERSION
from extractors.ocr import DEFAULT_OCR, OcrSettings
from extractors.pagelines import PageLine, stands_across
from extractors.pages import plan_pages, read_legacy_text, read_page
from extractors.rules import parse_docs, rules_version
from extractors.series import describe_report
from extractors.sources import read_source
from extractors.statuswords import whole_label, with_pill_words
from extractors.summary import extract_legend, extract_status_counts
from extractors.tablerows import TABLE_ROWS_VERSION, table_rows
from models.errors import InputRejected
from models.records import DocumentResult, Extraction, Page, SourceDocument

CODE_VERSION = "0.1.0"


def pipeline_version() -> str:
    """Version of the code and rules; a rules change changes it by itself."""
    try:
        code = version("missions")
    except PackageNotFoundError:
        code = CODE_VERSION
    return (f"{code}+rules.{rules_version()}.{MARKS_VERSION}.{NORMALISE_VERSION}"
            f".{COLUMNS_VERSION}.{TABLE_ROWS_VERSION}.{SEQUENCES_VERSION}.{MEASURES_VERSION}"
            f".{LETTERS_VERSION}")


def in_columns(page: Page) -> tuple[Page, list[Repair]]:
    """The page with its lines read column by column where they were read across gutters
    (extractors/columns.py; legend rows, summaries and a letter's date, subject and salutation
    stand across the page; a ruled table's rows, read from its rules — extractors/tablerows.py
    —, across the table), without the glyphs OCR read off a status mark just before a line's
    text (`@ Favoriser …`) or in a table row's cell, and with the status printed in a coloured
    pill read from the pill (extractors/statuswords.py `with_pill_words`)."""
    if not page.lines or any(ln.bbox is None for ln in page.lines):
        return page, []
    marks = [r.bbox for r in page.regions]
    pilled, lost = with_pill_words(page.lines, page.regions)
    read, rows, glyphs = table_rows(pilled, page.rules, marks,
                                    apart=lambda text: whole_label(text) is not None)
    across = {id(read[i]) for i, doc in enumerate(parse_docs([ln.text for ln in read]))
              if stands_across(doc) or is_letter_anchor(doc)}
    lines = read_columns(read, whole=lambda ln: id(ln) in across, marks=marks,
                         spans=lambda ln: rows.get(id(ln)))
    kept, dropped = drop_mark_glyphs(lines, marks)
    return replace(page, lines=tuple(kept)), [
        *(Repair("pill-words.v1", words, pill, page.page) for words, pill in lost),
        *(Repair("mark-glyph.v1", glyph, "", page.page) for glyph in glyphs + dropped)]


LETTER_TEXT = ("place", "sender_org", "sender_role", "recipient", "recipient_org",
               "recipient_address", "subject", "salutation")


def typographic_pages(pages: Sequence[Page]) -> set[int]:
    """The pages that print their apostrophes as `’`. A document prints one form, unless a text
    layer's page says otherwise (a cover letter typed apart from the report it covers: its
    layer holds the form each page prints): `’` when any page OCR read has one (OCR reads a
    `’` as `'` often — 19 of 21 on a page of the stress set —, an `'` as `’` never, so a page
    OCR read never says `'`) or when most apostrophes of the text layers are. Legacy OCR text
    says nothing of the page: whichever engine made it mixed both forms its own way, so its
    titles and letters keep the plain `'` normalisation gives. Normalisation reads both as `'`;
    titles and letters are published with their page's own."""
    layer: dict[int, tuple[int, int]] = {}  # text-layer page -> (its `’`, its `'`)
    for page in pages:
        if page.method == "text-layer":
            texts = [ln.raw_text or ln.text for ln in page.lines]
            layer[page.page] = (sum(t.count("’") for t in texts), sum(t.count("'") for t in texts))
    document = any(p.method == "ocr" and "’" in (ln.raw_text or ln.text)
                   for p in pages for ln in p.lines) or (
        sum(c for c, _p in layer.values()) > sum(p for _c, p in layer.values()))
    told = {page: curly > plain for page, (curly, plain) in layer.items() if curly != plain}
    return {p.page for p in pages if told.get(p.page, document)}


def typographic(text: str | None) -> str | None:
    return text.replace("'", "’") if text else text


def page_lines(pages: Sequence[Page]) -> list[PageLine]:
    items = [(p, ln) for p in pages for ln in p.lines]
    docs = parse_docs([ln.text for _p, ln in items])
    return [PageLine(page=p.page, line=ln, doc=doc, method=p.method)
            for (p, ln), doc in zip(items, docs, strict=True)]


def paragraphs(pages: Sequence[Page]) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for p in pages:
        current: list[str] = []
        for ln in p.lines:
            if ln.para_break and current:
                out.append((p.page, " ".join(current)))
                current = []
            current.append(ln.text)
        if current:
            out.append((p.page, " ".join(current)))
    return _join_broken_sentences(out)


def _join_broken_sentences(paras: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """A paragraph that stops mid-sentence goes on in the next one when that opens in lowercase."""
    joined: list[tuple[int, str]] = []
    for page, text in paras:
        if (joined and joined[-1][0] == page and text[:1].islower()
                and not joined[-1][1].rstrip().endswith((".", "!", "?", ":", "»"))):
            joined[-1] = (page, f"{joined[-1][1]} {text}")
        else:
            joined.append((page, text))
    return joined


def extract_records(pages: Sequence[Page]) -> tuple[Extraction, tuple[Page, ...], tuple[Repair, ...]]:
    """Normalise the pages once, then run every rule family; returns records and normalised pages.

    Statuses are read last: the legend's swatches key the coloured marks kept with each page.
    """
    normalised: list[Page] = []
    repairs: list[Repair] = []
    for page in keyed_greys(pages):
        read, dropped = in_columns(page)
        repairs.extend(dropped)
        new, reps = normalise_page(read)
        normalised.append(replace(new, regions=page.regions))
        repairs.extend(reps)
    lines = page_lines(normalised)
    measures, _announced = extract_measures(lines)
    counts = extract_status_counts(paragraphs(normalised))
    statuses = assign_statuses(measures, normalised, extract_legend(lines))
    measures = apply_statuses(measures, statuses.readings)
    measures = [replace(m, position=i) for i, m in enumerate(measures, start=1)]
    letters = []
    by_page: dict[int, list[PageLine]] = {}
    for pl in lines:  # one pass: linear in pages
        by_page.setdefault(pl.page, []).append(pl)
    for page in normalised:
        letter = extract_letter(by_page.get(page.page, []))
        if letter is not None:
            letters.append(letter)
    curly = typographic_pages(pages)
    measures = [replace(m, title=typographic(m.title)) if m.page in curly else m
                for m in measures]
    letters = [replace(lt, **{f: typographic(getattr(lt, f)) for f in LETTER_TEXT})
               if lt.page in curly else lt for lt in letters]
    kind = ("report+letter" if measures and letters else "report" if measures
            else "letter" if letters else "text" if pages and pages[0].method == "legacy-text"
            else "unknown")
    extraction = Extraction(kind=kind, measures=tuple(measures), status_counts=tuple(counts),
                            legend=tuple(statuses.legend), letters=tuple(letters),
                            marks_seen=statuses.marks.seen, marks_tied=statuses.marks.tied,
                            checks=tuple(check_status_counts(measures, counts)),
                            report=describe_report([(p.page, p.text) for p in normalised], letters))
    return extraction, tuple(normalised), tuple(repairs)


def read_pages(source: SourceDocument, settings: OcrSettings = DEFAULT_OCR,
               on_page: Callable[[Page], None] | None = None) -> list[Page]:
    """All pages of a document, one after the other (the flow runs them in parallel instead)."""
    if source.file_type == "text":
        return read_legacy_text(source)
    pages = []
    for job in plan_pages(source):
        page, _image = read_page(job, settings)
        pages.append(page)
        if on_page:
            on_page(page)
    return pages


def result_for(source: SourceDocument, pages: Sequence[Page]) -> DocumentResult:
    """Extraction over read pages; a document with no readable page is quarantined."""
    readable = [p for p in pages if p.error is None]
    if not readable:
        reasons = "; ".join(sorted({p.error for p in pages if p.error})) or "no pages"
        return DocumentResult(source=source, state="quarantined", pages=tuple(pages),
                              error=f"{source.source_name}: no page could be read ({reasons}); "
                                    "check the file opens in a viewer, then re-scan it.")
    extraction, normalised, repairs = extract_records(readable)
    by_no = {p.page: p for p in normalised}
    merged = tuple(by_no.get(p.page, p) for p in pages)
    return DocumentResult(source=source, state="published", pages=merged, extraction=extraction,
                          repairs=repairs)


def process_file(path: str, source_name: str | None = None,
                 settings: OcrSettings = DEFAULT_OCR) -> DocumentResult:
    """One file end to end, for notebooks and tests: never raises for a bad input."""
    from pathlib import Path

    try:
        source = read_source(Path(path), source_name)
    except InputRejected as exc:
        stub = SourceDocument(doc_id="", path=str(path), source_name=source_name or str(path),
                              file_type="unknown", size=0)
        return DocumentResult(source=stub, state="quarantined", error=str(exc))
    try:
        pages = read_pages(source, settings)
    except InputRejected as exc:
        return DocumentResult(source=source, state="quarantined", error=str(exc))
    return result_for(source, pages)
