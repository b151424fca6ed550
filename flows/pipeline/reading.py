"""Reading documents: each file opened in the isolated pool, each page served by the page cache or
read once (the reads may begin before anyone collects them), and each document finished as soon
as its last page is in, while the others are still being read. The one document runner: a run,
the Prefect flow and `read_document` all go through `read_documents`."""
from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tqdm import tqdm

from extractors.ocr import DEFAULT_OCR, OcrSettings
from extractors.pages import PageJob
from extractors.sources import printable_name, read_source
from flows.pipeline.executors import LocalPages, PageExecutor
from flows.pipeline.extraction import finish_document, quarantined, stub_source
from flows.pipeline.isolation import (
    IsolatedReader,
    PlanOutcome,
    describe_error,
    failed_page,
    opens_inline,
)
from flows.pipeline.pagecache import PageCache, geometry_key
from models.errors import InputRejected
from models.records import DocumentResult, Page, SourceDocument

log = logging.getLogger("missions")

PageRead = tuple[Page, bytes | None]  # a page and its view (JPEG) for the report's crops


class PageReads:
    """A reader pool's reads: files opened, and pages read once each — begun ahead of need
    (`begin`, in the background: a run starts reading while Prefect's server boots) or on
    demand (`page`), and handed to whoever collects them."""

    def __init__(self, reader: IsolatedReader, settings: OcrSettings = DEFAULT_OCR,
                 cache: PageCache | None = None) -> None:
        self.reader, self.settings, self.cache = reader, settings, cache
        self._plans: dict[str, PlanOutcome] = {}
        self._pages: dict[PageJob, Future[PageRead]] = {}
        self._guard = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=reader.workers, thread_name_prefix="read")
        self._opening: threading.Thread | None = None
        self._stopped = threading.Event()

    def begin(self, sources: Sequence[SourceDocument]) -> None:
        """Open `sources` and start reading their pages the cache lacks, in the background."""
        self._opening = threading.Thread(target=self._open_and_read, args=(list(sources),),
                                         name="open-files", daemon=True)
        self._opening.start()

    def _open_and_read(self, sources: list[SourceDocument]) -> None:
        try:
            if not all(opens_inline(s) for s in sources):
                self.reader.start()  # its workers import the parsers meanwhile
            # Every file opened first (a few ms each), so the pages queue in file order behind
            # no other work and the collector finds every file opened.
            outcomes = self.reader.plan_all(sources)
            with self._guard:
                self._plans.update((s.doc_id, o) for s, o in zip(sources, outcomes, strict=True))
            for outcome in outcomes:
                for job in outcome.jobs:
                    if self._stopped.is_set():
                        return
                    if self.cached(job) is None:
                        self._read_ahead(job)
        except Exception:
            log.debug("reads begun ahead stopped", exc_info=True)  # the collector does the rest

    def plans(self, sources: Sequence[SourceDocument]) -> list[PlanOutcome]:
        """How each file opened: from the opening begun ahead, else opened now."""
        if self._opening is not None:
            self._opening.join()
        with self._guard:
            have = {s.doc_id: o for s in sources if (o := self._plans.get(s.doc_id)) is not None}
        missing = [s for s in sources if s.doc_id not in have]
        if missing:
            if not all(opens_inline(s) for s in missing):
                self.reader.start()
            have |= dict(zip((s.doc_id for s in missing), self.reader.plan_all(missing),
                             strict=True))
        return [have[s.doc_id] for s in sources]

    def cached(self, job: PageJob) -> Page | None:
        if self.cache is None:
            return None
        return self.cache.get(job.doc_id, job.page_no, job.cache_key(self.settings))

    def _read_ahead(self, job: PageJob) -> None:
        with self._guard:
            if not self._stopped.is_set() and job not in self._pages:
                self._pages[job] = self._pool.submit(self.reader.read_with_view, job,
                                                     self.settings)

    def page(self, job: PageJob) -> Future[PageRead]:
        """The read of this page: the one begun ahead (handed over once), else begun now."""
        with self._guard:
            begun = self._pages.pop(job, None)
            if begun is None:
                if self._stopped.is_set():
                    raise RuntimeError("these reads are closed")
                begun = self._pool.submit(self.reader.read_with_view, job, self.settings)
        return begun

    def keep(self, job: PageJob, page: Page, view: bytes | None) -> None:
        """Keep a page read (and its view) in the page cache; a cache that cannot be written
        only costs time on the next run."""
        if self.cache is None or page.error is not None:
            return
        try:
            self.cache.put(job.doc_id, job.page_no, job.cache_key(self.settings), page)
            if view is not None:
                self.cache.put_view(job.doc_id, job.page_no, geometry_key(
                    page.width_px or 0, page.height_px or 0, page.dpi or 0,
                    page.skew_degrees or 0.0, page.rotation or 0), view)
        except OSError:
            pass

    def close(self) -> None:
        """Cancel the reads not begun; reads under way end with the reader pool."""
        self._stopped.set()
        self._pool.shutdown(wait=False, cancel_futures=True)


