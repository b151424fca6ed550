"""The damaged-text corpus (tests/corpus/): the extractors against every variant, with thresholds.

The corpus is made by bench/make_corpus.py (seeded: rebuilt byte for byte) from four missions in
four layouts, damaged by bench/noise.py, plus hand-written cases (`hand-*.txt`). The same figures
are printed by `.venv/bin/python bench/evaluate_corpus.py`.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from flows.evaluation import CorpusScore, evaluate_folder

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="module")
def score() -> CorpusScore:
    return evaluate_folder(CORPUS)


def test_corpus_is_large_and_varied() -> None:
    generated = sorted(CORPUS.glob("gen-*.txt"))
    assert len(generated) >= 40
    assert len({p.name.split("-")[2] for p in generated}) >= 3  # layouts
    assert len({p.name.split("-")[1] for p in generated}) >= 3  # missions
    assert sorted(CORPUS.glob("hand-*.txt"))
    kinds: set[str] = set()
    for path in generated:
        kinds |= set(json.loads(Path(f"{path}.expected.json").read_text(encoding="utf-8"))["damage"])
    from bench.noise import KINDS

    assert kinds == set(KINDS)  # every kind of damage the model knows is in the corpus


def test_noise_is_reproducible() -> None:
    from bench.noise import Block, damage_pages

    page = [[Block("Rendre immédiatement accessible l'existant pour agir dès à présent", "measure",
                   number=1, prefix="1. ", style="dot", wrap=30)]]
    assert damage_pages(page, 7).text() == damage_pages(page, 7).text()


def test_every_measure_number_and_dimension(score: CorpusScore) -> None:
    totals = score.totals()
    wrong = [f"{d.source}: {w}" for d in score.documents for w in d.wrong]
    for name in ("measures", "numbers", "dimensions", "horizons"):
        fc = totals[name]
        assert fc.right == fc.found == fc.expected, (name, wrong[:20])
    assert totals["inferred"].recall >= 0.98, wrong[:20]


def test_summary_counts_and_letter_dates(score: CorpusScore) -> None:
    totals = score.totals()
    wrong = [f"{d.source}: {w}" for d in score.documents for w in d.wrong]
    for name in ("summary", "dates", "letters"):
        fc = totals[name]
        assert fc.right == fc.found == fc.expected, (name, wrong[:20])
    assert totals["letter_fields"].precision >= 0.95 and totals["letter_fields"].recall >= 0.95


def test_titles(score: CorpusScore) -> None:
    assert score.mean_title_similarity >= 0.99
    assert min(x for d in score.documents for x in d.title_similarity) >= 0.9
