"""The ingest as a Prefect flow: a thin wrapper of one IngestRun, a task around each of its steps
(discover, each page read, publish), page tasks on a thread pool or a Dask cluster.

The flow is made for the run it wraps (`ingest_flow`): what the run already did before Prefect
was up (discovery, reads begun) is simply there, handed over with the run itself.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from prefect import Flow, flow, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture, as_completed

from extractors.ocr import OcrSettings
from extractors.pages import PageJob
from flows.pipeline.executors import make_task_runner
from flows.pipeline.isolation import read_page_here
from flows.pipeline.reading import PageRead, PageReads
from flows.pipeline.run import IngestRun, RunSummary
from flows.release.layout import StrPath

FLOW_NAME = "missions-ingest"


@task(name="discover", cache_policy=NO_CACHE, persist_result=False)
def discover_task(run: IngestRun, paths: list[str]) -> None:
    run.discover(paths)


@task(name="read-page", retries=0, cache_policy=NO_CACHE, persist_result=False)
def read_page_task(job: PageJob, settings: OcrSettings, reads: PageReads | None) -> PageRead:
    """One page: collected from the run's reader pool (its read may have begun before the
    flow), or, on a Dask worker (`reads` None), read in that worker's process."""
    if reads is None:
        return read_page_here(job, settings)
    return reads.page(job).result()


@task(name="publish", cache_policy=NO_CACHE, persist_result=False)
def publish_task(run: IngestRun) -> str | None:
    release = run.publish()
    return str(release) if release else None


class PrefectPages:
    """Page reads as `read-page` tasks of the running flow: waiting on the run's reader pool
    (thread runner) or reading in Dask workers (`reads` None)."""

    def __init__(self, settings: OcrSettings, reads: PageReads | None) -> None:
        self.settings, self.reads = settings, reads

    def submit(self, job: PageJob) -> PrefectFuture[PageRead]:
        return read_page_task.submit(job, self.settings, self.reads)

    def as_completed(self, futures: Sequence[PrefectFuture[PageRead]]
                     ) -> Iterator[PrefectFuture[PageRead]]:
        return as_completed(list(futures))


def ingest_flow(run: IngestRun, runner: str = "threads", address: str | None = None) -> Flow[..., Any]:
    """The `missions-ingest` flow of `run`, its page tasks on `runner` (threads bounded to the
    run's workers, or Dask: see flows.pipeline.executors.make_task_runner)."""

    def missions_ingest(paths: list[str], out: str, workers: int) -> RunSummary:
        """Ingest files and folders into the release in `out`; returns what was done."""
        if run.found is None:
            discover_task(run, paths)
        run.read(PrefectPages(run.settings, run.reads if runner == "threads" else None))
        publish_task(run)
        return run.finish()

    return flow(name=FLOW_NAME, persist_result=False, log_prints=False,
                task_runner=make_task_runner(runner, run.workers, address))(missions_ingest)


def run_ingest_flow(run: IngestRun, paths: Sequence[StrPath], runner: str = "threads",
                    address: str | None = None) -> RunSummary:
    """Run `run` as the `missions-ingest` flow (from discovery if it has not discovered yet)."""
    summary: RunSummary = ingest_flow(run, runner, address)(
        paths=[str(Path(p)) for p in paths], out=str(run.out), workers=run.workers)
    return summary
