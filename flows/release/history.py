"""Versions of a file and files no longer there: bytes replaced under the same name, and names
gone from the inbox or now ignored, leave the current rows for the `superseded` table (a
corrected copy does not stand beside the version it corrects; the release describes the inbox
as it is now)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from flows.release.tables import HISTORY_TABLE, conform_frame, empty_frame, frame_from_rows
from models.schema import table


def _names_of(frames: Mapping[str, pd.DataFrame]) -> dict[str, set[str]]:
    """Every name each document of the release is known under."""
    names: dict[str, set[str]] = {}
    for name in ("documents", "document_names"):
        frame = frames.get(name)
        if frame is not None and not frame.empty:
            for doc_id, source in zip(frame["doc_id"], frame["source_name"], strict=True):
                if doc_id is not pd.NA and source is not pd.NA:
                    names.setdefault(doc_id, set()).add(source)
    return names


def supersede(previous: Mapping[str, pd.DataFrame], seen: Sequence[tuple[str, str]],
              states: Mapping[str, str], when: str) -> tuple[dict[str, pd.DataFrame], int]:
    """The previous release without the versions that this run's files replace, and the
    `superseded` rows that record them; returns the frames and how many versions left.

    A document leaves the current rows when every name it is known under now holds other bytes
    (`seen`: (doc_id, name) of every entry this run found). A published version gives way only
    to a version that was published (`states`: doc_id -> state of the new bytes), so a copy in
    progress or a damaged replacement never hides what was there; a quarantined version gives
    way to any other bytes. A document that keeps other names only loses the names taken.
    """
    frames = dict(previous)
    docs = frames.get("documents")
    if docs is None or docs.empty:
        return frames, 0
    holder = {name: doc_id for doc_id, name in seen}
    known = _names_of(frames)
    gone: dict[str, str] = {}  # doc_id -> the name whose new bytes replace it
    renamed: dict[str, set[str]] = {}  # doc_id -> names it loses (it keeps others)
    for row in docs.itertuples(index=False):
        doc_id = row.doc_id
        taken = {n for n in known.get(doc_id, set()) if holder.get(n, doc_id) != doc_id
                 and (row.state == "quarantined" or states.get(holder[n]) == "published")}
        if not taken:
            continue
        if known[doc_id] - taken:
            renamed[doc_id] = taken
        else:
            gone[doc_id] = row.source_name if row.source_name in taken else min(taken)
    if not gone and not renamed:
        return frames, 0
    history = _history_rows(frames, gone, {n: (holder[n], "replaced") for n in gone.values()},
                            when)
    return _leave(previous, frames, gone, renamed, history), len(gone) + len(renamed)


def withdraw(previous: Mapping[str, pd.DataFrame], missing: Mapping[str, str], when: str
             ) -> tuple[dict[str, pd.DataFrame], int]:
    """The release without the names this run did not find where they were (`missing`: name ->
    `gone` or `ignored`, see flows.pipeline.discover): a document none of whose names is left
    leaves the current rows for `superseded` (with the reason, and no replacement); one that
    keeps other names only loses these. Returns the frames and how many documents changed."""
    frames = dict(previous)
    docs = frames.get("documents")
    if docs is None or docs.empty or not missing:
        return frames, 0
    known = _names_of(frames)
    gone: dict[str, str] = {}
    renamed: dict[str, set[str]] = {}
    for doc_id, source in zip(docs["doc_id"], docs["source_name"], strict=True):
        taken = {n for n in known.get(doc_id, set()) if n in missing}
        if not taken:
            continue
        if known[doc_id] - taken:
            renamed[doc_id] = taken
        else:
            gone[doc_id] = source if source in taken else min(taken)
    if not gone and not renamed:
        return frames, 0
    history = _history_rows(frames, gone, {n: (None, missing[n]) for n in gone.values()}, when)
    return _leave(previous, frames, gone, renamed, history), len(gone) + len(renamed)


def _leave(previous: Mapping[str, pd.DataFrame], frames: dict[str, pd.DataFrame],
           gone: Mapping[str, str], renamed: Mapping[str, set[str]], history: pd.DataFrame
           ) -> dict[str, pd.DataFrame]:
    """`frames` without the documents `gone` and the names `renamed` lose, `history` added."""
    for name, frame in frames.items():
        if name != HISTORY_TABLE and "doc_id" in frame.columns and not frame.empty:
            keep = ~frame["doc_id"].isin(set(gone)).fillna(False).to_numpy(dtype=bool)
            frames[name] = frame[keep]
    frames = _drop_names(frames, renamed)
    old = conform_frame(HISTORY_TABLE, previous.get(HISTORY_TABLE))
    frames[HISTORY_TABLE] = pd.concat([f for f in (old, history) if not f.empty]
                                      or [empty_frame(HISTORY_TABLE)], ignore_index=True)
    return frames


def _history_rows(frames: Mapping[str, pd.DataFrame], gone: Mapping[str, str],
                  after: Mapping[str, tuple[str | None, str]], when: str) -> pd.DataFrame:
    """A `superseded` row per document gone (doc_id -> its name), with what now stands under
    that name (`after`: name -> (doc_id or None, reason))."""
    docs = frames["documents"]
    measures = frames.get("measures")
    counts = (measures["doc_id"].value_counts().to_dict()
              if measures is not None and not measures.empty else {})
    rows: list[tuple[Any, ...]] = []
    for row in docs[docs["doc_id"].isin(set(gone)).to_numpy(dtype=bool)].itertuples(index=False):
        name = gone[row.doc_id]
        by, reason = after[name]
        rows.append((row.doc_id, name, by, when, row.state, row.kind, row.n_pages,
                     int(counts.get(row.doc_id, 0)), row.ingested_at, row.pipeline_version,
                     reason))
    clean = [tuple(None if v is pd.NA else v for v in r) for r in rows]
    return frame_from_rows(table(HISTORY_TABLE), clean)


def _drop_names(frames: dict[str, pd.DataFrame], renamed: Mapping[str, set[str]]
                ) -> dict[str, pd.DataFrame]:
    """Documents that keep other names lose the ones now holding other bytes (and take one of
    their remaining names as source_name when theirs was taken)."""
    if not renamed:
        return frames
    names = frames.get("document_names")
    remaining: dict[str, set[str]] = {}
    if names is not None and not names.empty:
        pairs = list(zip(names["doc_id"], names["source_name"], strict=True))
        keep = [n not in renamed.get(d, set()) for d, n in pairs]
        frames["document_names"] = names[keep]
        for (d, n), k in zip(pairs, keep, strict=True):
            if k and d in renamed:
                remaining.setdefault(d, set()).add(n)
    docs = frames["documents"].copy()
    for i, (doc_id, source) in enumerate(zip(docs["doc_id"], docs["source_name"], strict=True)):
        if doc_id in renamed and source in renamed[doc_id] and remaining.get(doc_id):
            docs.iloc[i, docs.columns.get_loc("source_name")] = min(remaining[doc_id])
    frames["documents"] = docs
    return frames
