"""Querying a release: canned filters on measures (status, dimension, report, full-text search),
full-text search of pages, and read-only SQL; rows printed as a table, CSV or JSON."""
from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import signal
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from extractors.folding import fold
from flows.access.csvsafe import neutralise
from flows.release.layout import SQLITE_NAME, current_release
from models.errors import BadArguments
from models.records import DIMENSIONS, STATUSES

NONE_WORDS = frozenset({"none", "null", "na"})  # `--status none`: statuses not legible
TABLE_WIDTH = 60  # widest column in the terminal table
SHORT_ID = 12  # doc_id in the terminal table: its first hex digits
MEASURE_COLUMNS = (  # doc_id last: it is long, and the terminal table reads left to right
    "d.source_name", "{r}report_label", "{r}report_date", "m.page", "m.number", "m.title",
    "m.dimension", "m.status", "m.status_source", "m.confidence", "m.doc_id",
)


@dataclass(frozen=True)
class Filters:
    """Canned filters; each given one narrows the rows (they combine with AND)."""

    status: tuple[str | None, ...] = ()
    dimension: tuple[str | None, ...] = ()
    report: str | None = None
    search: str | None = None
    pages: bool = False  # search page text instead of measure titles
    measure: tuple[int, ...] | None = None  # --measure: readings across reports (() = all)
    best_copy: bool = False  # --best-copy: one reading per report, the best-read copy's

    def given(self) -> bool:
        return bool(self.status or self.dimension or self.report or self.search or self.pages
                    or self.measure is not None)


def parse_vocabulary(value: str | None, allowed: Sequence[str], what: str) -> tuple[str | None, ...]:
    """`retard_explique`, `Retard expliqué`, `retard-explique,satisfaisant`, `none` → values."""
    if not value:
        return ()
    out: list[str | None] = []
    for part in value.split(","):
        word = re.sub(r"[\s'-]+", "_", fold(part, typed=True).strip())
        if word in NONE_WORDS:
            out.append(None)
        elif word in allowed:
            out.append(word)
        else:
            raise BadArguments(f"unknown {what} {part.strip()!r}; use one of {', '.join(allowed)} "
                               "or none (comma-separated for several)")
    return tuple(dict.fromkeys(out))


def fts_query(text: str) -> str:
    """An FTS5 query from what a person types: every word must appear, as the start of a word
    (`strategique` finds « stratégiques », `allian` « alliances »); FTS syntax is plain text."""
    words = re.findall(r"\w+", text)
    if not words:
        raise BadArguments(f"--search {text!r} has no word to look for")
    return " ".join(f'"{w}"*' for w in words)


def _in(column: str, values: tuple[str | None, ...], params: list[Any]) -> str:
    known = [v for v in values if v is not None]
    parts = []
    if known:
        parts.append(f"{column} IN ({', '.join('?' for _ in known)})")
        params.extend(known)
    if None in values:
        parts.append(f"{column} IS NULL")
    return "(" + " OR ".join(parts) + ")"


def _report_clause(value: str, has_reports: bool, params: list[Any]) -> str:
    """A report by doc_id prefix, part of its file name, or part of its label (all literal:
    `%` and `_` are characters, not wildcards)."""
    params.extend([value.lower(), value])
    clause = "missions_starts(m.doc_id, ?) OR missions_contains(d.source_name, ?)"
    if has_reports:
        clause += " OR missions_contains(r.report_label, ?)"
        params.append(value)
    return f"({clause})"


