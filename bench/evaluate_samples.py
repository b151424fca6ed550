"""Ingest samples/ into a fresh folder and print the per-sample accuracy table and timings.

Usage: .venv/bin/python bench/evaluate_samples.py [SAMPLES_DIR] [--out DIR] [--json FILE]
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flows.evaluation import format_table, score_release
from flows.release.layout import read_release


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("samples", nargs="?", default=str(ROOT / "samples"))
    ap.add_argument("--out", default=None, help="release folder (default: a fresh temp folder)")
    ap.add_argument("--json", default=None, help="also write the scores here")
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
    frames = read_release(out)
    pages = frames["pages"]
    ocr_pages = int((pages["method"] == "ocr").sum())
    scores = score_release(Path(args.samples), frames)
    rows = [s.row() for s in scores]
    print(format_table(rows))
    print(f"\nwall time of `missions ingest` (cold cache, fresh --out): {wall:.1f} s; "
          f"{len(pages)} pages ({ocr_pages} OCR) → {len(pages) / wall:.2f} pages/s")
    for s in scores:
        for w in s.wrong:
            print(f"  {s.source}: {w}")
    if args.json:
        Path(args.json).write_text(json.dumps({"wall_seconds": wall, "pages": len(pages),
                                               "scores": rows}, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
