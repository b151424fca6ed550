"""Ingest the damaged-text corpus into a fresh release and score it with the honest scorer.

Usage: .venv/bin/python bench/evaluate_corpus.py [CORPUS_DIR] [--out bench/results/corpus.md] [-v]

Every `*.txt` of the corpus goes through one run of the product (`flows.pipeline.run.ingest`:
the run the CLI and the flow drive, no Prefect: legacy text needs no reader process), into a
temporary folder; the release is then scored by `bench/stress/score.py` against the
`.expected.json` beside each file (it reads the SQLite file and nothing of the product's).
Prints the per-class table, the totals and the targets, and writes them to
`bench/results/corpus.md` and `.json`; `-v` lists what each document got wrong.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.stress.pairing import DocScore
from bench.stress.score import format_report, problems, score_release, to_json


def score_corpus(corpus: Path, out: Path) -> list[DocScore]:
    """Ingest every `*.txt` of `corpus` into `out` and score the release against the truths."""
    from flows.pipeline.run import ingest

    ingest(sorted(corpus.glob("*.txt")), out)
    return score_release(corpus, out)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", default=str(ROOT / "tests" / "corpus"))
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "corpus.md"))
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    corpus = Path(args.corpus)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="missions-corpus-") as tmp:
        scores = score_corpus(corpus, Path(tmp) / "out")
    wall = time.perf_counter() - started
    table = format_report(scores)
    print(table)
    print(f"\n{len(scores)} documents ingested and scored in {wall:.1f} s")
    if args.verbose:
        print("\n" + problems(scores))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    shown = corpus.relative_to(ROOT) if corpus.resolve().is_relative_to(ROOT) else corpus
    out.write_text(f"# Corpus evaluation\n\n{len(scores)} documents from `{shown}`, ingested by "
                   f"one run and scored by bench/stress/score.py.\n\n{table}\n", encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps(to_json(scores), ensure_ascii=False,
                                                   indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
