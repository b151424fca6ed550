"""What one document may cost before it is refused: its size, its pages, its lines and characters
of text. Bounded by construction, so no input keeps the run (or this process) for hours."""
from __future__ import annotations

from collections.abc import Sequence

from extractors.pages import MAX_PAGES
from models.records import Page, SourceDocument

__all__ = ["MAX_LINE_CHARS", "MAX_PAGES", "MAX_TEXT_BYTES", "MAX_TEXT_CHARS", "text_problem",
           "too_big"]

MAX_TEXT_BYTES = 16 * 2**20  # a legacy text file over this is refused (split it)
MAX_LINE_CHARS = 100_000  # a line longer than this is not text laid out in lines
MAX_TEXT_CHARS = 16 * 2**20  # characters of text one document may hold (extraction is bounded)


def too_big(source: SourceDocument) -> str | None:
    """Why a file is refused before it is opened (a legacy text over MAX_TEXT_BYTES), or None."""
    if source.file_type == "text" and source.size > MAX_TEXT_BYTES:
        return (f"{source.source_name}: the text file has {source.size:,} bytes, more than the "
                f"{MAX_TEXT_BYTES:,} a legacy text may have; split it into smaller files.")
    return None


def text_problem(source: SourceDocument, pages: Sequence[Page]) -> str | None:
    """Why the text read from a file is refused before its records are extracted (a line or
    a document longer than the rules are made for), or None: bounded work in this process."""
    total = 0
    for page in pages:
        for n, line in enumerate(page.lines, 1):
            total += len(line.text)
            if len(line.text) > MAX_LINE_CHARS:
                return (f"{source.source_name}: line {n} of page {page.page} has "
                        f"{len(line.text):,} characters, more than the {MAX_LINE_CHARS:,} a line "
                        "may have: this is not text laid out in lines; re-export it with its "
                        "line breaks.")
    if total > MAX_TEXT_CHARS:
        return (f"{source.source_name}: the document holds {total:,} characters of text, more "
                f"than the {MAX_TEXT_CHARS:,} a document may have; split it into smaller files.")
    return None
