"""One ingest run, top to bottom: discover (scan the inputs, hash each once, set them against the
release, read once) → read (pages from the page cache or the isolated reader pool) → extract
(each document as soon as its last page is in) → assemble (the cumulative tables) → publish.

`IngestRun` owns everything a run holds — the output folder's lock, the release it builds on,
the reader pool, the page cache, the discovery — and no module holds any of it: the CLI, the
Prefect flow (flows.orchestration.flow), `missions serve` and a notebook drive the same object.
"""
from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

import pandas as pd

from extractors.document import pipeline_version
from extractors.marks import unread_statuses_note
from extractors.ocr import OcrSettings, has_osd
from flows.corrections.overlay import corrected_frames, machine_frames
from flows.corrections.store import read_store
from flows.pipeline.archive import build_archive
from flows.pipeline.discover import (
    Discovery,
    Input,
    Known,
    compare,
    folders_read,
    known_names,
    scan,
    why,
)
from flows.pipeline.executors import LocalPages, PageExecutor, default_workers
from flows.pipeline.extraction import ExtractorLoading, finish_document
from flows.pipeline.isolation import IsolatedReader
from flows.pipeline.pagecache import PageCache
from flows.pipeline.reading import PageReads, read_documents
from flows.release.history import supersede, withdraw
from flows.release.layout import (
    ARCHIVE_CACHE,
    REPORT_CACHE,
    FolderLock,
    StrPath,
    acquire_lock,
    check_writable,
    current_release,
    release_frames,
)
from flows.release.publish import ReportWriter, archive_names, publish_release
from flows.release.tables import empty_frames, frame_from_rows, frames_from_results, merge_frames
from flows.release.verify import Examined, ensure_release, examine
from flows.report.crops import cut_ahead
from flows.report.render import report_writer
from models.errors import MissionsError, ReleaseDamaged
from models.records import DocumentResult, Page, SourceDocument
from models.schema import table

log = logging.getLogger("missions")


@dataclass
class RunSummary:
    """What a run did, for the log line, the exit code and the tests."""

    new: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    quarantined: list[tuple[str, str]] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (name, why ignored) to say
    earlier: list[str] = field(default_factory=list)  # quarantines an earlier run recorded
    left: dict[str, str] = field(default_factory=dict)  # names that left the release: why
    page_errors: list[tuple[str, int, str]] = field(default_factory=list)  # name, page, why
    pages_read: int = 0
    pages_cached: int = 0
    seconds: float = 0.0
    release: str | None = None

    def line(self, nothing_new: bool = False) -> str:
        quiet = " (nothing new: no flow run, no new release)" if nothing_new else ""
        fresh = len(self.new_quarantines())
        which = ("" if not self.quarantined or fresh == len(self.quarantined)
                 else f" ({fresh} new)" if fresh else " (all from earlier runs)")
        left = f", {len(self.left)} gone" if self.left else ""
        return (f"{len(self.new)} new, {len(self.unchanged)} unchanged, "
                f"{len(self.quarantined)} quarantined{which}, {len(self.duplicates)} duplicate, "
                f"{len(self.ignored)} ignored{left}; pages: {self.pages_read} read, "
                f"{self.pages_cached} from cache; {self.seconds:.1f} s{quiet}")

    def new_quarantines(self) -> list[tuple[str, str]]:
        """Quarantines this run made (not the ones an earlier run recorded, still there)."""
        earlier = set(self.earlier)
        return [(n, w) for n, w in self.quarantined if n not in earlier]


