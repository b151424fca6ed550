"""The ingest flow: find inputs, read their pages in isolated workers, extract records, publish a release."""
from __future__ import annotations

import logging
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from prefect import flow, task
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner
from tqdm import tqdm

from extractors.document import pipeline_version
from extractors.marks import unread_statuses_note
from extractors.ocr import OcrSettings, has_osd
from extractors.pages import PageJob
from extractors.sources import printable_name, read_source, scan_inputs
from flows import early, warmup
from flows.early import Known, known_documents
from flows.pipeline.executors import default_workers, make_task_runner
from flows.pipeline.isolation import (
    PlanOutcome,
    failed_page,
    finish_document,
    opens_inline,
    process_reader,
    quarantined,
    reader_for_run,
    stub_source,
)
from flows.pipeline.pagecache import PageCache, geometry_key
from flows.release.history import supersede
from flows.release.layout import (
    REPORT_CACHE,
    FolderLock,
    check_writable,
    held_or_acquired,
    read_release,
)
from flows.release.publish import publish_release
from flows.release.tables import frame_from_rows, frames_from_results, merge_frames
from flows.release.verify import ensure_release
from flows.report.crops import cut_ahead
from flows.report.render import report_writer
from models.errors import InputRejected, NotARegularFile
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
    page_errors: list[tuple[str, int, str]] = field(default_factory=list)  # name, page, why
    pages_read: int = 0
    pages_cached: int = 0
    seconds: float = 0.0
    release: str | None = None

    def line(self) -> str:
        return (f"{len(self.new)} new, {len(self.unchanged)} unchanged, "
                f"{len(self.quarantined)} quarantined, {len(self.duplicates)} duplicate, "
                f"{len(self.ignored)} ignored; pages: {self.pages_read} read, "
                f"{self.pages_cached} from cache; {self.seconds:.1f} s")


@task(name="read-page", retries=0)
def read_page_task(job: PageJob, settings: OcrSettings, cache_dir: str) -> Page:
    """Read one page in the isolated pool (this thread only waits); the result goes to the cache,
    with the page's view for the report's crops.

    Never raises: a page that cannot be read comes back with its `error`, so one page never
    fails the flow.
    """
    view: bytes | None = None
    reads = early.current()
    begun = reads.take(job) if reads is not None else None
    try:
        page, view = begun.result() if begun is not None else process_reader().read_with_view(
            job, settings)
    except Exception as exc:  # noqa: BLE001 (a bug here must cost one page, not the run)
        page = failed_page(job, f"page {job.page_no} could not be read ({type(exc).__name__}: "
                                f"{exc}); run again with -v and report it")
    if page.error is None:
        cache = PageCache(Path(cache_dir))
        try:
            cache.put(job.doc_id, job.page_no, job.cache_key(settings), page)
            if view is not None:
                cache.put_view(job.doc_id, job.page_no, geometry_key(
                    page.width_px or 0, page.height_px or 0, page.dpi or 0,
                    page.skew_degrees or 0.0, page.rotation or 0), view)
        except OSError:
            pass  # a cache that cannot be written only costs time on the next run
    return page


@dataclass
class Discovery:
    """What the inputs turned out to be: files to read, files refused, every name seen."""

    sources: list[SourceDocument] = field(default_factory=list)
    rejected: list[DocumentResult] = field(default_factory=list)
    names: list[tuple[str, str]] = field(default_factory=list)  # (doc_id, source_name)