def measures_sql(filters: Filters, tables: set[str]) -> tuple[str, list[Any]]:
    """The measures matching the filters, with their document and report."""
    has_reports = "reports" in tables
    cols = [c.format(r="r." if has_reports else "NULL AS ") for c in MEASURE_COLUMNS]
    params: list[Any] = []
    where = ["1"]
    if filters.status:
        where.append(_in("m.status", filters.status, params))
    if filters.dimension:
        where.append(_in("m.dimension", filters.dimension, params))
    if filters.report:
        where.append(_report_clause(filters.report, has_reports, params))
    if filters.search:
        if "measures_fts" in tables:
            where.append("m.rowid IN (SELECT rowid FROM measures_fts WHERE measures_fts MATCH ?)")
            params.append(fts_query(filters.search))
        else:  # a release written before the full-text indexes: slower, same meaning
            for word in re.findall(r"\w+", filters.search):
                where.append("missions_contains(m.title, ?)")
                params.append(word)
    join = " LEFT JOIN reports r ON r.doc_id = m.doc_id" if has_reports else ""
    order = "r.report_date IS NULL, r.report_date, " if has_reports else ""
    sql = (f"SELECT {', '.join(cols)} FROM measures m "
           f"JOIN documents d ON d.doc_id = m.doc_id{join} WHERE {' AND '.join(where)} "
           f"ORDER BY {order}d.source_name, m.position, m.number, m.page")
    return sql, params


def pages_sql(filters: Filters, tables: set[str]) -> tuple[str, list[Any]]:
    """Pages whose text matches --search, best first, with a snippet around the words found."""
    if filters.status or filters.dimension:
        raise BadArguments("--status and --dimension filter measures; leave them out with --pages")
    if not filters.search:
        raise BadArguments("--pages needs --search WORDS")
    if "pages_fts" not in tables:
        raise BadArguments("this release has no full-text index of pages; it is made by any "
                           "`missions ingest` that publishes a new release")
    params: list[Any] = [fts_query(filters.search)]
    where = ["pages_fts MATCH ?"]
    if filters.report:
        where.append(_report_clause(filters.report, "reports" in tables, params))
    join = " LEFT JOIN reports r ON r.doc_id = m.doc_id" if "reports" in tables else ""
    label = "r.report_label" if join else "NULL AS report_label"
    sql = (f"SELECT d.source_name, {label}, m.page, "
           "snippet(pages_fts, 0, '[', ']', '…', 12) AS snippet, m.doc_id "
           f"FROM pages_fts JOIN pages m ON m.rowid = pages_fts.rowid "
           f"JOIN documents d ON d.doc_id = m.doc_id{join} WHERE {' AND '.join(where)} "
           "ORDER BY bm25(pages_fts), d.source_name, m.page")
    return sql, params


def _read_only(action: int, *_args: Any) -> int:
    # ATTACH could create files elsewhere; everything else is stopped by mode=ro + query_only.
    return sqlite3.SQLITE_DENY if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH) else (
        sqlite3.SQLITE_OK)


def _contains(haystack: str | None, needle: str | None) -> int:
    return int(haystack is not None and needle is not None
               and fold(needle, typed=True) in fold(haystack, typed=True))


def _starts(text: str | None, prefix: str | None) -> int:
    return int(text is not None and prefix is not None and text.startswith(prefix))


def open_release(out: Path) -> sqlite3.Connection:
    """A read-only connection to the current release's database (resolved once: a run that
    publishes meanwhile does not change what this connection sees)."""
    link = out / SQLITE_NAME
    if not link.exists():
        current_release(out)  # .current missing or dangling: exit 5, « run missions verify »
        raise BadArguments(f"no release in {out}: run `missions ingest … --out {out}` first")
    path = os.path.realpath(link)
    con = sqlite3.connect(f"file:{quote(path)}?mode=ro&immutable=1", uri=True)
    con.execute("PRAGMA query_only = ON")
    con.create_function("missions_contains", 2, _contains, deterministic=True)
    con.create_function("missions_starts", 2, _starts, deterministic=True)
    con.set_authorizer(_read_only)
    return con


PROGRESS_STEPS = 20_000  # SQLite steps between two looks for Ctrl-C


