"""Ingest the same inputs with two versions of the code and diff every table of the two releases.

Usage: .venv/bin/python bench/release_diff.py [INPUTS...] [--base REF] [--work DIR]

The base version (default: where this branch left main, `git merge-base main HEAD`, so that
what main gained since does not count) is exported from git into DIR/base-src and run from
there; the working tree is the other. Both ingest the same INPUTS (default `samples/`) into fresh
folders with the same Python, and every table of the two releases is compared row for row
(SQLite, sorted rows), leaving out the columns that hold the time of the run. Prints one line
per table and the rows that differ; exits 1 when any table differs.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIMESTAMPS = {"ingested_at", "first_seen", "superseded_at"}  # when the run ran: differ by design


def export(ref: str, where: Path) -> Path:
    """The tree of `ref` as files in `where` (no checkout, no worktree)."""
    shutil.rmtree(where, ignore_errors=True)
    where.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(where)], input=archive, check=True)
    return where


def ingest(code: Path, inputs: list[str], out: Path, prefect_home: Path) -> float:
    """`missions ingest INPUTS --out OUT` run with the code in `code`; its wall time."""
    env = {**os.environ, "PYTHONPATH": str(code), "PREFECT_HOME": str(prefect_home)}
    env.pop("PREFECT_API_URL", None)
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "flows.cli", "ingest", *inputs, "--out", str(out)],
                         cwd=code, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    print(f"{code.name}: exit {run.returncode}: {run.stdout.strip()}")
    if run.returncode not in (0, 3):
        print(run.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"the {code.name} run failed")
    return seconds


def tables(db: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every table of a release's SQLite file: its columns (timestamps left out) and sorted rows."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        names = [n for (n,) in con.execute(
            "select name from sqlite_master where type = 'table' and name not like '%fts%' "
            "order by name")]
        out = {}
        for name in names:
            cols = [r[1] for r in con.execute(f'pragma table_info("{name}")')
                    if r[1] not in TIMESTAMPS]
            quoted = ", ".join(f'"{c}"' for c in cols)
            rows = sorted(con.execute(f'select {quoted} from "{name}"').fetchall(), key=repr)
            out[name] = (cols, rows)
        return out
    finally:
        con.close()


def diff(a: Path, b: Path, show: int = 5) -> bool:
    """Print a line per table; True when every table holds the same rows."""
    left, right = tables(a), tables(b)
    same = True
    for name in sorted(set(left) | set(right)):
        if name not in left or name not in right:
            print(f"  {name}: only in {'head' if name in right else 'base'}")
            same = False
            continue
        (cols_a, rows_a), (cols_b, rows_b) = left[name], right[name]
        if cols_a != cols_b:
            print(f"  {name}: columns differ: {cols_a} != {cols_b}")
            same = False
            continue
        only_a = sorted(set(rows_a) - set(rows_b), key=repr)
        only_b = sorted(set(rows_b) - set(rows_a), key=repr)
        if not only_a and not only_b and len(rows_a) == len(rows_b):
            print(f"  {name}: {len(rows_a)} rows, identical")
            continue
        same = False
        print(f"  {name}: {len(rows_a)} rows in base, {len(rows_b)} in head; "
              f"{len(only_a)} only in base, {len(only_b)} only in head")
        for row in only_a[:show]:
            print(f"    base: {row}")
        for row in only_b[:show]:
            print(f"    head: {row}")
    return same


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("inputs", nargs="*", default=[str(ROOT / "samples")])
    ap.add_argument("--base", default=None, help="git ref of the code to compare with "
                    "(default: git merge-base main HEAD)")
    ap.add_argument("--work", type=Path, default=None, help="folder for both releases "
                    "(default: a temporary one, removed after)")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="missions-release-diff-"))
    inputs = [str(Path(p).resolve()) for p in args.inputs]
    ref = args.base or subprocess.run(["git", "-C", str(ROOT), "merge-base", "main", "HEAD"],
                                      capture_output=True, text=True, check=True).stdout.strip()
    print(f"base: {ref}; head: the working tree of {ROOT}")
    for old in ("base-out", "head-out"):
        shutil.rmtree(work / old, ignore_errors=True)
    try:
        base = export(ref, work / "base-src")
        home = work / "prefect"
        seconds_base = ingest(base, inputs, work / "base-out", home)
        seconds_head = ingest(ROOT, inputs, work / "head-out", home)
        print(f"wall time: base {seconds_base:.1f} s, head {seconds_head:.1f} s")
        same = diff(work / "base-out" / "missions.sqlite", work / "head-out" / "missions.sqlite")
        print("releases identical (timestamps aside)" if same else "releases DIFFER")
        return 0 if same else 1
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
