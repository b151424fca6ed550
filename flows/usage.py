"""What the command line accepts: each sub-command's arguments, `missions --version`, and an
argument a sub-command does not know reported with that sub-command's usage."""
from __future__ import annotations

import argparse
from pathlib import Path


class VersionAction(argparse.Action):
    """`missions --version`: the package's version and the pipeline version rows carry."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help=str(kwargs.get("help", "")))

    def __call__(self, parser: argparse.ArgumentParser, *_args: object) -> None:
        from importlib.metadata import PackageNotFoundError, version

        from extractors.document import pipeline_version

        try:
            package = version("missions")
        except PackageNotFoundError:
            package = "(not installed)"
        print(f"missions {package} (pipeline {pipeline_version()})")
        parser.exit()


def parse_arguments(parser: argparse.ArgumentParser, argv: list[str] | None
                    ) -> argparse.Namespace:
    """The arguments; an argument a sub-command does not know is reported with that
    sub-command's usage, not the top-level one."""
    args, extra = parser.parse_known_args(argv)
    if extra:
        parser_of = getattr(args, "subcommands", {}).get(getattr(args, "command", None), parser)
        parser_of.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="missions", description="Digitise mission reports and cover letters into a dataset.")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="log more and show tracebacks of unexpected errors")
    parser.add_argument("--version", action=VersionAction,
                        help="print the version of missions and of its rules, then exit")
    sub = parser.add_subparsers(dest="command", required=True)

    ingest = sub.add_parser("ingest", help="read files and folders, publish the dataset")
    ingest.add_argument("paths", nargs="+", type=Path, help="files and folders (recursed)")
    ingest.add_argument("--out", type=Path, default=Path("output"), help="release folder")
    ingest.add_argument("--workers", type=int, default=None,
                        help="pages read at once (default: one per core)")
    ingest.add_argument("--runner", choices=["threads", "dask"], default="threads",
                        help="where page work runs: a thread pool here (default) or Dask")
    ingest.add_argument("--address", default=None,
                        help="with --runner dask: scheduler to attach to (tcp://HOST:PORT); "
                             "default: a local cluster on 127.0.0.1")

    serve = sub.add_parser("serve", help="ingest an inbox every night (Prefect schedule)")
    serve.add_argument("--inbox", type=Path, required=True, help="folder to ingest")
    serve.add_argument("--out", type=Path, default=Path("output"), help="release folder")
    serve.add_argument("--cron", default="0 2 * * *", help="when to run (default: 02:00 daily)")
    serve.add_argument("--timezone", default="Europe/Paris", help="IANA timezone of --cron")
    serve.add_argument("--port", type=int, default=None, help="port of the Prefect server started")

    server = sub.add_parser("server", help="keep a local Prefect server running between runs")
    server.add_argument("action", choices=["start", "stop", "status"])

    query = sub.add_parser("query", help="find measures by status, dimension, report or words; "
                           "or run read-only SQL against the release")
    query.add_argument("sql", nargs="?", help="SQL, e.g. \"select number, title from measures\"")
    query.add_argument("--sql", dest="sql_option", metavar="SQL", help="the same as the positional SQL")
    query.add_argument("--status", help="tres_satisfaisant, satisfaisant, retard_explique, "
                       "remis_en_cause or none (not legible); comma-separated for several")
    query.add_argument("--dimension", help="operationnelle, strategique, politique or none")
    query.add_argument("--report", help="a doc_id prefix, part of the file name, or part of the "
                       "report label (« Suivi à un an »)")
    query.add_argument("--search", metavar="WORDS", help="words in measure titles (all must appear, "
                       "each as the start of a word; accents and case do not matter)")
    query.add_argument("--pages", action="store_true",
                       help="with --search: list the pages whose text has the words")
    query.add_argument("--measure", metavar="N", help="every reading of measure N (or 3,14, or "
                       "all) across the reports of its series; copies of a report that agree "
                       "are one row")
    query.add_argument("--best-copy", action="store_true",
                       help="with --measure: one row per report, the best-read copy's")
    query.add_argument("--out", type=Path, default=Path("output"), help="release folder")
    query.add_argument("--format", choices=["table", "csv", "json", "xlsx"], default="table",
                       help="xlsx: a workbook, written to --to")
    query.add_argument("--excel", action="store_true",
                       help="with --format csv: for Excel (byte-order mark, `;`, CRLF)")
    query.add_argument("--to", type=Path, default=None, metavar="FILE",
                       help="write the result to FILE instead of printing it")

    verify = sub.add_parser("verify", help="check the release against its manifest; repair what "
                            "can be repaired without losing a published row")
    verify.add_argument("--out", type=Path, default=Path("output"), help="release folder")

    correct = sub.add_parser("correct", help="set one value of a measure or letter by hand; kept "
                             "in DIR/corrections/ and applied on every publish")
    correct.add_argument("doc", help="a doc_id prefix, part of the file name or of the report label")
    correct.add_argument("measure", help="the measure's printed number or label (7, O1), its place "
                         "as #N, or `letter` (letter:PAGE when several)")
    correct.add_argument("field", help="status, title, number, label, dimension, horizon (MIN/MAX), "
                         "horizon_min_months, horizon_max_months; a letter's place, date, …")
    correct.add_argument("value", help="the right value; null clears it")
    correct.add_argument("--why", default=None, help="why (kept with the correction)")
    correct.add_argument("--by", default=None, help="who corrects (default: the login name)")
    correct.add_argument("--out", type=Path, default=Path("output"), help="release folder")

    review = sub.add_parser("review", help="list what deserves a human look, as a file to fill "
                            "in; --apply FILE takes the filled-in file")
    review.add_argument("--out", type=Path, default=Path("output"), help="release folder")
    review.add_argument("--format", choices=["csv", "xlsx"], default=None,
                        help="csv (default) or xlsx (default: from --to's extension)")
    review.add_argument("--to", type=Path, default=None,
                        help="write the review file here (default: CSV on stdout; review.xlsx)")
    review.add_argument("--apply", type=Path, default=None, metavar="FILE",
                        help="apply a filled-in review file (refused whole on any bad row)")
    review.add_argument("--by", default=None, help="who corrects, for rows whose `by` is empty")

    forget = sub.add_parser("forget", help="take a document out of the current release (its "
                            "record kept in the superseded table)")
    forget.add_argument("document", help="a doc_id prefix (6+ hex digits), a file name as "
                        "recorded, or part of one")
    forget.add_argument("--all", action="store_true", help="forget every document it names")
    forget.add_argument("--out", type=Path, default=Path("output"), help="release folder")

    export = sub.add_parser("export", help="the release as an Excel workbook (.xlsx), or as "
                            "CSV files for Excel")
    export.add_argument("--out", type=Path, default=Path("output"), help="release folder")
    export.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    export.add_argument("--excel", action="store_true",
                        help="with --format csv: byte-order mark, `;` and CRLF, as Excel expects")
    export.add_argument("--to", type=Path, default=None,
                        help="the file (xlsx, default missions.xlsx) or folder (csv, default "
                             "missions-csv) to write")

    browse = sub.add_parser("browse", help="browse the release in Datasette (read-only, 127.0.0.1)")
    browse.add_argument("--out", type=Path, default=Path("output"), help="release folder")
    browse.add_argument("--port", type=int, default=8001, help="port on 127.0.0.1 (default 8001)")
    parser.set_defaults(subcommands=dict(sub.choices))
    return parser
