"""Every sample's published records against the expected records beside it."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from extractors.sources import sha256_file
from flows.evaluation import LETTER_FIELDS, score_sample, similarity
from tests.conftest import SAMPLES as SAMPLES_DIR
from tests.conftest import Release, all_truths, expected_samples, load_expected

SAMPLES = expected_samples()


def _doc(release: Release, path: Path) -> str:
    doc = path.with_name(path.name.removesuffix(".expected.json"))
    return sha256_file(doc)


def test_every_sample_has_expected_records() -> None:
    assert len(SAMPLES) >= 4
    kinds = {p.name.removesuffix(".expected.json").rsplit(".", 1)[-1] for p in SAMPLES}
    assert {"pdf", "tif", "txt"} <= kinds


@pytest.mark.parametrize("exp_path", SAMPLES, ids=lambda p: p.name.removesuffix(".expected.json"))
def test_sample_measures_structure(sample_release: Release, exp_path: Path) -> None:
    expected = load_expected(exp_path)
    doc_id = _doc(sample_release, exp_path)
    docs = sample_release.frames["documents"]
    row = docs[docs["doc_id"] == doc_id].iloc[0]
    assert row["state"] == "published"
    assert row["kind"] == expected["kind"]
    assert int(row["n_pages"]) == expected["n_pages"]
    score = score_sample(expected, sample_release.frames, doc_id)
    n = len(expected["measures"])
    assert score.measures_found == score.measures_expected == n, score.wrong
    assert score.measures_extra == 0
    assert score.dimensions_right == n and score.horizons_right == n, score.wrong
    if exp_path.name.endswith((".txt.expected.json", "born-digital.pdf.expected.json")):
        assert score.inferred_right == n  # deterministic input: exactly the lost numbers


@pytest.mark.parametrize("exp_path", SAMPLES, ids=lambda p: p.name.removesuffix(".expected.json"))
def test_sample_titles(sample_release: Release, exp_path: Path) -> None:
    expected = load_expected(exp_path)
    score = score_sample(expected, sample_release.frames, _doc(sample_release, exp_path))
    deterministic = exp_path.name.endswith(("born-digital.pdf.expected.json",))
    if deterministic:  # a text layer: titles exactly as printed (typography normalised)
        assert min(score.title_similarity) == 1.0, score.wrong
    else:  # OCR and legacy text: measured thresholds
        assert score.mean_title_similarity >= 0.98, score.wrong
        assert min(score.title_similarity) >= 0.9, score.wrong


@pytest.mark.parametrize("exp_path", SAMPLES, ids=lambda p: p.name.removesuffix(".expected.json"))
def test_sample_status_counts_and_letter(sample_release: Release, exp_path: Path) -> None:
    expected = load_expected(exp_path)
    score = score_sample(expected, sample_release.frames, _doc(sample_release, exp_path))
    assert score.summary_right == score.summary_expected, score.wrong
    assert score.summary_extra == 0, score.wrong
    assert score.letter_fields_right == score.letter_fields, score.wrong
    dates = [lt["date"] for lt in expected["letters"]]
    got = sample_release.frames["letters"]
    got_dates = list(got[got["doc_id"] == _doc(sample_release, exp_path)]["date"])
    assert got_dates == dates  # dates are exact, not similar


def test_statuses_never_guessed(sample_release: Release) -> None:
    """Statuses are the true ones where the page shows them (coloured marks keyed by its legend),
    NULL only where it cannot (text only, a grey scan); a status always carries its source."""
    m = sample_release.frames["measures"]
    assert (m["status"].isna() == m["status_source"].isna()).all()
    for exp_path in sorted(SAMPLES_DIR.rglob("*.expected.json")):
        expected = load_expected(exp_path)
        rows = m[m["doc_id"] == _doc(sample_release, exp_path)]
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


def test_similarity_is_normalised() -> None:
    assert similarity("l’État", "l'état") == 1.0
    assert similarity(None, None) == 1.0
    assert similarity("abc", None) == 0.0
