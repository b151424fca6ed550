"""Parsers in child processes: a warm pool that opens files and reads pages under time and memory limits."""
from __future__ import annotations

import io
import logging
import multiprocessing
import os
import resource
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Self

from pebble import ProcessExpired, ProcessPool

from extractors.ocr import DEFAULT_OCR, PAGE_TIMEOUT_ENV, OcrSettings, page_timeout
from extractors.pages import PageJob, plan_pages, read_legacy_text, read_page
from extractors.sources import printable_name
from flows.pipeline.lifeline import guard_worker
from flows.pipeline.limits import too_big
from models.errors import InputRejected
from models.records import Page, SourceDocument

MEMORY_ENV = "MISSIONS_PAGE_MEMORY_GB"  # address space of one reader process, GiB
DEFAULT_MEMORY_GB = 2.0
GRACE_S = 10.0  # at most, beyond the page's tesseract budget: rasterising and decoding before it
INLINE_TEXT_BYTES = 8 * 2**20  # legacy text files up to this size are opened without a worker


@dataclass(frozen=True)
class Limits:
    """What one page (or the opening of one file) may cost before it is stopped."""

    page_timeout: float  # seconds of tesseract per page; the worker is stopped at `hard_timeout`
    memory_gb: float  # address space of a worker process, and of each tesseract it starts

    @classmethod
    def from_env(cls) -> Limits:
        try:
            memory = float(os.environ.get(MEMORY_ENV, ""))
        except ValueError:
            memory = DEFAULT_MEMORY_GB
        return cls(page_timeout=page_timeout(), memory_gb=memory if memory > 0 else DEFAULT_MEMORY_GB)

    @property
    def hard_timeout(self) -> float:
        return self.page_timeout * 1.25 + min(GRACE_S, self.page_timeout)

    @property
    def memory_bytes(self) -> int:
        return int(self.memory_gb * 2**30)


@dataclass(frozen=True)
class PlanOutcome:
    """A file opened in a worker: its page jobs, or its pages (legacy text), or why it cannot be."""

    jobs: tuple[PageJob, ...] = ()
    pages: tuple[Page, ...] = ()
    error: str | None = None


# --------------------------------------------------------------------------- in the worker


def _init_worker(memory_bytes: int, environ: dict[str, str], quiet: bool, owner: int) -> None:
    """Runs once in each worker: tied to `owner` (it and its tesseract die with it, see
    flows/pipeline/lifeline.py), the parent's environment, one OCR thread, limits, and (unless the run
    is verbose) no C-library chatter on stderr: a page's failure is recorded anyway."""
    guard_worker(owner)
    os.environ.clear()
    os.environ.update(environ)
    tempfile.tempdir = None  # TMPDIR is the reader's own folder: read it again (see IsolatedReader)
    if quiet:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    for limit, value in ((resource.RLIMIT_AS, memory_bytes), (resource.RLIMIT_CORE, 0)):
        if value or limit == resource.RLIMIT_CORE:
            try:
                resource.setrlimit(limit, (value, value))
            except (ValueError, OSError):
                pass  # a lower hard limit is already in force: keep it


def _ping() -> int:
    return os.getpid()


