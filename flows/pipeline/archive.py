"""A document's archival files built as soon as it is extracted (its PDF/A and the ALTO of its
OCR'd pages), under DIR/.cache/archive, from its read pages: no second OCR pass."""
from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from extractors.alto import alto_problems, for_source
from extractors.pdfa import NotArchivable, searchable_pdfa
from flows.pipeline.pagecache import write_atomically
from flows.release.layout import ARCHIVE_CACHE, alto_name, pdfa_name
from models.records import DocumentResult

log = logging.getLogger("missions")


def build_archive(result: DocumentResult, path: Path, out: Path) -> DocumentResult:
    """The result with `archive` naming the files built for it under DIR/.cache/archive (the
    names they take in the release): the ALTO of each OCR'd page (checked against the ALTO 4.2
    schema) and, when a page was read by OCR, the document's searchable PDF/A-2b. A file that
    cannot be made is said and left out (its path column stays NULL); never raises for it."""
    if result.state != "published" or not any(p.text_pdf for p in result.pages):
        return result
    root, source = out / ARCHIVE_CACHE, result.source
    names: list[str] = []
    for page in result.pages:
        if page.alto is None:
            continue
        alto = for_source(page.alto, source.source_name, page.page)
        problems = alto_problems(alto)
        if problems:
            log.warning("%s: page %d: its ALTO is not valid ALTO 4.2 (%s); not published",
                        source.source_name, page.page, problems[0])
            continue
        write_atomically(root / alto_name(source.doc_id, page.page), alto)
        names.append(alto_name(source.doc_id, page.page))
    dest = root / pdfa_name(source.doc_id)
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        searchable_pdfa(path, source.file_type, result.pages, dest,
                        title=Path(source.source_name).stem, source_name=source.source_name)
        names.append(pdfa_name(source.doc_id))
    except NotArchivable as exc:
        log.warning("%s: no searchable PDF/A made: %s", source.source_name, exc)
    return replace(result, archive=tuple(names))