Finish = Callable[[SourceDocument, list[Page]], DocumentResult]


def read_documents(sources: Sequence[SourceDocument], reads: PageReads, executor: PageExecutor,
                   finish: Finish = finish_document) -> tuple[list[DocumentResult], int, int]:
    """Every source published or quarantined, in the order given, and how many pages were read
    and how many came from the page cache. `finish` is called on each document as soon as its
    last page is in (the others are still being read)."""
    pages: dict[str, list[Page]] = {}
    waiting: dict[str, int] = {}  # doc_id -> pages still being read
    jobs: list[PageJob] = []
    results: list[DocumentResult] = []
    by_id = {s.doc_id: s for s in sources}
    cached = read = 0
    for source, outcome in zip(sources, reads.plans(sources), strict=True):
        if outcome.error is not None:
            results.append(quarantined(source, outcome.error))
            continue
        pages[source.doc_id] = list(outcome.pages)
        waiting[source.doc_id] = 0
        for job in outcome.jobs:
            hit = reads.cached(job)
            if hit is not None:
                pages[source.doc_id].append(hit)
                cached += 1
            else:
                jobs.append(job)
                waiting[source.doc_id] += 1
    for doc_id in [d for d, n in waiting.items() if n == 0]:
        results.append(finish(by_id[doc_id], pages[doc_id]))
    if jobs:
        futures = [executor.submit(job) for job in jobs]
        owner = {id(f): job for f, job in zip(futures, jobs, strict=True)}
        bar = tqdm(total=len(jobs), unit="page", desc="OCR", disable=not sys.stderr.isatty(),
                   file=sys.stderr)
        for future in executor.as_completed(futures):
            job = owner[id(future)]
            page = _collect(job, future, reads)
            pages[job.doc_id].append(page)
            read += 1
            bar.update(1)
            if bar.disable:
                log.info("read %s page %d (%s)", printable_name(job.path), job.page_no,
                         page.error or page.method)
            waiting[job.doc_id] -= 1
            if waiting[job.doc_id] == 0:
                results.append(finish(by_id[job.doc_id], pages[job.doc_id]))
        bar.close()
    order = {s.doc_id: i for i, s in enumerate(sources)}
    return sorted(results, key=lambda r: order.get(r.source.doc_id, len(order))), read, cached


def _collect(job: PageJob, future: Any, reads: PageReads) -> Page:
    """The page a future holds, kept in the cache. A failure here (a bug) costs this page only."""
    try:
        page, view = future.result()
    except Exception as exc:  # noqa: BLE001 (a bug here must cost one page, not the run)
        return failed_page(job, f"page {job.page_no} could not be read ({describe_error(exc)}); "
                                "run again with -v and report it")
    reads.keep(job, page, view)
    return page


def read_document(path: str | Path, source_name: str | None = None,
                  reader: IsolatedReader | None = None,
                  settings: OcrSettings = DEFAULT_OCR) -> DocumentResult:
    """One file end to end with its parsing in child processes (no page cache, no release);
    never raises for a bad input. The notebook's and the tests' entry to `read_documents`."""
    path = Path(path)
    name = printable_name(source_name or str(path))
    try:
        source = read_source(path, name)
    except InputRejected as exc:
        return quarantined(stub_source(path, name), str(exc))
    own = reader is None
    reader = reader or IsolatedReader(1)
    reads = PageReads(reader, settings)
    try:
        (result,), _read, _cached = read_documents([source], reads, LocalPages(reads))
    finally:
        reads.close()
        if own:
            reader.close()
    return result