def discover(paths: Sequence[Path], known: Known, summary: RunSummary) -> Discovery:
    """Sources to read and inputs refused; every entry found is counted in `summary`.

    An input refused exactly as the current release already records it is counted as
    quarantined but not re-published.
    """
    found = Discovery()
    seen: dict[str, str] = {}
    for entry in scan_inputs(paths):
        if entry.ignored:
            summary.ignored.append(entry.name)
            continue
        try:
            if entry.problem is not None:
                raise NotARegularFile(entry.problem)
            source = read_source(entry.path, entry.name)
        except InputRejected as exc:
            result = quarantined(stub_source(entry.path, entry.name), str(exc))
            found.names.append((result.source.doc_id, entry.name))
            summary.quarantined.append((entry.name, _why(entry.name, result.error)))
            if known.get(result.source.doc_id) != ("quarantined", result.error):
                found.rejected.append(result)
            continue
        found.names.append((source.doc_id, entry.name))
        if source.doc_id in seen:
            summary.duplicates.append((entry.name, seen[source.doc_id]))
            continue
        seen[source.doc_id] = entry.name
        state = known.get(source.doc_id, (None, None))[0]
        if state == "published":
            summary.unchanged.append(entry.name)
        elif state == "quarantined":
            summary.quarantined.append((entry.name, "quarantined by an earlier run (see documents.error)"))
        else:
            found.sources.append(source)
    return found


def _plans(sources: list[SourceDocument]) -> list[PlanOutcome]:
    """How each file opened: from the reads begun before the flow, else opened now."""
    begun = early.current()
    if begun is not None:
        begun.settled()
    have = {s.doc_id: o for s in sources if begun is not None
            and (o := begun.plan(s.doc_id)) is not None}
    missing = [s for s in sources if s.doc_id not in have]
    if missing:
        reader = process_reader(warm=not all(opens_inline(s) for s in missing))
        have |= dict(zip((s.doc_id for s in missing), reader.plan_all(missing),
                         strict=True))
    return [have[s.doc_id] for s in sources]


def read_documents(sources: list[SourceDocument], settings: OcrSettings, out: Path,
                   summary: RunSummary) -> list[DocumentResult]:
    """Open every file in the isolated pool, serve what the page cache has, read the rest in
    parallel, and extract each document as soon as its last page is in (while the others are
    still being read). Every source comes back published or quarantined."""
    cache = PageCache(out)
    jobs: list[PageJob] = []
    pages: dict[str, list[Page]] = {}
    waiting: dict[str, int] = {}  # doc_id -> pages still being read
    results: list[DocumentResult] = []
    by_id = {s.doc_id: s for s in sources}

    def finish(source: SourceDocument) -> None:
        warmup.ready()  # the rules, when the CLI began loading them in the background
        result = finish_document(source, pages[source.doc_id])
        results.append(result)
        if result.state == "quarantined":
            summary.quarantined.append((source.source_name, _why(source.source_name, result.error)))
            return
        summary.new.append(source.source_name)
        try:
            cut_ahead(result, out, out / REPORT_CACHE)
        except Exception:
            log.debug("crops of %s not cut ahead", source.source_name, exc_info=True)
        for page in result.pages:
            if page.error:
                summary.page_errors.append((source.source_name, page.page, page.error))
                log.warning("%s: page %d was not read: %s", source.source_name, page.page, page.error)
        note = unread_statuses_note(result.extraction)
        if note:
            log.warning("%s: %s", source.source_name, note)

    for source, outcome in zip(sources, _plans(sources), strict=True):
        if outcome.error is not None:
            result = quarantined(source, outcome.error)
            results.append(result)
            summary.quarantined.append((source.source_name, _why(source.source_name, result.error)))
            continue
        pages[source.doc_id] = list(outcome.pages)
        waiting[source.doc_id] = 0
        for job in outcome.jobs:
            hit = cache.get(job.doc_id, job.page_no, job.cache_key(settings))
            if hit is not None:
                pages[source.doc_id].append(hit)
                summary.pages_cached += 1
            else:
                jobs.append(job)
                waiting[source.doc_id] += 1
    for doc_id in [d for d, n in waiting.items() if n == 0]:
        finish(by_id[doc_id])
    if jobs:
        futures = [read_page_task.submit(job, settings, str(out)) for job in jobs]
        owner = {id(f): job for f, job in zip(futures, jobs, strict=True)}
        bar = tqdm(total=len(jobs), unit="page", desc="OCR", disable=not sys.stderr.isatty(),
                   file=sys.stderr)
        for fut in as_completed(futures):
            job = owner[id(fut)]
            page = fut.result()
            pages[job.doc_id].append(page)
            summary.pages_read += 1
            bar.update(1)
            if bar.disable:
                log.info("read %s page %d (%s)", printable_name(job.path), job.page_no,
                         page.error or page.method)
            waiting[job.doc_id] -= 1
            if waiting[job.doc_id] == 0:
                finish(by_id[job.doc_id])
        bar.close()
    order = {s.doc_id: i for i, s in enumerate(sources)}
    return sorted(results, key=lambda r: order.get(r.source.doc_id, len(order)))


