"""From a document's read pages to its result: the changed-while-read check (the one other hash
of an input), the limits on its text, its records extracted; the extractors loaded once."""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from pathlib import Path

from extractors.sources import check_unchanged, printable_name
from flows.pipeline.isolation import describe_error
from flows.pipeline.limits import text_problem
from models.errors import InputRejected
from models.records import DocumentResult, Page, SourceDocument


def quarantined(source: SourceDocument, reason: str) -> DocumentResult:
    """The result of a document that is not published, with why (one printable sentence)."""
    return DocumentResult(source=source, state="quarantined", error=printable_name(reason))


def stub_source(path: Path, name: str) -> SourceDocument:
    """A stand-in for an input that could not be hashed: its id comes from its name."""
    try:
        size = path.lstat().st_size if path.is_file() else 0
    except OSError:
        size = 0
    digest = hashlib.sha256(name.encode("utf-8", "backslashreplace")).hexdigest()[:16]
    return SourceDocument(doc_id=f"unreadable-{digest}", path=str(path), source_name=name,
                          file_type="unknown", size=size)


def finish_document(source: SourceDocument, pages: Sequence[Page]) -> DocumentResult:
    """Records from a document's read pages, once its bytes are known not to have changed.

    The file is hashed again here, once, after its pages are read: a copy still in progress
    is quarantined with what to do. An extraction that fails (a bug) quarantines this
    document only, with a sentence asking for a report. Never raises.
    """
    try:
        check_unchanged(source)
    except InputRejected as exc:
        return quarantined(source, str(exc))
    from extractors.document import result_for  # not at import: the readers never load the rules

    refused = text_problem(source, pages)
    if refused is not None:
        return quarantined(source, refused)
    try:
        return result_for(source, sorted(pages, key=lambda p: p.page))
    except Exception as exc:  # noqa: BLE001 (a bug in the rules must not stop the run)
        return quarantined(source, f"{source.source_name}: extracting its records failed "
                                   f"({describe_error(exc)}); this is a bug: report it with the file.")


def load_extractors() -> None:
    """Load what every extraction needs, once: the tokenizer, the matchers, the French word
    list with its accent index, and the date parser's French data."""
    from extractors.letters import parse_french_date
    from extractors.rules import RULES, matcher, nlp
    from extractors.spelling import repair_accents

    nlp()
    for name in RULES:
        matcher(name)
    repair_accents("eleve")  # builds the word list and its index of unaccented forms
    parse_french_date("1 janvier 2000")


class ExtractorLoading:
    """`load_extractors` in a background thread (while Prefect's server boots and pages are
    read); the first extraction waits for it instead of loading the same caches itself."""

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=load_extractors, name="load-extractors",
                                            daemon=True)
            self._thread.start()

    def wait(self) -> None:
        """Return once a loading begun is done (at once when none was begun)."""
        if self._thread is not None:
            self._thread.join()
