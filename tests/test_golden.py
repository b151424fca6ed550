"""Every sample's published records against the truth beside it, scored by the honest scorer of
bench/stress (it reads the release's SQLite and imports nothing of the product's)."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from bench.stress.pairing import LETTER_FIELDS, DocScore, exact_form, pair_measures, similarity
from bench.stress.score import score_release
from extractors.sources import sha256_file
from tests.conftest import SAMPLES as SAMPLES_DIR
from tests.conftest import Release, all_truths, expected_samples, load_expected

SAMPLES = expected_samples()
NAMES = sorted(all_truths())  # every sample, samples/status/ included, by its relative path
DETERMINISTIC = ("rapport-2020-legacy.txt", "suivi-2021-born-digital.pdf")  # no OCR in between


@pytest.fixture(scope="module")
def scores(sample_release: Release) -> dict[str, DocScore]:
    return {d.name: d for d in score_release(SAMPLES_DIR, sample_release.out)}


def _doc(path: Path) -> str:
    return sha256_file(path.with_name(path.name.removesuffix(".expected.json")))


def test_every_sample_has_expected_records() -> None:
    assert len(SAMPLES) >= 4
    kinds = {p.name.removesuffix(".expected.json").rsplit(".", 1)[-1] for p in SAMPLES}
    assert {"pdf", "tif", "txt"} <= kinds


@pytest.mark.parametrize("name", NAMES)
def test_sample_measures_structure(sample_release: Release, scores: dict[str, DocScore],
                                   name: str) -> None:
    expected = all_truths()[name]
    docs = sample_release.frames["documents"]
    row = docs[docs["doc_id"] == _doc(SAMPLES_DIR / f"{name}.expected.json")].iloc[0]
    assert (row["state"], row["kind"], int(row["n_pages"])) == (
        "published", expected["kind"], expected["n_pages"])
    score, n = scores[name], len(expected["measures"])
    assert score.expected == score.found == n and score.extra == 0, score.problems
    assert score.dim_right == score.horizon_right == n, score.problems
    assert score.number_right == score.number_total and score.label_right == score.label_total


@pytest.mark.parametrize("name", DETERMINISTIC)
def test_lost_numbers_are_inferred_exactly_on_deterministic_inputs(sample_release: Release,
                                                                  name: str) -> None:
    truth = all_truths()[name]
    con = sqlite3.connect(sample_release.out / "missions.sqlite")
    con.row_factory = sqlite3.Row
    rows = [dict(r) for r in con.execute("select * from measures where doc_id = ? order by page",
                                         (_doc(SAMPLES_DIR / f"{name}.expected.json"),))]
    pairs = pair_measures(truth["measures"], rows)
    assert len(pairs) == len(truth["measures"])
    assert all(bool(rows[j]["number_inferred"]) == bool(truth["measures"][i].get("number_inferred"))
               for i, j, _sim in pairs)


@pytest.mark.parametrize("name", NAMES)
def test_sample_titles(scores: dict[str, DocScore], name: str) -> None:
    """Exact means equal after NFC and whitespace folding only; the folded similarity (case,
    accents, quotes) is a separate, looser figure."""
    exact = [e for e, _sim in scores[name].titles]
    folded = [sim for _e, sim in scores[name].titles]
    if name in DETERMINISTIC:  # a text layer, legacy text: titles exactly as written
        assert all(exact), scores[name].problems
    else:  # OCR: measured (at most one title per sample differs, in case or a quote)
        assert len(exact) - sum(exact) <= 1
        assert sum(folded) / len(folded) >= 0.98 and min(folded) >= 0.9


@pytest.mark.parametrize("name", NAMES)
def test_sample_status_counts_and_letter(sample_release: Release, scores: dict[str, DocScore],
                                         name: str) -> None:
    score = scores[name]
    assert score.sum_right == score.sum_expected and score.sum_extra == 0, score.problems
    assert score.letters_found == score.letters_expected == len(all_truths()[name]["letters"])
    for field in LETTER_FIELDS:  # every letter field exactly as written (NFC, spaces folded)
        assert score.letter_exact[field] == score.letters_expected, (field, score.problems)


def test_statuses_never_guessed(sample_release: Release) -> None:
    """Statuses are the true ones where the page shows them (coloured marks keyed by its legend),
    NULL only where it cannot (text only, a grey scan); a status always carries its source."""
    m = sample_release.frames["measures"]
    assert (m["status"].isna() == m["status_source"].isna()).all()
    for exp_path in sorted(SAMPLES_DIR.rglob("*.expected.json")):
        expected = load_expected(exp_path)
        rows = m[m["doc_id"] == _doc(exp_path)]
        got = {int(r["position"]): (None if pd.isna(r["status"]) else r["status"])
               for _, r in rows.iterrows()}
        legible = expected.get("statuses_legible", True)
        want = {e.get("position", i): e["status"] if legible else None
                for i, e in enumerate(expected["measures"], start=1)}
        assert got == want, exp_path.name
        sources = set(rows["status_source"].dropna())
        assert sources == ({"legend-colour"} if legible else set()), exp_path.name


def test_measures_carry_provenance(sample_release: Release) -> None:
    m = sample_release.frames["measures"].merge(
        sample_release.frames["pages"][["doc_id", "page", "method", "width_px", "height_px"]],
        on=["doc_id", "page"])
    boxed = m[m["method"] != "legacy-text"]
    assert boxed["bbox"].notna().all()
    for _, row in boxed.iterrows():
        x0, y0, x1, y1 = (float(v) for v in row["bbox"].split(","))
        assert 0 <= x0 < x1 <= row["width_px"] + 1 and 0 <= y0 < y1 <= row["height_px"] + 1
    assert m[m["method"] == "legacy-text"]["bbox"].isna().all()
    assert m["confidence"].between(0, 1).all()
    assert m["rule"].notna().all()


def test_letter_fields_present(sample_release: Release) -> None:
    letters = sample_release.frames["letters"]
    assert len(letters) == sum(len(e["letters"]) for e in all_truths().values())
    for name in LETTER_FIELDS:
        assert letters[name].notna().all(), name


def test_exact_means_nfc_and_spaces_only() -> None:
    assert exact_form("l'E\u0301tat\u00a0 a") == exact_form("l'État a")
    assert exact_form("l’État") != exact_form("l'État")  # a quote is a difference
    assert similarity("l’État", "l'état") == 1.0  # … that the folded figure forgives
