"""The `missions` command line: parses arguments, sets Prefect up, maps errors to exit codes."""
from __future__ import annotations

import argparse
import atexit
import contextlib
import logging
import os
import signal
import sys
from pathlib import Path
from typing import NoReturn

from flows.usage import build_parser, parse_arguments
from models.errors import BadArguments, ExitCode, MissionsError
from models.paths import user_cache

log = logging.getLogger("missions")


def prefect_home() -> str:
    """A persistent per-user Prefect home, so database migrations run once, not per run."""
    return str(user_cache() / "prefect")


def configure_environment(verbose: bool) -> None:
    """Defaults that must be in place before Prefect or tesseract start (user settings win)."""
    os.environ.setdefault("PREFECT_HOME", prefect_home())
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "WARNING")
    os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one single-threaded tesseract per core
    Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)


def cmd_ingest(args: argparse.Namespace) -> int:
    missing = [str(p) for p in args.paths if not p.exists() and not p.is_symlink()]
    if missing:
        raise BadArguments(f"no such file or folder: {', '.join(missing)}")
    if args.workers is not None and args.workers < 1:
        raise BadArguments("--workers must be 1 or more")
    if args.address and args.runner != "dask":
        raise BadArguments("--address goes with --runner dask")
    import time
    from contextlib import ExitStack

    from flows.orchestration.server import EmbeddedServer, prefect_server, registered_server

    started = time.perf_counter()
    if not os.environ.get("PREFECT_API_URL") and (url := registered_server()):
        os.environ["PREFECT_API_URL"] = url  # `missions server start` left one running: reuse it
    # Without a server to use, Prefect's embedded one boots first thing, in its own process,
    # while this one discovers its inputs, starts reading and loads the rules (Dask runs start
    # a full server instead: their workers are other processes and must share one API).
    embedded = (EmbeddedServer() if not os.environ.get("PREFECT_API_URL")
                and args.runner == "threads" else None)
    if embedded:
        # Registered before Prefect is imported, so it runs after Prefect's own exit handlers
        # have sent their last events and logs to it.
        atexit.register(embedded.stop, wait=False)
    from flows.checks import check_output, check_scheduler

    if args.address:
        check_scheduler(args.address)  # a dead scheduler: one line, exit 8, before any work
    if args.out.is_dir():
        check_output(args.out)  # someone's csv/ where the release goes: exit 5, before any page
    from extractors.ocr import check_tesseract
    from flows.messages import exit_code, tell, wall_seconds
    from flows.pipeline.run import IngestRun
    from flows.release.layout import current_release

    check_tesseract()
    with ExitStack() as stack:
        run = stack.enter_context(IngestRun(args.out, workers=args.workers))
        run.discover(args.paths)  # each input hashed once, the release read once
        if not run.nothing_new and run.found and sys.stderr.isatty():
            print(f"missions: {len(run.found.sources)} new file(s) to read…", file=sys.stderr)
        if run.nothing_new:  # a re-run over unchanged inputs stops here
            if embedded:
                embedded.stop(wait=False)  # still importing: it ends at once
            run.summary.seconds = wall_seconds(started)
            tell(run.summary, args.out, nothing_new=True,
                 released=current_release(args.out) is not None)
            return exit_code(run.summary)
        if args.runner == "dask":
            stack.enter_context(prefect_server())  # its workers are other processes: one API
        else:
            run.begin_reading()  # new pages go to the reader pool while Prefect's server boots
        run.load_extractors()  # the rules load meanwhile too
        from prefect.settings import (
            PREFECT_API_URL,
            PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
            temporary_settings,
        )

        from flows.orchestration.flow import run_ingest_flow

        if embedded:  # what the first flow call imports, imported while the server boots
            import fastapi.encoders  # noqa: F401  (flow parameters are serialised with it)
            import prefect.flow_engine
            import prefect.task_engine  # noqa: F401
        api_url = embedded.wait_ready() if embedded else os.environ.get("PREFECT_API_URL")
        updates = {PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}
        if api_url:
            updates[PREFECT_API_URL] = api_url
        with temporary_settings(updates):
            summary = run_ingest_flow(run, args.paths, args.runner, args.address)
    summary.seconds = wall_seconds(started)
    tell(summary, args.out, released=current_release(args.out) is not None)
    return exit_code(summary)


def cmd_serve(args: argparse.Namespace) -> int:
    if not args.inbox.is_dir():
        raise BadArguments(f"--inbox {args.inbox} is not a folder")
    # Nightly runs report their counts in the Prefect UI: INFO logs, sent to the API.
    os.environ["PREFECT_LOGGING_LEVEL"] = "INFO"
    os.environ["PREFECT_LOGGING_TO_API_ENABLED"] = "true"
    from extractors.ocr import check_tesseract
    from flows.orchestration.nightly import nightly_schedule, serve_nightly
    from flows.release.layout import check_writable

    nightly_schedule(args.cron, args.timezone)  # bad cron or timezone: exit 2 before any work
    from flows.checks import check_output, check_port

    if args.port is not None:
        check_port("127.0.0.1", args.port)  # taken: exit 7 before the server is started
    check_tesseract()
    check_output(check_writable(args.out))
    serve_nightly(str(args.inbox), str(args.out), args.cron, args.timezone, args.port)
    return ExitCode.ok


def cmd_server(args: argparse.Namespace) -> int:
    from flows.orchestration.server import (
        registered_server,
        start_detached_server,
        stop_detached_server,
    )

    if args.action == "start":
        url = start_detached_server()
        print(f"missions: Prefect server running at {url.removesuffix('/api')}; later runs use "
              "it (`missions server stop` stops it)")
    elif args.action == "stop":
        print("missions: server stopped" if stop_detached_server() else "missions: no server running")
    else:
        url = registered_server()
        print(f"missions: server running at {url.removesuffix('/api')}" if url
              else "missions: no server running")
    return ExitCode.ok


