"""Prints what applying the correction store costs a publish: the machine's reading restored and
the store applied again, over a synthetic release of D documents × M measures with C corrections.

    .venv/bin/python bench/bench_corrections.py [--documents 2000] [--measures 20] [--corrections 2000]
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flows.corrections.overlay import corrected_frames, machine_frames
from flows.corrections.store import Correction
from flows.release.tables import empty_frames, frame_from_rows, with_series_tables
from models.records import STATUSES
from models.schema import table


def synthetic(documents: int, measures: int) -> dict:
    rng = random.Random(17)
    frames = empty_frames()
    docs, rows, checks, reports = [], [], [], []
    for d in range(documents):
        doc_id = f"{d:064x}"
        docs.append((doc_id, f"doc-{d}.pdf", "report", 3, "published", None, "bench",
                     "2026-01-01T00:00:00Z", "pdf", 1000, 0, 0))
        reports.append((doc_id, None, f"Mission {d % 50}", f"20{10 + d % 10}-01-01", "text",
                        None, None))
        for p in range(1, measures + 1):
            status = rng.choice((*STATUSES, None))
            rows.append((doc_id, 2, p, 0, f"Mesure {p} du document {d}", "strategique", None, None,
                         status, "legend-colour" if status else None, None, 0.9, "rule", None, p,
                         str(p), None if status else "no-mark", None))
        checks += [(doc_id, 1, s, 5, 0, 0, 0) for s in STATUSES]
    frames["documents"] = frame_from_rows(table("documents"), docs)
    frames["measures"] = frame_from_rows(table("measures"), rows)
    frames["status_checks"] = frame_from_rows(table("status_checks"), checks)
    frames["reports"] = frame_from_rows(table("reports"), reports)
    return with_series_tables(frames)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--measures", type=int, default=20)
    parser.add_argument("--corrections", type=int, default=2000)
    args = parser.parse_args()
    frames = synthetic(args.documents, args.measures)
    rng = random.Random(17)
    measures = frames["measures"]
    picks = rng.sample(range(len(measures)), min(args.corrections, len(measures)))
    store = []
    for n, i in enumerate(picks, start=1):
        row = measures.iloc[i]
        status = None if row["status"] is None or str(row["status"]) == "<NA>" else row["status"]
        store.append(Correction(row["doc_id"], "x", "measure", 2, int(row["position"]),
                                str(row["label"]), "status", status, "satisfaisant", "bench",
                                "2026-01-01T00:00:00Z", correction_id=f"b.jsonl:{n}"))
    started = time.perf_counter()
    machine = machine_frames(frames)
    restored = time.perf_counter()
    published = corrected_frames(machine, store)
    applied = time.perf_counter()
    again = machine_frames(published)
    undone = time.perf_counter()
    with_series_tables(published)
    series = time.perf_counter() - undone
    states = published["corrections"]["state"].value_counts().to_dict()
    print(f"{args.documents} documents, {len(measures)} measures, {len(store)} corrections "
          f"({states})")
    print(f"machine_frames (nothing to undo): {restored - started:.2f} s; corrected_frames "
          f"(store applied, checks counted, series set again): {applied - restored:.2f} s; "
          f"machine_frames (every correction undone): {undone - applied:.2f} s; for "
          f"comparison, setting the series alone (every publish does): {series:.2f} s")
    assert again["measures"].equals(machine["measures"])


if __name__ == "__main__":
    main()