@dataclass(frozen=True)
class Base:
    """The release a run builds on, read once: its folder (None before the first release), its
    tables, and its health check."""

    release: Path | None
    frames: Mapping[str, pd.DataFrame]
    examined: Examined | None = None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class IngestRun:
    """One run into the release folder `out` (see the module's docstring). Use it as a context
    manager: leaving it releases the lock and stops the reader pool."""

    def __init__(self, out: StrPath, settings: OcrSettings | None = None,
                 workers: int | None = None) -> None:
        self.out = check_writable(out)
        self.settings = settings or OcrSettings()
        self.workers = workers or default_workers()
        self.version = pipeline_version()
        self.summary = RunSummary()
        self.reader = IsolatedReader(self.workers)  # its processes start on first use
        self.reads = PageReads(self.reader, self.settings, PageCache(self.out))
        self.found: Discovery | None = None
        self.nothing_new = False  # every input is in the release as it is: nothing to publish
        self.results: list[DocumentResult] = []
        self.lock: FolderLock | None = None
        self._base: Base | None = None
        self._paths: dict[str, Path] = {}  # doc_id -> where this run found those bytes
        self._folders: list[str] = []  # names of the folders read: the inbox as it is now
        self._extractors = ExtractorLoading()
        self._exit = contextlib.ExitStack()
        self._started = time.perf_counter()

    def __reduce__(self) -> tuple[type[RunElsewhere], tuple[str]]:
        """Sent to another process (Prefect sends the flow, whose body holds its run, to Dask
        workers with each page task), a run arrives as what it is there: a run of another
        process, which the worker never calls."""
        return RunElsewhere, (str(self.out),)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the reads, the reader pool, and release the lock."""
        self.reads.close()
        self.reader.close()
        self._exit.close()

    # ------------------------------------------------------------------ the run, top to bottom

    def ingest(self, paths: Iterable[StrPath]) -> RunSummary:
        """The whole run here, with no orchestration (a notebook, the tests)."""
        self.discover(paths)
        self.read(LocalPages(self.reads))
        self.publish()
        return self.finish()

    def discover(self, paths: Iterable[StrPath]) -> Discovery:
        """Scan the inputs, hash each once, and set them against the release, read once.

        When every input is already in a sound release as it is, nothing will be written:
        `nothing_new` is set and no lock is taken. Otherwise the folder's lock is held from
        here to `close`, the release is checked (and repaired) under it, and read again only
        if that changed it.
        """
        roots = [Path(p) for p in paths]
        inputs = scan(roots, [self.out])
        self._folders = folders_read(roots)
        self._paths = {i.source.doc_id: i.path for i in inputs if i.source is not None}
        base = self._sound_release()
        if base is not None:
            found = self._compare(inputs, base)
            # nothing to change: every input already in the release as it is, or no release
            # and no document to make one of (an empty inbox)
            if self._changes(found, base.frames, [], "") is None:
                self.nothing_new = True
                self._base = base
                return found
        self.lock = self._exit.enter_context(acquire_lock(self.out))
        health = ensure_release(self.out, self.lock, self._report(),
                                examined=base.examined if base else None)
        if base is None or health.release != base.release:
            base = Base(health.release, release_frames(health.release) if health.release
                        else empty_frames())
            found = self._compare(inputs, base)
        self._base = base
        return found

    def begin_reading(self) -> None:
        """Open the new files and start reading their pages now, in the background (the reads
        are collected by `read`): reading starts before Prefect's server is up."""
        if self.found is not None:
            self.reads.begin(self.found.sources)

    def load_extractors(self) -> None:
        """Load the rules in the background while pages are read (the first extraction waits)."""
        self._extractors.start()

    def read(self, executor: PageExecutor | None = None) -> list[DocumentResult]:
        """Read every new document (pages on `executor`, the reader pool by default) and
        extract each as soon as its last page is in; refused inputs join the results."""
        found = self._discovered()
        if found.sources and self.settings.orient and not has_osd():
            log.warning("tesseract has no 'osd' data: pages turned sideways or upside down are "
                        "read as they are; install Debian's tesseract-ocr-osd "
                        "(bash scripts/setup.sh)")
        results, read, cached = read_documents(found.sources, self.reads,
                                               executor or LocalPages(self.reads), self._extract)
        self.summary.pages_read += read
        self.summary.pages_cached += cached
        for result in results:
            name = result.source.source_name
            if result.state == "published":
                self.summary.new.append(name)
            else:
                self.summary.quarantined.append((name, why(name, result.error)))
        self.results = found.rejected + results
        return self.results

    def assemble(self) -> dict[str, pd.DataFrame] | None:
        """The cumulative tables: this run's documents and names beside what the release holds
        (versions this run's files replace moved to `superseded`), with the corrections of
        DIR/corrections/ applied again over the machine's reading (flows/corrections); None when
        nothing changed."""
        found, base = self._discovered(), self._base
        assert base is not None
        ingested_at = _now()
        changes = self._changes(found, machine_frames(base.frames), self.results, ingested_at)
        if changes is None:
            return None
        new = frames_from_results(self.results, self.version, ingested_at)
        new["document_names"] = frame_from_rows(
            table("document_names"), sorted({(d, n, ingested_at) for d, n in found.names}))
        return corrected_frames(merge_frames(changes, new), read_store(self.out, strict=False),
                                series_set=True)

    def publish(self) -> Path | None:
        """Publish the assembled tables as a new release (under the run's lock), if anything
        changed; the release folder, or None."""
        frames = self.assemble()
        if frames is None:
            return None
        assert self.lock is not None  # taken by `discover` whenever something can change
        release = publish_release(self.out, frames, self.version,
                                  {"ocr_settings": self.settings.key()}, report=self._report(),
                                  lock=self.lock, archive=self._archive(frames))
        self.summary.release = str(release)
        return release

    def finish(self) -> RunSummary:
        """What the run did, timed from its start to now."""
        self.summary.seconds = time.perf_counter() - self._started
        return self.summary

    # ------------------------------------------------------------------ its parts

    def _sound_release(self) -> Base | None:
        """The current release and its tables when it matches its manifest (read without the
        lock: publishing swaps releases atomically); None when it must be checked and repaired
        under the lock first."""
        try:
            release = current_release(self.out)
        except MissionsError:
            return None  # .current missing or dangling: repaired (or refused) under the lock
        if release is None:
            return Base(None, empty_frames())
        examined = examine(release)
        if examined.bad:
            return None
        try:
            return Base(release, release_frames(release), examined)
        except ReleaseDamaged:
            return None

    def _compare(self, inputs: Sequence[Input], base: Base) -> Discovery:
        found = compare(inputs, Known.of(base.frames, self.version), self._folders)
        self.found = found
        self.summary.unchanged = list(found.unchanged)
        self.summary.quarantined = list(found.quarantined)
        self.summary.duplicates = list(found.duplicates)
        self.summary.ignored = list(found.ignored)
        self.summary.notes = list(found.notes)
        self.summary.earlier = list(found.earlier)
        self.summary.left = dict(found.gone)
        return found

    def _changes(self, found: Discovery, frames: Mapping[str, pd.DataFrame],
                 results: Sequence[DocumentResult], when: str) -> dict[str, pd.DataFrame] | None:
        """The release's tables without the versions this run's files replace, or None when the
        run changes nothing: no document read or refused anew, no new name, nothing replaced."""
        docs = frames["documents"]
        states = dict(zip(docs["doc_id"], docs["state"], strict=True))
        states |= {r.source.doc_id: r.state for r in results}
        kept, superseded = supersede(frames, found.names, states, when)
        kept, withdrawn = withdraw(kept, found.gone, when)
        new_names = set(found.names) - known_names(frames)
        if not (results or found.sources or found.rejected or new_names or superseded
                or withdrawn):
            return None
        return kept

    def _extract(self, source: SourceDocument, pages: list[Page]) -> DocumentResult:
        """A document whose pages are all in: extracted; its crops cut ahead for the report and
        its unread pages and statuses said, while the other documents are still being read."""
        self._extractors.wait()  # the rules, when loading began in the background
        result = finish_document(source, pages)
        if result.state != "published":
            return result
        name = source.source_name
        try:
            result = build_archive(result, Path(source.path), self.out)
        except Exception as exc:  # noqa: BLE001 (its files are extras: the rows still publish)
            log.warning("%s: its PDF/A and ALTO files were not made (%s)", name, exc)
        try:
            cut_ahead(result, self.out, self.out / REPORT_CACHE)
        except Exception:
            log.debug("crops of %s not cut ahead", name, exc_info=True)
        for page in result.pages:
            if page.error:
                self.summary.page_errors.append((name, page.page, page.error))
                log.warning("%s: page %d was not read: %s", name, page.page, page.error)
        note = unread_statuses_note(result.extraction)
        if note:
            log.warning("%s: %s", name, note)
        return result

    def _archive(self, frames: Mapping[str, pd.DataFrame]) -> dict[str, Path]:
        """Each archival file the tables name → the file to publish: built by this run (in
        DIR/.cache/archive), else carried from the release it builds on (not made again)."""
        built = {n for r in self.results for n in r.archive}
        previous = self._base.release if self._base else None
        return {n: self.out / ARCHIVE_CACHE / n if n in built or previous is None else previous / n
                for n in archive_names(frames)}

    def _report(self) -> ReportWriter:
        """The QA report's writer, which knows where this run found each document's file."""
        added = frozenset(r.source.doc_id for r in self.results)
        return report_writer(self.out, self._paths, added)

    def _discovered(self) -> Discovery:
        if self.found is None:
            raise RuntimeError("discover() comes first")
        return self.found


@dataclass(frozen=True)
class RunElsewhere:
    """An IngestRun seen from another process: its lock, reader pool and release stay with
    the process that started it."""

    out: str


def ingest(paths: Iterable[StrPath], out: StrPath, workers: int | None = None) -> RunSummary:
    """A whole run with no orchestration (`IngestRun.ingest`): a notebook's, the tests'."""
    with IngestRun(out, workers=workers) as run:
        return run.ingest(paths)