def query_text(args: argparse.Namespace) -> str:
    """What `missions query` prints for these arguments."""
    from flows.access.query import format_rows, make_filters, query_release

    if args.sql and args.sql_option:
        raise BadArguments("give the SQL once: positional or --sql, not both")
    filters = make_filters(args.status, args.dimension, args.report, args.search, args.pages,
                           args.measure, args.best_copy)
    cols, rows = query_release(args.out, args.sql or args.sql_option, filters)
    if args.format == "xlsx":
        from flows.access.spreadsheet import write_workbook

        write_workbook(args.to, {"query": (cols, rows)})
        return f"missions: {len(rows)} rows written to {args.to}"
    if args.format == "csv" and args.excel:
        from flows.access.spreadsheet import excel_csv

        return excel_csv(cols, rows)
    return format_rows(cols, rows, args.format)


def cmd_query(args: argparse.Namespace) -> int:
    if args.excel and args.format != "csv":
        raise BadArguments("--excel goes with --format csv")
    if args.format == "xlsx" and args.to is None:
        raise BadArguments("--format xlsx writes a file: give it with --to FILE.xlsx")
    text = query_text(args)
    if args.to is not None and args.format != "xlsx":
        args.to.write_text(text if args.excel else text + "\n", encoding="utf-8", newline="")
        return ExitCode.ok
    try:
        print(text, flush=True)
    except BrokenPipeError:  # `missions query … | head`: the reader has seen enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return ExitCode.ok


def cmd_verify(args: argparse.Namespace) -> int:
    from flows.release.verify import verify_report
    from flows.report.render import report_writer

    print(verify_report(args.out, report_writer(args.out)))
    return ExitCode.ok


def cmd_correct(args: argparse.Namespace) -> int:
    from flows.corrections.command import correct

    print(correct(args.out, args.doc, args.measure, args.field, args.value, args.why, args.by))
    return ExitCode.ok


def cmd_review(args: argparse.Namespace) -> int:
    from flows.corrections.review import apply_review, write_review

    if args.apply is not None:
        if args.to is not None or args.format is not None:
            raise BadArguments("--apply takes a filled-in file; leave --to and --format out")
        print(apply_review(args.out, args.apply, args.by))
    else:
        text = write_review(args.out, args.to, args.format)
        try:
            print(text, end="" if text.endswith("\n") else "\n", flush=True)
        except BrokenPipeError:  # `missions review | head`: the reader has seen enough
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return ExitCode.ok


def cmd_forget(args: argparse.Namespace) -> int:
    from flows.pipeline.forgetting import forget

    for name in forget(args.out, args.document, every=args.all):
        print(f"forgotten: {name} (recorded in superseded; if it is still in a folder you "
              "read, list it in a .missionsignore or it is read again)")
    return ExitCode.ok


def cmd_export(args: argparse.Namespace) -> int:
    from flows.access.spreadsheet import export_release

    if args.excel and args.format != "csv":
        raise BadArguments("--excel goes with --format csv (a workbook needs no such care)")
    to = args.to or Path("missions.xlsx" if args.format == "xlsx" else "missions-csv")
    print(f"missions: release exported to {export_release(args.out, to, args.format, args.excel)}")
    return ExitCode.ok


def cmd_browse(args: argparse.Namespace) -> int:
    from flows.access.browse import serve

    serve(args.out, args.port)
    return ExitCode.ok


class Terminated(KeyboardInterrupt):
    """SIGTERM (a service manager stopping us, `kill`), handled like Ctrl-C: the run unwinds,
    its readers and server are stopped, the previous release stays current."""


def _terminated(signum: int, _frame: object) -> None:
    raise Terminated(signum)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parse_arguments(parser, argv)
    except SystemExit as exc:
        return int(exc.code or 0) and ExitCode.bad_arguments
    configure_environment(args.verbose)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for noisy in ("httpx", "httpcore"):  # -v is ours: one line per HTTP call to Prefect is not
        logging.getLogger(noisy).setLevel(logging.WARNING)
    handlers = {"ingest": cmd_ingest, "serve": cmd_serve, "server": cmd_server, "query": cmd_query,
                "verify": cmd_verify, "browse": cmd_browse, "correct": cmd_correct,
                "review": cmd_review, "forget": cmd_forget, "export": cmd_export}
    with contextlib.suppress(ValueError):  # not the main thread (tests): leave SIGTERM as it is
        signal.signal(signal.SIGTERM, _terminated)
    try:
        return int(handlers[args.command](args))
    except MissionsError as exc:
        print(f"missions: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt as exc:
        term = isinstance(exc, Terminated)
        kept = ("; the previous release is unchanged" if args.command in ("ingest", "serve")
                else "")
        print(f"missions: {'stopped by SIGTERM' if term else 'interrupted'}{kept}.",
              file=sys.stderr)
        return int(ExitCode.terminated if term else ExitCode.interrupted)
    except Exception as exc:  # a bug: one line unless -v
        if args.verbose:
            raise
        print(f"missions: internal error: {type(exc).__name__}: {exc} (run with -v for details)",
              file=sys.stderr)
        return int(ExitCode.internal_error)


def run() -> NoReturn:
    """The `missions` command: `main`, its exit handlers (Prefect's last events, the reader
    pool and the server stopped), then an immediate exit. The interpreter's own teardown is
    skipped: freeing every module of pandas, spaCy and Prefect one by one took ~0.8 s of every
    run, and nothing is left to write by then. (`main` itself exits normally: tests call it.)"""
    code = main()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # a reader gone (`missions query | head`) or a stream closed
    os._exit(code)


if __name__ == "__main__":
    run()
