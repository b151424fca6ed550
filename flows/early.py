"""Reading begun before the flow: while Prefect's server boots (seconds), the new files' pages
are already being read by the run's reader pool; the flow's tasks then collect them.

Each page is still one `read-page` task of the flow: the task takes the read begun for its page
(or, when there is none, reads the page itself). Only for the thread runner, whose reader pool
belongs to this process; Dask runs read in their workers. No Prefect import here.
"""
from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from extractors.ocr import OcrSettings
from extractors.pages import PageJob
from extractors.sources import read_source, scan_inputs
from flows.pipeline.isolation import IsolatedReader, PlanOutcome, opens_inline
from flows.pipeline.pagecache import PageCache
from models.errors import InputRejected
from models.records import Page

log = logging.getLogger("missions")

Known = dict[str, tuple[str, str | None]]  # doc_id -> (state, error) in the current release


def known_documents(previous: Mapping[str, pd.DataFrame], version: str) -> Known:
    """State and error of each document the release holds for this pipeline version."""
    docs = previous.get("documents")
    if docs is None or docs.empty:
        return {}
    same = docs[(docs["pipeline_version"] == version).fillna(False).to_numpy(dtype=bool)]
    errors = [None if e is pd.NA else e for e in same["error"]]
    return {d: (s, e) for d, s, e in zip(same["doc_id"], same["state"], errors, strict=True)}


class EarlyReads:
    """New files opened and their pages handed to the reader, from a background thread.

    `plans` (doc_id -> how the file opened) and the page reads are only a head start: anything
    not begun here is done by the flow as usual, and a failure here is the same failure the
    flow would meet (the same reader, the same functions).
    """

    def __init__(self, reader: IsolatedReader, settings: OcrSettings, out: Path) -> None:
        self.reader, self.settings, self.cache = reader, settings, PageCache(out)
        self.out = out
        self.plans: dict[str, PlanOutcome] = {}
        self._reads: dict[PageJob, Future[tuple[Page, bytes | None]]] = {}
        self._guard = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=reader.workers, thread_name_prefix="early")
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()

    def start(self, paths: Sequence[Path], version: str) -> None:
        self._thread = threading.Thread(target=self._run, args=(paths, version),
                                        name="early-reads", daemon=True)
        self._thread.start()

    def _run(self, paths: Sequence[Path], version: str) -> None:
        try:
            from flows.release.layout import read_release

            known = known_documents(read_release(self.out, only=("documents",)), version)
            seen: set[str] = set()
            sources = []
            for entry in scan_inputs(paths):
                if entry.ignored or entry.problem is not None:
                    continue
                try:
                    source = read_source(entry.path, entry.name)
                except InputRejected:
                    continue  # the flow refuses it again, with its reason
                if source.doc_id not in seen and source.doc_id not in known:
                    seen.add(source.doc_id)
                    sources.append(source)
                    if not opens_inline(source):
                        self.reader.start()  # its workers import the parsers while we hash on
            # Every file opened first (a few ms each), so the pages queue in file order behind
            # no other work and the flow finds every plan ready.
            outcomes = self.reader.plan_all(sources)
            with self._guard:
                self.plans.update((s.doc_id, o) for s, o in zip(sources, outcomes, strict=True))
            for outcome in outcomes:
                for job in outcome.jobs:
                    if self._stopped.is_set():
                        return
                    if self.cache.get(job.doc_id, job.page_no, job.cache_key(self.settings)) is None:
                        self._submit(job)
        except Exception:
            log.debug("early reads stopped", exc_info=True)

    def _submit(self, job: PageJob) -> None:
        with self._guard:
            if self._stopped.is_set():
                return
            self._reads[job] = self._pool.submit(self.reader.read_with_view, job, self.settings)

    def settled(self) -> None:
        """Wait until every file has been opened (pages may still be being read)."""
        if self._thread is not None:
            self._thread.join()

    def plan(self, doc_id: str) -> PlanOutcome | None:
        with self._guard:
            return self.plans.get(doc_id)

    def take(self, job: PageJob) -> Future[tuple[Page, bytes | None]] | None:
        """The read begun for this page, handed over once (None: read it yourself)."""
        with self._guard:
            return self._reads.pop(job, None)

    def stop(self) -> None:
        """Cancel reads not begun; reads under way end with the reader pool."""
        self._stopped.set()
        self._pool.shutdown(wait=False, cancel_futures=True)


_current: EarlyReads | None = None


def current() -> EarlyReads | None:
    return _current


@contextlib.contextmanager
def early_reads(reader: IsolatedReader, settings: OcrSettings, out: Path,
                paths: Sequence[Path], version: str) -> Iterator[EarlyReads]:
    """Begin reading `paths` now; the flow run inside the block collects the reads."""
    global _current
    early = EarlyReads(reader, settings, out)
    early.start(paths, version)
    _current = early
    try:
        yield early
    finally:
        _current = None
        early.stop()
