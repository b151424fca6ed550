"""Where page work runs: the run's isolated reader pool here (threads waiting on it), or, under
Prefect, a task runner of threads or a Dask cluster (prefect-dask)."""
from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, as_completed
from typing import TYPE_CHECKING, Any, Protocol

from extractors.pages import PageJob

if TYPE_CHECKING:  # Prefect is imported only when a task runner is made
    from prefect.task_runners import TaskRunner

    from flows.pipeline.reading import PageRead, PageReads

RUNNERS = ("threads", "dask")


def default_workers() -> int:
    """One single-threaded tesseract per core this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


class PageExecutor(Protocol):
    """Where page reads run: `submit` gives a future of the page read (a `PageRead`), and
    `as_completed` yields futures as they complete."""

    def submit(self, job: PageJob) -> Any: ...

    def as_completed(self, futures: Sequence[Any]) -> Iterator[Any]: ...


class LocalPages:
    """Pages read on the reader pool of `reads`, with no orchestration (a notebook, the tests,
    `missions` itself when a run needs no Prefect)."""

    def __init__(self, reads: PageReads) -> None:
        self.reads = reads

    def submit(self, job: PageJob) -> Future[PageRead]:
        return self.reads.page(job)

    def as_completed(self, futures: Sequence[Future[PageRead]]) -> Iterator[Future[PageRead]]:
        return as_completed(futures)


def make_task_runner(kind: str = "threads", workers: int | None = None,
                     address: str | None = None) -> TaskRunner:
    """The page-work runner.

    threads: a pool bounded to `workers` (tesseract runs as a subprocess, so threads suffice).
    dask:    `address` attaches to an existing scheduler (tcp://HOST:PORT); without one a
             LocalCluster of `workers` single-threaded worker processes bound to 127.0.0.1.
             Workers must share one Prefect API: the caller exports PREFECT_API_URL first
             (see flows.orchestration.server.prefect_server), and they must see the inputs at
             the same paths.
    """
    from prefect.task_runners import ThreadPoolTaskRunner

    n = workers or default_workers()
    if kind == "threads":
        return ThreadPoolTaskRunner(max_workers=n)
    if kind != "dask":
        raise ValueError(f"unknown runner {kind!r}; choose one of {', '.join(RUNNERS)}")
    from prefect_dask import DaskTaskRunner

    if not logging.getLogger("missions").isEnabledFor(logging.INFO):
        logging.getLogger("distributed").setLevel(logging.WARNING)  # quiet unless -v

    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(cluster_class="distributed.LocalCluster",
                          cluster_kwargs={"n_workers": n, "threads_per_worker": 1,
                                          "processes": True, "host": "127.0.0.1",
                                          "dashboard_address": None,
                                          "silence_logs": logging.WARNING,
                                          "env": {"OMP_THREAD_LIMIT": "1"}})
