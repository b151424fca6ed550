"""Corrections applied to a release's tables, deterministically: the machine's reading restored
first, then every correction of the store applied, flagged stale or orphan, or superseded; the
status checks and the series computed again over the corrected values."""
from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from flows.corrections.store import FIELDS, INT, LETTER, MEASURE, Correction
from flows.release.tables import conform_frame, frame_from_rows, sort_frame, with_series_tables
from models.schema import table

log = logging.getLogger("missions")
TABLE_OF = {MEASURE: "measures", LETTER: "letters"}
IDENTITY = {MEASURE: "position", LETTER: "page"}  # a row's place, kept in machine_columns
CORRECTION_SOURCE = "correction"  # measures.status_source (and status_reason when cleared)
APPLIED, STALE, ORPHAN, SUPERSEDED = "applied", "stale", "orphan", "superseded"


def plain(value: Any) -> Any:
    """None for every missing value pandas hands back; numpy scalars as Python ones."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def as_text(value: Any) -> str | None:
    """A cell as a correction records it: text, or None."""
    value = plain(value)
    return None if value is None else str(value)


def _typed(target: str, field: str, value: str | None) -> Any:
    if value is None:
        return pd.NA
    return int(value) if FIELDS[target][field] == INT else value


def side_columns(target: str, field: str, value: str | None) -> dict[str, Any]:
    """Every column a correction of `field` sets: the field, and what says how it was read."""
    cols: dict[str, Any] = {field: _typed(target, field, value)}
    if target == MEASURE and field == "status":
        cols["status_source"] = CORRECTION_SOURCE
        cols["status_reason"] = pd.NA if value is not None else CORRECTION_SOURCE
    if target == MEASURE and field == "number":
        cols["number_inferred"] = 0
    return cols


class Rows:
    """Where each measure (doc_id, position) and each letter (doc_id, page) stands in its frame."""

    def __init__(self, frames: Mapping[str, pd.DataFrame]) -> None:
        self.frames = {t: frames[TABLE_OF[t]] for t in TABLE_OF}
        self.columns: dict[str, dict[str, list[Any]]] = {t: {} for t in TABLE_OF}  # as lists
        self.changed: dict[str, set[str]] = {t: set() for t in TABLE_OF}
        self.index: dict[str, dict[tuple[str, int], int]] = {}
        self.labels: dict[tuple[str, str], list[int]] = {}
        for target, frame in self.frames.items():
            where = "position" if target == MEASURE else "page"
            ids = zip(frame["doc_id"], frame[where], range(len(frame)), strict=True)
            self.index[target] = {(d, int(w)): i for d, w, i in ids if plain(w) is not None}
        for d, label, i in zip(self.frames[MEASURE]["doc_id"], self._column(MEASURE, "label"),
                               range(len(self.frames[MEASURE])), strict=True):
            if label is not None:
                self.labels.setdefault((d, str(label).casefold()), []).append(i)

    def _column(self, target: str, column: str) -> list[Any]:
        kept = self.columns[target]
        if column not in kept:
            kept[column] = [plain(v) for v in self.frames[target][column]]
        return kept[column]

    def find(self, c: Correction) -> int | None:
        """The row a correction is for: its place (and printed label, where both have one),
        else the one measure of the document with its label; None when gone."""
        where = c.position if c.target == MEASURE else c.page
        i = self.index[c.target].get((c.doc_id, int(where))) if where is not None else None
        if c.target == LETTER or c.label is None:
            return i
        if i is not None:
            label = as_text(self.get(MEASURE, i, "label"))
            if label is None or label.casefold() == c.label.casefold():
                return i
        same = self.labels.get((c.doc_id, c.label.casefold()), [])
        return same[0] if len(same) == 1 else None

    def get(self, target: str, i: int, column: str) -> Any:
        return self._column(target, column)[i]

    def set(self, target: str, i: int, column: str, value: Any) -> None:
        self._column(target, column)[i] = None if value is pd.NA else value
        self.changed[target].add(column)

    def frame(self, target: str) -> pd.DataFrame:
        """The target's table with every value set, in the schema's dtypes."""
        frame = self.frames[target].copy()
        for column in self.changed[target]:
            frame[column] = pd.array(self.columns[target][column], dtype=frame[column].dtype)
        return conform_frame(TABLE_OF[target], frame)


def machine_frames(frames: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The tables as the machine read them: every correction the release applied undone (the
    release keeps each overwritten machine value in `corrections.machine_columns`) and the
    status checks counted again; the series tables are left to the merge, which sets them
    again over every document."""
    out = dict(frames)
    previous = frames.get("corrections")
    rows = Rows(frames)
    if previous is not None and not previous.empty:
        for r in previous[(previous["state"] == APPLIED).fillna(False).to_numpy(dtype=bool)
                          ].to_dict("records"):
            c = _from_row(r)
            if plain(r["machine_columns"]) is None:
                continue
            kept = json.loads(r["machine_columns"])
            where = IDENTITY[c.target]  # the row it was applied to (found by label, maybe)
            at = kept.get(where, c.position if c.target == MEASURE else c.page)
            i = rows.index[c.target].get((c.doc_id, int(at)))
            if i is None:
                continue
            for column, value in kept.items():
                rows.set(c.target, i, column, pd.NA if value is None else value)
    for target, name in TABLE_OF.items():
        frame = rows.frame(target)
        frame["corrected_fields"] = pd.array([None] * len(frame), dtype="string")
        out[name] = frame
    out["corrections"] = conform_frame("corrections", None)
    if "status_checks" in frames:
        out["status_checks"] = recount(frames["status_checks"], out["measures"])
    return out


