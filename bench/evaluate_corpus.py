"""Run the extractors on every document of the damaged-text corpus and print per-field scores.

Usage: .venv/bin/python bench/evaluate_corpus.py [CORPUS_DIR] [--out bench/results/corpus.md]
                                                  [--label NAME] [-v]

No CLI or Prefect: each file goes through `extractors.document.process_file`. Prints, and writes
as markdown and JSON, the precision and recall of each field over the corpus (measures found,
numbers, inferred-number flags, dimensions, horizons, summary counts, letters, letter fields,
dates) and the mean title similarity; `-v` lists what each document got wrong.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flows.evaluation import evaluate_folder


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", default=str(ROOT / "tests" / "corpus"))
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "corpus.md"))
    ap.add_argument("--label", default="current code")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    started = time.perf_counter()
    score = evaluate_folder(Path(args.corpus))
    wall = time.perf_counter() - started
    table = score.markdown()
    print(table)
    print(f"\n{len(score.documents)} documents in {wall:.1f} s")
    wrong = [(d.source, w) for d in score.documents for w in d.wrong]
    for source, w in wrong if args.verbose else []:
        print(f"  {source}: {w}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(f"# Corpus evaluation ({args.label})\n\n{len(score.documents)} documents "
                   f"from `{Path(args.corpus).relative_to(ROOT) if Path(args.corpus).is_relative_to(ROOT) else args.corpus}`.\n\n"
                   f"{table}\n", encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps({
        "label": args.label, "documents": len(score.documents),
        "mean_title_similarity": round(score.mean_title_similarity, 4), "fields": score.rows(),
        "wrong": [{"source": s, "what": w} for s, w in wrong]}, indent=1, ensure_ascii=False),
        encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
