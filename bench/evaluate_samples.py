"""Ingest samples/ into a fresh folder with `missions ingest` and score the release.

Usage: .venv/bin/python bench/evaluate_samples.py [SAMPLES_DIR] [--out DIR] [--json FILE] [-v]

The release is scored by the honest scorer, `bench/stress/score.py` (it reads the SQLite file
and nothing of the product's): per class, the totals and the targets; titles exact only after
NFC and whitespace folding, the folded similarity beside it. Also prints the wall time of the
ingest (cold page cache, fresh --out).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.stress.score import format_report, problems, score_release, to_json


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("samples", nargs="?", default=str(ROOT / "samples"))
    ap.add_argument("--out", default=None, help="release folder (default: a fresh temp folder)")
    ap.add_argument("--json", default=None, help="also write the scores here")
    ap.add_argument("-v", "--verbose", action="store_true", help="list what is wrong, per sample")
    args = ap.parse_args()
    out = Path(args.out or tempfile.mkdtemp(prefix="missions-eval-"))
    if args.out is None:
        shutil.rmtree(out)
    missions = str(ROOT / ".venv" / "bin" / "missions")
    started = time.perf_counter()
    proc = subprocess.run([missions, "ingest", args.samples, "--out", str(out)],
                          capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    print(proc.stdout.strip())
    if proc.returncode not in (0, 3):
        print(proc.stderr, file=sys.stderr)
        return proc.returncode
    scores = score_release(Path(args.samples), out)
    print(format_report(scores))
    con = sqlite3.connect(f"file:{out / 'missions.sqlite'}?mode=ro", uri=True)
    pages, ocr = con.execute("select count(*), sum(method = 'ocr') from pages").fetchone()
    con.close()
    print(f"\nwall time of `missions ingest` (cold cache, fresh --out): {wall:.1f} s; "
          f"{pages} pages ({ocr} OCR) → {pages / wall:.2f} pages/s")
    if args.verbose:
        print("\n" + problems(scores))
    if args.json:
        Path(args.json).write_text(json.dumps({"wall_seconds": wall, "pages": pages,
                                               **to_json(scores)}, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