def _why(name: str, error: str | None) -> str:
    """The reason without the file name it opens with (the summary pairs it with the name)."""
    return (error or "").removeprefix(f"{name}: ")


def _names_frame(names: Sequence[tuple[str, str]], seen_at: str) -> pd.DataFrame:
    rows = sorted({(doc_id, name, seen_at) for doc_id, name in names})
    return frame_from_rows(table("document_names"), rows)


def _known_names(previous: Mapping[str, pd.DataFrame]) -> set[tuple[str, str]]:
    known: set[tuple[str, str]] = set()
    for name in ("document_names", "documents"):
        frame = previous.get(name)
        if frame is not None and not frame.empty:
            known |= set(zip(frame["doc_id"], frame["source_name"], strict=True))
    return known


@flow(name="missions-ingest", persist_result=False, log_prints=False,
      task_runner=ThreadPoolTaskRunner(max_workers=default_workers()))
def ingest_flow(paths: list[str], out: str, workers: int | None = None,
                lock: FolderLock | None = None) -> RunSummary:
    """Ingest files and folders into the release in `out`; returns what was done."""
    return ingest(paths, out, workers, lock)


def ingest(paths: list[str], out: str, workers: int | None = None,
           lock: FolderLock | None = None) -> RunSummary:
    """The flow's body: page reads go to `read_page_task` (Prefect tasks) when pages need
    reading; a run of legacy text files needs none, so this also runs without Prefect."""
    started = time.perf_counter()
    summary = RunSummary()
    out_dir = check_writable(out)
    settings = OcrSettings()
    version = pipeline_version()
    if settings.orient and not has_osd():
        log.warning("tesseract has no 'osd' data: pages turned sideways or upside down are read "
                    "as they are; install Debian's tesseract-ocr-osd (bash scripts/setup.sh)")
    report = report_writer(out_dir)
    with held_or_acquired(out_dir, lock) as held, reader_for_run(workers or default_workers()):
        ensure_release(out_dir, held, report)  # checked (and repaired) before building on it
        previous = read_release(out_dir)
        found = discover([Path(p) for p in paths], known_documents(previous, version), summary)
        results = found.rejected + read_documents(found.sources, settings, out_dir, summary)
        ingested_at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        docs = previous["documents"]
        states = dict(zip(docs["doc_id"], docs["state"], strict=True))
        states |= {r.source.doc_id: r.state for r in results}
        kept, superseded = supersede(previous, found.names, states, ingested_at)
        new_names = set(found.names) - _known_names(previous)
        if results or new_names or superseded:
            new = frames_from_results(results, version, ingested_at)
            new["document_names"] = _names_frame(found.names, ingested_at)
            release = publish_release(out_dir, merge_frames(kept, new), version,
                                      {"ocr_settings": settings.key()}, report=report, lock=held)
            summary.release = str(release)
    summary.seconds = time.perf_counter() - started
    return summary


def run_ingest(paths: list[str], out: str, workers: int | None = None, runner: str = "threads",
               address: str | None = None, lock: FolderLock | None = None) -> RunSummary:
    """Run the flow with its page work on `runner`: a thread pool bounded to `workers` (one
    tesseract per core, the default) or a Dask cluster (prefect-dask; see flows.pipeline.executors)."""
    n = workers or default_workers()
    configured = ingest_flow.with_options(task_runner=make_task_runner(runner, n, address))
    return configured(paths=paths, out=out, workers=n, lock=lock)