def _from_row(r: Mapping[str, Any]) -> Correction:
    return Correction(
        doc_id=r["doc_id"], source_name=as_text(r["source_name"]) or "", target=r["target"],
        page=int(r["page"]), position=plain(r["position"]), label=as_text(r["label"]),
        field=r["field"], machine_value=as_text(r["machine_value"]), value=as_text(r["value"]),
        corrected_by=as_text(r["corrected_by"]) or "", corrected_at=as_text(r["corrected_at"]) or "",
        why=as_text(r["why"]), correction_id=as_text(r["correction_id"]) or "")


def written_order(c: Correction) -> tuple[str, str, int]:
    """When it was made, then its batch and line: the order the store was written in."""
    batch, _, line = c.correction_id.rpartition(":")
    return (c.corrected_at, batch, int(line) if line.isdigit() else 0)


def corrected_frames(machine: Mapping[str, pd.DataFrame], store: Sequence[Correction],
                     series_set: bool = False) -> dict[str, pd.DataFrame]:
    """`machine` (tables with no correction applied: `machine_frames`) with the store applied:
    the latest correction of each field applied when the machine still reads what it read when
    the person corrected it, else flagged stale; orphan when its row is gone; earlier ones of
    the same field superseded. Every correction is a row of `corrections`, with its state.
    The series are set again over the corrected values, unless `series_set` (the caller has
    just set them over `machine`) and no correction was applied."""
    rows = Rows(machine)
    latest: dict[tuple[Any, ...], Correction] = {}
    ordered = sorted(store, key=written_order)
    for c in ordered:
        latest[(c.doc_id, c.target, c.position if c.target == MEASURE else c.page, c.field)] = c
    winners = {id(c) for c in latest.values()}
    corrected: dict[tuple[str, int], list[str]] = {}
    out_rows = []
    for c in ordered:
        i = rows.find(c)
        now = None if i is None else as_text(rows.get(c.target, i, c.field))
        overwritten = None
        if i is None:
            state = ORPHAN
        elif id(c) not in winners:
            state = SUPERSEDED
        elif now != c.machine_value:
            state = STALE
        else:
            state = APPLIED
            cols = side_columns(c.target, c.field, c.value)
            kept = {k: rows.get(c.target, i, k) for k in (IDENTITY[c.target], *cols)}
            overwritten = json.dumps(kept, ensure_ascii=False, sort_keys=True)
            for column, value in cols.items():
                rows.set(c.target, i, column, value)
            corrected.setdefault((c.target, i), []).append(c.field)
        out_rows.append((c.correction_id, c.doc_id, c.source_name, c.target, c.page,
                         c.position, c.label, c.field, c.machine_value, c.value, now, state,
                         c.corrected_by, c.corrected_at, c.why, overwritten))
    for (target, i), fields in corrected.items():
        rows.set(target, i, "corrected_fields", ",".join(dict.fromkeys(fields)))
    out = dict(machine)
    for target, name in TABLE_OF.items():
        out[name] = rows.frame(target)
    out["corrections"] = sort_frame("corrections", frame_from_rows(table("corrections"), out_rows))
    out["status_checks"] = recount(out["status_checks"], out["measures"])
    stale = sum(r[11] == STALE for r in out_rows)
    if stale:
        log.warning("%d correction(s) are stale: the machine now reads something else than when "
                    "they were made; they are not applied (see the corrections table, or "
                    "`missions review`)", stale)
    if series_set and not corrected:
        return out
    return with_series_tables(out)


def recount(checks: pd.DataFrame, measures: pd.DataFrame) -> pd.DataFrame:
    """The status checks with read_count, unread_count and agrees counted again over the
    measures as published (corrections included)."""
    if checks.empty:
        return checks
    read: dict[tuple[str, str], int] = {}
    unread: dict[str, int] = {}
    for d, s in zip(measures["doc_id"], measures["status"], strict=True):
        if plain(s) is None:
            unread[d] = unread.get(d, 0) + 1
        else:
            read[(d, s)] = read.get((d, s), 0) + 1
    out = checks.copy()
    counts = [read.get((d, s), 0) for d, s in zip(out["doc_id"], out["status"], strict=True)]
    out["read_count"] = pd.array(counts, dtype="Int64")
    out["unread_count"] = pd.array([unread.get(d, 0) for d in out["doc_id"]], dtype="Int64")
    out["agrees"] = pd.array([int(plain(s) == r) for s, r in zip(out["stated_count"], counts,
                                                                  strict=True)], dtype="Int64")
    return conform_frame("status_checks", out)
