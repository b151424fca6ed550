"""Task runners: threads on this machine (default) or a Dask cluster through prefect-dask."""
from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Prefect is imported only when a runner is made (isolation imports this)
    from prefect.task_runners import TaskRunner

RUNNERS = ("threads", "dask")


def default_workers() -> int:
    """One single-threaded tesseract per core this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def make_task_runner(kind: str = "threads", workers: int | None = None,
                     address: str | None = None) -> TaskRunner:
    """The page-work runner.

    threads: a pool bounded to `workers` (tesseract runs as a subprocess, so threads suffice).
    dask:    `address` attaches to an existing scheduler (tcp://HOST:PORT); without one a
             LocalCluster of `workers` single-threaded worker processes bound to 127.0.0.1.
             Workers must share one Prefect API: the caller exports PREFECT_API_URL first
             (see flows.orchestration.server.prefect_server), and they must see the same --out folder.
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