@contextlib.contextmanager
def _interruptible(con: sqlite3.Connection) -> Iterator[list[int]]:
    """While the block runs, Ctrl-C and SIGTERM stop the statement SQLite is running: their
    handlers only note the signal (Python runs them inside the progress callback, the only
    Python code that runs during a long query) and the callback then asks SQLite to stop.
    After the block, the signal noted is raised again for the usual handlers."""
    hits: list[int] = []
    previous = {}
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            if signal.getsignal(sig) is signal.SIG_IGN:
                continue  # ignored by whoever started us (`cmd &` in a script): left so
            previous[sig] = signal.signal(sig, lambda signum, _frame: hits.append(signum))
    except ValueError:  # not the main thread: signals are not ours to handle
        pass
    con.set_progress_handler(lambda: 1 if hits else 0, PROGRESS_STEPS)
    try:
        yield hits
    finally:
        con.set_progress_handler(None, 0)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if hits:
            signal.raise_signal(hits[0])


def run(con: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[tuple]]:
    """Columns and rows of `sql`; Ctrl-C stops even a query that runs away (exit 130)."""
    with _interruptible(con) as hits:
        try:
            cur = con.execute(sql, params)
            rows = cur.fetchall()
        except (sqlite3.Error, sqlite3.Warning) as exc:
            if hits:
                return [], []  # interrupted: the signal is raised again on the way out
            raise BadArguments(f"the query failed: {exc}") from exc
    return [d[0] for d in cur.description or ()], rows


def query_release(out: Path, sql: str | None = None, filters: Filters | None = None
                  ) -> tuple[list[str], list[tuple]]:
    """Columns and rows: of `sql` (read-only) when given, else of the canned filters (all
    measures when none is given)."""
    filters = filters or Filters()
    if sql and filters.given():
        raise BadArguments("give either SQL or filters (--status, --dimension, --report, "
                           "--search), not both")
    con = open_release(out)
    try:
        if sql:
            return run(con, sql)
        if filters.measure is not None:
            from flows.access.readings import readings

            if filters.status or filters.dimension or filters.search or filters.pages:
                raise BadArguments("--measure goes with --report only (and --best-copy)")
            return readings(con, filters.measure, filters.report, filters.best_copy, run)
        tables = {n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        built = pages_sql(filters, tables) if filters.pages else measures_sql(filters, tables)
        return run(con, *built)
    finally:
        con.close()


def format_rows(cols: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str) -> str:
    """Rows as `table` (aligned, long values cut, doc_id to its first 12 hex digits), `csv`, or
    `json` (an array of objects, values whole)."""
    if fmt == "json":
        return json.dumps([dict(zip(cols, r, strict=True)) for r in rows], ensure_ascii=False,
                          indent=1)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(cols)
        writer.writerows([neutralise(v) for v in r] for r in rows)  # formula cells made inert
        return buf.getvalue().rstrip("\n")
    short = [c == "doc_id" for c in cols]  # for eyes: 12 hex say which file (--report takes them)
    text = [["" if v is None else str(v)[:SHORT_ID] if cut else str(v).replace("\n", " ")
             for v, cut in zip(r, short, strict=True)] for r in rows]
    widths = [min(TABLE_WIDTH, max([len(c)] + [len(r[i]) for r in text])) for i, c in enumerate(cols)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)).rstrip()]
    lines += ["  ".join(v[:w].ljust(w) for v, w in zip(r, widths, strict=True)).rstrip()
              for r in text]
    return "\n".join(lines)


def make_filters(status: str | None = None, dimension: str | None = None, report: str | None = None,
                 search: str | None = None, pages: bool = False, measure: str | None = None,
                 best_copy: bool = False) -> Filters:
    """Filters from the command line's words (vocabularies checked, accents and case folded)."""
    from flows.access.readings import parse_measures

    if best_copy and measure is None:
        raise BadArguments("--best-copy goes with --measure")
    return Filters(status=parse_vocabulary(status, STATUSES, "status"),
                   dimension=parse_vocabulary(dimension, DIMENSIONS, "dimension"),
                   report=report or None, search=search or None, pages=pages,
                   measure=parse_measures(measure), best_copy=best_copy)
