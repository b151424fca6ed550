"""The `missions` command line: parses arguments, sets Prefect up, maps errors to exit codes."""
from __future__ import annotations

import argparse
import json
import logging
import os
import sqlite3
import sys
from pathlib import Path

from models.errors import BadArguments, ExitCode, MissionsError

log = logging.getLogger("missions")


def prefect_home() -> str:
    """A persistent per-user Prefect home, so database migrations run once, not per run."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return str(Path(base) / "missions" / "prefect")


def configure_environment(verbose: bool) -> None:
    """Defaults that must be in place before Prefect or tesseract start (user settings win)."""
    os.environ.setdefault("PREFECT_HOME", prefect_home())
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "WARNING")
    os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one single-threaded tesseract per core
    Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="missions", description="Digitise mission reports and cover letters into a dataset.")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="log more and show tracebacks of unexpected errors")
    sub = parser.add_subparsers(dest="command", required=True)

    ingest = sub.add_parser("ingest", help="read files and folders, publish the dataset")
    ingest.add_argument("paths", nargs="+", type=Path, help="files and folders (recursed)")
    ingest.add_argument("--out", type=Path, default=Path("output"), help="release folder")
    ingest.add_argument("--workers", type=int, default=None,
                        help="pages read at once (default: one per core)")

    query = sub.add_parser("query", help="run a read-only SQL query against the release")
    query.add_argument("sql", help="SQL, e.g. \"select number, title from measures\"")
    query.add_argument("--out", type=Path, default=Path("output"), help="release folder")
    query.add_argument("--format", choices=["table", "csv", "json"], default="table")
    return parser


def cmd_ingest(args: argparse.Namespace) -> int:
    missing = [str(p) for p in args.paths if not p.exists() and not p.is_symlink()]
    if missing:
        raise BadArguments(f"no such file or folder: {', '.join(missing)}")
    if args.workers is not None and args.workers < 1:
        raise BadArguments("--workers must be 1 or more")
    from extractors.ocr import check_tesseract
    from flows.publish import check_writable

    check_tesseract()
    check_writable(args.out)
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    from flows.ingest import run_ingest

    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        summary = run_ingest([str(p) for p in args.paths], str(args.out), args.workers)
    for name, reason in summary.quarantined:
        print(f"quarantined: {name}: {reason}", file=sys.stderr)
    for name, first in summary.duplicates:
        print(f"duplicate: {name} has the same bytes as {first}", file=sys.stderr)
    print(f"missions: {summary.line()}; release in {args.out}")
    return ExitCode.quarantined if summary.quarantined else ExitCode.ok


def cmd_query(args: argparse.Namespace) -> int:
    db = args.out / "missions.sqlite"
    if not db.exists():
        raise BadArguments(f"no release in {args.out}: run `missions ingest … --out {args.out}` first")
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        cur = con.execute(args.sql)
    except sqlite3.Error as exc:
        raise BadArguments(f"the query failed: {exc}") from exc
    cols = [d[0] for d in cur.description or ()]
    rows = cur.fetchall()
    con.close()
    if args.format == "json":
        print(json.dumps([dict(zip(cols, r, strict=True)) for r in rows], ensure_ascii=False, indent=1))
    elif args.format == "csv":
        import csv

        writer = csv.writer(sys.stdout)
        writer.writerow(cols)
        writer.writerows(rows)
    else:
        widths = [min(60, max([len(c)] + [len(str(r[i])) for r in rows])) for i, c in enumerate(cols)]
        print("  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)))
        for r in rows:
            print("  ".join(str(v if v is not None else "")[:w].ljust(w)
                            for v, w in zip(r, widths, strict=True)))
    return ExitCode.ok


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) and ExitCode.bad_arguments
    configure_environment(args.verbose)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    handlers = {"ingest": cmd_ingest, "query": cmd_query}
    try:
        return int(handlers[args.command](args))
    except MissionsError as exc:
        print(f"missions: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        print("missions: interrupted; the previous release is unchanged.", file=sys.stderr)
        return int(ExitCode.interrupted)
    except Exception as exc:  # a bug: one line unless -v
        if args.verbose:
            raise
        print(f"missions: internal error: {type(exc).__name__}: {exc} (run with -v for details)",
              file=sys.stderr)
        return int(ExitCode.internal_error)


if __name__ == "__main__":
    sys.exit(main())
