"""The nightly schedule: a Prefect deployment served against a real Prefect server."""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from prefect import flow, get_run_logger
from prefect.schedules import Cron, Schedule

from models.errors import BadArguments, OutputLocked

DEPLOYMENT_NAME = "missions-nightly"
log = logging.getLogger("missions")


def nightly_schedule(cron: str, timezone: str) -> Schedule:
    """A validated cron schedule in a named timezone (daylight-saving aware)."""
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise BadArguments(f"unknown timezone {timezone!r}; use an IANA name such as "
                           "Europe/Paris") from exc
    try:
        return Cron(cron, timezone=timezone)
    except ValueError as exc:
        raise BadArguments(f"invalid cron expression {cron!r}: {exc}") from exc


def next_fire_times(schedule: Schedule, n: int, start: dt.datetime) -> list[dt.datetime]:
    """The next n run times the server would create for this schedule, from `start`."""
    from prefect.server.schemas.schedules import CronSchedule

    server_schedule = CronSchedule(cron=schedule.cron, timezone=schedule.timezone,  # type: ignore[attr-defined]
                                   day_or=schedule.day_or)  # type: ignore[attr-defined]
    dates = server_schedule.get_dates(n=n, start=start)
    if asyncio.iscoroutine(dates):  # async in some Prefect releases
        dates = asyncio.run(dates)
    return list(dates)


LOCK_TRIES = 3  # a held lock (another run publishing into --out): tried again twice…
LOCK_DELAY = 300  # …5 minutes apart


@flow(name="missions-nightly", persist_result=False)
def nightly_flow(inbox: str, out: str) -> Any:
    """Ingest what is new in the inbox (the same run as `missions ingest`, as a subflow); only
    a held lock (another run publishing) is tried again. Ends Failed, named « Quarantined »,
    when this run quarantined an input anew (flows.orchestration.operator); no flow retries,
    so that state stays for the operator to see."""
    from flows.orchestration.flow import run_ingest_flow
    from flows.orchestration.operator import tell_operator
    from flows.pipeline.run import IngestRun

    logger = get_run_logger()
    for attempt in range(1, LOCK_TRIES + 1):
        try:
            with IngestRun(out) as run:
                summary = run_ingest_flow(run, [inbox])
            break
        except OutputLocked:
            if attempt == LOCK_TRIES:
                raise
            logger.warning("another run is publishing into %s; trying again in %d s", out,
                           LOCK_DELAY)
            time.sleep(LOCK_DELAY)
    return tell_operator(summary, inbox, out, logger)


def serve_nightly(inbox: str, out: str, cron: str, timezone: str, port: int | None = None) -> None:
    """Serve the nightly deployment until interrupted; the server it started stops with it."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.orchestration.server import prefect_server

    schedule = nightly_schedule(cron, timezone)
    with prefect_server(port) as api_url, temporary_settings({PREFECT_API_URL: api_url}):
        ui = api_url.removesuffix("/api")
        print(f"missions: Prefect server at {ui} (open it for the UI); ingesting {inbox} into "
              f"{out} on cron '{cron}' ({timezone}); Ctrl-C stops.", flush=True)
        nightly_flow.serve(name=DEPLOYMENT_NAME, schedules=[schedule],
                           parameters={"inbox": inbox, "out": out},
                           print_starting_message=False)
