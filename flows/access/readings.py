"""`missions query --measure N`: every reading of one measure across the reports of its series
(from `measure_history`), copies of one report folded into one row when they agree, or the
best-read copy picked (`--best-copy`)."""
from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from itertools import groupby
from typing import Any

from models.errors import BadArguments

COLUMNS = ("mission_key", "measure", "report_order", "report_date", "report_label", "number",
           "title", "dimension", "status", "status_source", "confidence", "copies",
           "copies_agree", "source_name", "doc_id")
_FETCH = ("mission_key", "measure", "report_order", "report_date", "report_label", "number",
          "title", "dimension", "status", "status_source", "confidence", "source_name", "doc_id")


def parse_measures(value: str | None) -> tuple[int, ...] | None:
    """`14`, `3,14`, `all` (every measure) → numbers (empty: all); None when not given."""
    if value is None:
        return None
    if value.strip().lower() in ("all", "*"):
        return ()
    try:
        return tuple(int(v) for v in value.split(",") if v.strip())
    except ValueError as exc:
        raise BadArguments(f"--measure {value!r}: give a measure number (14), several (3,14) "
                           "or all") from exc


def _best(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The best-read copy: a status read beats none, then the surer extraction, then the name."""
    return min(rows, key=lambda r: (r["status"] is None, -(r["confidence"] or 0.0),
                                    r["source_name"] or ""))


def fold_copies(rows: Sequence[dict[str, Any]], best_copy: bool) -> list[tuple[Any, ...]]:
    """One row per report (series, report_order) when its copies agree on the status and the
    dimension (the best-read copy's row, with how many copies there are); each copy's row
    when they disagree, unless `best_copy` picks one."""
    out: list[tuple[Any, ...]] = []

    def report(r: dict[str, Any]) -> tuple[Any, ...]:
        return (r["mission_key"], r["measure"], r["report_order"] or 0)

    for _key, group in groupby(sorted(rows, key=report), key=report):
        copies = list(group)
        agree = len({(r["status"], r["dimension"]) for r in copies}) == 1
        shown = [_best(copies)] if agree or best_copy else sorted(
            copies, key=lambda r: r["source_name"] or "")
        for r in shown:
            out.append(tuple({**r, "copies": len(copies), "copies_agree": int(agree)}[c]
                             for c in COLUMNS))
    return out


def readings(con: sqlite3.Connection, measures: tuple[int, ...], report: str | None,
             best_copy: bool, run: Any) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The readings of `measures` (all when empty), narrowed by `report` (part of the series,
    label, file name, or a doc_id prefix), folded by copies (`fold_copies`)."""
    tables = {n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "measure_history" not in tables:
        raise BadArguments("this release has no measure_history table; run `missions ingest` "
                           "again to publish one")
    where, params = ["1"], []
    if measures:
        where.append(f"measure IN ({', '.join('?' for _ in measures)})")
        params.extend(measures)
    if report:
        where.append("(missions_starts(doc_id, ?) OR missions_contains(source_name, ?) OR "
                     "missions_contains(report_label, ?) OR missions_contains(mission_key, ?))")
        params.extend([report.lower(), report, report, report])
    cols, rows = run(con, f"SELECT {', '.join(_FETCH)} FROM measure_history "
                     f"WHERE {' AND '.join(where)}", params)
    found = fold_copies([dict(zip(cols, r, strict=True)) for r in rows], best_copy)
    return list(COLUMNS), found
