"""Writes a stress set: N drawn-and-scanned documents, each with its `.expected.json` truth.

Usage: python -m bench.stress.generate OUT_DIR [--n 160] [--seed 1] [--jobs 1]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from bench.stress.document import build_document

IGNORE = "*.expected.json\n*.json\n"


def write_document(out: Path, seed: int, index: int) -> dict[str, Any]:
    """Draws document index, writes it and its truth into out; returns the truth."""
    name, data, truth = build_document(seed, index)
    (out / name).write_bytes(data)
    (out / f"{name}.expected.json").write_text(
        json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return truth


def generate(out: Path, n: int = 160, seed: int = 1, jobs: int = 1) -> list[dict[str, Any]]:
    """The whole set into out (created); truths in index order."""
    out.mkdir(parents=True, exist_ok=True)
    (out / ".missionsignore").write_text(IGNORE, encoding="utf-8")
    if jobs <= 1:
        return [write_document(out, seed, i) for i in range(n)]
    with ProcessPoolExecutor(jobs) as pool:
        return list(pool.map(write_document, [out] * n, [seed] * n, range(n), chunksize=4))


def describe(truths: list[dict[str, Any]]) -> str:
    """Pages, measures and how many documents carry each class."""
    pages = sum(t["n_pages"] for t in truths)
    measures = sum(len(t["measures"]) for t in truths)
    tags = Counter(c for t in truths for c in t["classes"])
    lines = [f"{len(truths)} documents, {pages} pages, {measures} measures"]
    lines += [f"  {tag:28} {k}" for tag, k in sorted(tags.items())]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--n", type=int, default=160)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=1, help="processes (the machine is shared)")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    truths = generate(args.out, args.n, args.seed, args.jobs)
    if not args.quiet:
        print(describe(truths))
    size = max((args.out / t["source"]).stat().st_size for t in truths)
    print(f"written to {args.out} in {time.perf_counter() - t0:.1f} s "
          f"(largest file {size / 1e6:.2f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
