"""The ingest flow: find inputs, read their pages in parallel, extract records, publish a release."""
from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, task
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner
from tqdm import tqdm

from extractors.document import pipeline_version, result_for
from extractors.ocr import OcrSettings
from extractors.pages import PageJob, plan_pages, read_legacy_text, read_page
from extractors.sources import find_inputs, read_source
from flows.pagecache import PageCache
from flows.publish import acquire_lock, check_writable, publish_release, read_release
from flows.tables import frames_from_results, merge_frames
from models.errors import InputRejected
from models.records import DocumentResult, Page, SourceDocument

log = logging.getLogger("missions")


@dataclass
class RunSummary:
    """What a run did, for the log line, the exit code and the tests."""

    new: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    quarantined: list[tuple[str, str]] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    pages_read: int = 0
    pages_cached: int = 0
    seconds: float = 0.0
    release: str | None = None

    def line(self) -> str:
        return (f"{len(self.new)} new, {len(self.unchanged)} unchanged, "
                f"{len(self.quarantined)} quarantined, {len(self.duplicates)} duplicate, "
                f"{len(self.ignored)} ignored; pages: {self.pages_read} read, "
                f"{self.pages_cached} from cache; {self.seconds:.1f} s")


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


@task(name="read-page", retries=0)
def read_page_task(job: PageJob, settings: OcrSettings, cache_dir: str) -> Page:
    """OCR or text-layer read of one page; the result goes to the page cache."""
    page, _image = read_page(job, settings)
    PageCache(Path(cache_dir)).put(job.doc_id, job.page_no, f"{job.how}-{settings.key()}", page)
    return page


def _known_documents(previous: dict, version: str) -> dict[str, str]:
    docs = previous.get("documents")
    if docs is None or docs.empty:
        return {}
    same = docs[docs["pipeline_version"] == version]
    return dict(zip(same["doc_id"], same["state"], strict=True))


def _quarantine(source: SourceDocument, reason: str) -> DocumentResult:
    return DocumentResult(source=source, state="quarantined", error=reason)


def discover(paths: Sequence[Path], known: dict[str, str], summary: RunSummary
             ) -> tuple[list[SourceDocument], list[DocumentResult]]:
    """Sources to read and inputs already quarantined; every file is counted in `summary`."""
    sources: list[SourceDocument] = []
    rejected: list[DocumentResult] = []
    seen: dict[str, str] = {}
    for path, name, ignored in find_inputs(paths):
        if ignored:
            summary.ignored.append(name)
            continue
        try:
            source = read_source(path, name)
        except InputRejected as exc:
            stub = SourceDocument(doc_id=_stub_id(name), path=str(path), source_name=name,
                                  file_type="unknown", size=path.stat().st_size if path.exists() else 0)
            rejected.append(_quarantine(stub, str(exc)))
            summary.quarantined.append((name, str(exc)))
            continue
        if source.doc_id in seen:
            summary.duplicates.append((name, seen[source.doc_id]))
            continue
        seen[source.doc_id] = name
        state = known.get(source.doc_id)
        if state == "published":
            summary.unchanged.append(name)
        elif state == "quarantined":
            summary.quarantined.append((name, "quarantined by an earlier run (see documents.error)"))
        else:
            sources.append(source)
    return sources, rejected


def _stub_id(name: str) -> str:
    import hashlib

    return "unreadable-" + hashlib.sha256(name.encode()).hexdigest()[:16]


def read_documents(sources: list[SourceDocument], settings: OcrSettings, out: Path, workers: int,
                   summary: RunSummary) -> list[DocumentResult]:
    """Plan every page, serve what the cache has, OCR the rest in parallel, extract per document."""
    cache = PageCache(out)
    jobs: list[PageJob] = []
    pages: dict[str, list[Page]] = {}
    results: list[DocumentResult] = []
    for source in sources:
        try:
            if source.file_type == "text":
                pages[source.doc_id] = read_legacy_text(source)
                continue
            doc_jobs = plan_pages(source)
        except InputRejected as exc:
            results.append(_quarantine(source, str(exc)))
            summary.quarantined.append((source.source_name, str(exc)))
            continue
        except OSError as exc:
            reason = f"{source.source_name}: cannot be read ({exc.strerror or exc}); check the file."
            results.append(_quarantine(source, reason))
            summary.quarantined.append((source.source_name, reason))
            continue
        pages[source.doc_id] = []
        for job in doc_jobs:
            hit = cache.get(job.doc_id, job.page_no, f"{job.how}-{settings.key()}")
            if hit is not None:
                pages[source.doc_id].append(hit)
                summary.pages_cached += 1
            else:
                jobs.append(job)
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
            if not bar.disable:
                continue
            log.info("read %s page %d (%s)", job.path, job.page_no, page.error or page.method)
        bar.close()
    for source in sources:
        if source.doc_id not in pages:
            continue
        doc_pages = sorted(pages[source.doc_id], key=lambda p: p.page)
        result = result_for(source, doc_pages)
        results.append(result)
        if result.state == "quarantined":
            summary.quarantined.append((source.source_name, result.error or ""))
        else:
            summary.new.append(source.source_name)
    return results


@flow(name="missions-ingest", persist_result=False, log_prints=False)
def ingest_flow(paths: list[str], out: str, workers: int | None = None) -> RunSummary:
    """Ingest files and folders into the release in `out`; returns what was done."""
    started = time.perf_counter()
    summary = RunSummary()
    out_dir = check_writable(out)
    settings = OcrSettings()
    version = pipeline_version()
    with acquire_lock(out_dir):
        previous = read_release(out_dir)
        sources, rejected = discover([Path(p) for p in paths], _known_documents(previous, version),
                                     summary)
        results = rejected + read_documents(sources, settings, out_dir, workers or default_workers(),
                                            summary)
        if results:
            ingested_at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
            frames = merge_frames(previous, frames_from_results(results, version, ingested_at))
            release = publish_release(out_dir, frames, version,
                                      {"ocr_settings": settings.key()})
            summary.release = str(release)
    summary.seconds = time.perf_counter() - started
    return summary


def run_ingest(paths: list[str], out: str, workers: int | None = None) -> RunSummary:
    """Run the flow with a task runner bounded to `workers` threads (one tesseract per core)."""
    n = workers or default_workers()
    configured = ingest_flow.with_options(task_runner=ThreadPoolTaskRunner(max_workers=n))
    return configured(paths=paths, out=out, workers=n)
