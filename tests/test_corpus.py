"""The damaged-text corpus (tests/corpus/): one run of the product over every variant, scored by
the honest scorer of bench/stress against the truth beside each file, with measured floors.

The corpus is made by bench/make_corpus.py (seeded: rebuilt byte for byte) from four missions in
four layouts, damaged by bench/noise.py, plus hand-written cases (`hand-*.txt`). The same figures
are printed by `.venv/bin/python bench/evaluate_corpus.py`. Legacy text has no colour marks:
statuses are not scored here (the samples' and the stress set's scores cover them).
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from bench.evaluate_corpus import score_corpus
from bench.stress.pairing import LETTER_FIELDS, DocScore, pair_measures
from bench.stress.score import aggregate, load_truths

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[DocScore]]:
    out = tmp_path_factory.mktemp("corpus") / "out"
    return out, score_corpus(CORPUS, out)


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


def test_every_document_is_published(release: tuple[Path, list[DocScore]]) -> None:
    _out, scores = release
    assert len(scores) == len(list(CORPUS.glob("*.expected.json")))
    assert [d.name for d in scores if d.state != "published"] == []


def test_every_measure_number_dimension_and_horizon(release: tuple[Path, list[DocScore]]) -> None:
    _out, scores = release
    t = aggregate(scores)
    wrong = [p for d in scores for p in d.problems if not p.startswith("LETTER")]
    assert t["found"] == t["expected"] and t["extra"] == 0, wrong[:20]
    assert t["number_right"] == t["number_total"] and t["label_right"] == t["label_total"]
    assert t["dim_right"] == t["horizon_right"] == t["expected"], wrong[:20]


def test_lost_numbers_are_inferred(release: tuple[Path, list[DocScore]]) -> None:
    out, _scores = release
    con = sqlite3.connect(out / "missions.sqlite")
    con.row_factory = sqlite3.Row
    right = total = 0
    for doc, truth in load_truths(CORPUS):
        doc_id = hashlib.sha256(doc.read_bytes()).hexdigest()
        rows = [dict(r) for r in con.execute(
            "select * from measures where doc_id = ? order by page", (doc_id,))]
        for i, j, _sim in pair_measures(truth["measures"], rows):
            total += 1
            right += bool(rows[j]["number_inferred"]) == bool(
                truth["measures"][i].get("number_inferred"))
    assert total == sum(len(t["measures"]) for _d, t in load_truths(CORPUS))
    assert right / total >= 0.98


def test_summary_counts_letters_and_dates(release: tuple[Path, list[DocScore]]) -> None:
    _out, scores = release
    t = aggregate(scores)
    assert t["sum_right"] == t["sum_expected"] and t["sum_extra"] == 0
    assert t["letters_found"] == t["letters_expected"]
    assert t["letter_date_pct"] == 100.0  # dates exactly
    for field in LETTER_FIELDS:  # folded, every field; exactly as written, measured floors
        assert t[f"letter_{field}_lenient_pct"] == 100.0, field
        assert t[f"letter_{field}_pct"] >= 85.0, field


def test_titles(release: tuple[Path, list[DocScore]]) -> None:
    """Exact: equal after NFC and whitespace folding only (measured 88 %: `&` for `à`, an
    accent the repairs could not be sure of); folded similarity (case, accents, quotes) apart."""
    _out, scores = release
    t = aggregate(scores)
    assert t["title_exact_pct"] >= 85.0
    assert t["title_mean"] >= 0.99 and t["title_min"] >= 0.95