def describe_error(exc: BaseException) -> str:
    """An exception as `Type: message`, printable on one line (at most 200 characters)."""
    text = printable_name(str(exc))[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _memory_sentence(subject: str, memory_gb: float) -> str:
    redo = ("split it into smaller files or re-export it" if subject == "the file"
            else "re-scan it at a lower resolution")
    return (f"{subject} needs more than {memory_gb:g} GiB of memory to read; {redo}, or raise "
            f"{MEMORY_ENV}")


def failed_page(job: PageJob, reason: str) -> Page:
    """The record of a page that could not be read."""
    return Page(page=job.page_no, method=job.method, lines=(), error=printable_name(reason))


def _open_file(source: SourceDocument, memory_gb: float) -> PlanOutcome:
    """How the file opened; in a worker (small text files: in the caller, see `opens_inline`).
    Never raises."""
    try:
        if source.file_type == "text":
            return PlanOutcome(pages=tuple(read_legacy_text(source)))
        return PlanOutcome(jobs=tuple(plan_pages(source)))
    except InputRejected as exc:
        return PlanOutcome(error=str(exc))
    except MemoryError:
        return PlanOutcome(error=f"{source.source_name}: {_memory_sentence('the file', memory_gb)}.")
    except Exception as exc:  # noqa: BLE001 (parsers raise many kinds on hostile input)
        return PlanOutcome(error=f"{source.source_name}: the file is damaged and cannot be opened "
                                 f"({describe_error(exc)}); re-scan or re-export it.")


def opens_inline(source: SourceDocument) -> bool:
    """Whether the file is opened in the calling process: a legacy text file of moderate size
    (decoding it is bounded work, and it spares a run of text files the reader pool's start)."""
    return source.file_type == "text" and source.size <= INLINE_TEXT_BYTES


def _read_in_worker(job: PageJob, settings: OcrSettings, memory_gb: float) -> Page:
    return _read_view_in_worker(job, settings, memory_gb, keep_view=False)[0]


VIEW_JPEG_QUALITY = 80


def _read_view_in_worker(job: PageJob, settings: OcrSettings, memory_gb: float,
                         keep_view: bool = True) -> tuple[Page, bytes | None]:
    """The page record, and its view as a JPEG (~0.2 MB) rather than the page image (~26 MB)."""
    try:
        page, view = read_page(job, settings)
        if view is None or page.error is not None or not keep_view:
            return page, None
        buf = io.BytesIO()
        view.save(buf, format="JPEG", quality=VIEW_JPEG_QUALITY)
        return page, buf.getvalue()
    except MemoryError:
        return failed_page(job, _memory_sentence(f"page {job.page_no}", memory_gb)), None
    except Exception as exc:  # noqa: BLE001 (parsers raise many kinds on hostile input)
        return failed_page(job, f"page {job.page_no} could not be read ({describe_error(exc)}); "
                                "re-scan or re-export it"), None


# --------------------------------------------------------------------------- in the parent


def _crash_reason(exc: ProcessExpired) -> str:
    code = exc.exitcode or 0
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        return f"signal {name}" + (", perhaps out of memory" if -code == signal.SIGKILL else "")
    return f"exit code {code}"


class IsolatedReader:
    """A warm pool of `workers` processes that open files and read pages for the parent.

    Owned by one run (flows.pipeline.run.IngestRun) or one caller; its workers start on first
    use, or ahead with `start`. Each worker runs with an address-space limit (`Limits.memory_gb`, inherited by the tesseract
    it starts) and each call with a time limit, so a parser that hangs, crashes or eats memory
    costs one page (or one file), never the run: the worker is replaced and the page comes back
    with an `error`. Thread-safe: the flow's threads each wait on their own page.
    """

    def __init__(self, workers: int, limits: Limits | None = None,
                 environ: dict[str, str] | None = None) -> None:
        self.workers = max(1, workers)
        self.limits = limits or Limits.from_env()
        # The workers' environment, fixed now: tesseract's PATH and data, and the page budget
        # its calls share inside a worker (the same one this side enforces).
        self.environ = {**(os.environ if environ is None else environ),
                        PAGE_TIMEOUT_ENV: f"{self.limits.page_timeout:g}"}
        self.quiet = not logging.getLogger("missions").isEnabledFor(logging.INFO)  # not -v
        self._pool: ProcessPool | None = None
        self._closed = False
        self._lock = threading.Lock()
        # The workers' temporary files (a page image handed to tesseract) go in a folder of the
        # reader's, removed on close: a worker killed mid-page (timeout, memory) leaves none.
        self._scratch: str | None = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _new_pool(self) -> ProcessPool:
        context = multiprocessing.get_context("forkserver")  # no fork of a threaded parent
        # The parsers imported once, in the fork server: every worker starts with them.
        context.set_forkserver_preload(["extractors.pages", "flows.pipeline.isolation", "cv2",
                                        "pdfplumber"])
        if self._scratch is None:
            self._scratch = tempfile.mkdtemp(prefix="missions-read-")
        return ProcessPool(max_workers=self.workers, initializer=_init_worker,
                           initargs=(self.limits.memory_bytes,
                                     {**self.environ, "TMPDIR": self._scratch}, self.quiet,
                                     os.getpid()),
                           context=context)

    def start(self) -> Self:
        """Start the workers now (they import the parsers while the caller does other work)."""
        with self._lock:
            if self._pool is None and not self._closed and not multiprocessing.current_process().daemon:
                pool = self._pool = self._new_pool()
                threading.Thread(target=self._warm, args=(pool,), name="reader-warm-up",
                                 daemon=True).start()
        return self

    def _warm(self, pool: ProcessPool) -> None:
        try:
            for _ in range(self.workers):
                pool.schedule(_ping)
        except RuntimeError:
            pass  # closed meanwhile, or broken: the first real call replaces it

    def close(self) -> None:
        with self._lock:
            pool, self._pool, self._closed = self._pool, None, True
        if pool is not None:
            pool.stop()
            pool.join(timeout=10)
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)

    def _replace_broken(self, broken: ProcessPool | None) -> None:
        with self._lock:
            if self._pool is broken:
                self._pool = None
        if broken is not None:
            broken.stop()
        self.start()

    def _live_pool(self) -> ProcessPool:
        with self._lock:
            if self._closed:
                raise RuntimeError("the reader is closed")
            if self._pool is None:
                self._pool = self._new_pool()
            return self._pool

    def _outcome(self, fn: Callable[..., Any], args: tuple[Any, ...],
                 failed: Callable[[str], Any], subject: str, opening: bool) -> Any:
        """Run fn(*args) in a worker; on a timeout, a crash or an error, `failed(sentence)`."""
        what = "opening the file" if opening else subject
        if multiprocessing.current_process().daemon:  # e.g. a Dask worker: no children allowed,
            try:  # so read here; that process is then the unit of isolation
                return fn(*args)
            except MemoryError:
                return failed(_memory_sentence(subject, self.limits.memory_gb))
        redo = "re-export it" if opening else "re-scan it at a lower resolution"
        for attempt in (1, 2):
            pool = self._live_pool()
            try:
                return pool.schedule(fn, args=args, timeout=self.limits.hard_timeout).result()
            except TimeoutError:
                return failed(f"{what} took longer than {self.limits.page_timeout:.0f} s and was "
                              f"stopped; {redo}, or raise {PAGE_TIMEOUT_ENV} (seconds)")
            except ProcessExpired as exc:
                where = "while opening the file" if opening else f"on {subject}"
                return failed(f"the reader crashed {where} ({_crash_reason(exc)}); the file is "
                              "probably damaged: re-scan or re-export it")
            except MemoryError:
                return failed(_memory_sentence(subject, self.limits.memory_gb))
            except RuntimeError as exc:  # a broken or closed pool: once more on a new one
                if attempt == 2:
                    return failed(f"the reader could not run on {subject} ({describe_error(exc)}); "
                                  "run again, and report it if it persists")
                self._replace_broken(pool)
            except Exception as exc:  # noqa: BLE001 (e.g. a result that cannot be unpickled)
                return failed(f"{subject} could not be read ({describe_error(exc)}); re-scan or "
                              "re-export it")
        raise AssertionError("unreachable")

    def plan(self, source: SourceDocument) -> PlanOutcome:
        """Open a file in a worker (small text files here): its page jobs, its pages (legacy
        text), or why not."""
        refused = too_big(source)
        if refused is not None:
            return PlanOutcome(error=refused)
        if opens_inline(source):
            return _open_file(source, self.limits.memory_gb)

        def failed(sentence: str) -> PlanOutcome:
            return PlanOutcome(error=f"{source.source_name}: {sentence}.")

        return self._outcome(_open_file, (source, self.limits.memory_gb), failed, "the file",
                             opening=True)

    def plan_all(self, sources: Sequence[SourceDocument]) -> list[PlanOutcome]:
        """`plan` for many files at once, as many at a time as there are workers."""
        if sum(not opens_inline(s) for s in sources) <= 1:
            return [self.plan(s) for s in sources]
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="plan") as threads:
            return list(threads.map(self.plan, sources))

    def read(self, job: PageJob, settings: OcrSettings = DEFAULT_OCR,
             fn: Callable[..., Page] = _read_in_worker) -> Page:
        """Read one page in a worker; never raises: a page that fails carries its `error`."""
        return self._outcome(fn, (job, settings, self.limits.memory_gb),
                             lambda sentence: failed_page(job, sentence), f"page {job.page_no}",
                             opening=False)

    def read_with_view(self, job: PageJob, settings: OcrSettings = DEFAULT_OCR
                       ) -> tuple[Page, bytes | None]:
        """`read`, and the page's view as JPEG bytes (None for text layers and failures)."""
        return self._outcome(_read_view_in_worker, (job, settings, self.limits.memory_gb),
                             lambda sentence: (failed_page(job, sentence), None),
                             f"page {job.page_no}", opening=False)


def read_page_here(job: PageJob, settings: OcrSettings) -> tuple[Page, bytes | None]:
    """One page read in this process, with its view: where no child process may be started
    (a Dask worker), the process itself is the unit of isolation. Never raises."""
    return _read_view_in_worker(job, settings, Limits.from_env().memory_gb)
