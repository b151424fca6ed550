"""The stress set's generator is deterministic and truthful, and its scorer can fail (no OCR)."""
from __future__ import annotations

import hashlib
import json
import random
import sqlite3
from pathlib import Path

from bench.stress.design import draw_design
from bench.stress.document import GENERATOR, build_document
from bench.stress.generate import generate
from bench.stress.score import aggregate, score_release, targets
from bench.stress.truth import truth_problems


def _first_index(seed: int, wanted) -> int:
    """The first document index whose design satisfies wanted (designs are cheap to draw)."""
    for i in range(200):
        if wanted(draw_design(random.Random(f"stress-{GENERATOR}:{seed}:{i}"))):
            return i
    raise AssertionError("no such design in 200 draws")


def test_a_document_is_the_same_bytes_twice_for_one_seed():
    for wanted in (lambda p: not p["born_digital"] and p["dpi"] == 100 and p["letter"] == "none"
                   and not p["multi_page"],
                   lambda p: p["born_digital"] and p["letter"] == "none"):
        i = _first_index(7, wanted)
        name, data, truth = build_document(7, i)
        again = build_document(7, i)
        assert (name, data) == again[:2]
        assert json.dumps(truth, sort_keys=True) == json.dumps(again[2], sort_keys=True)
        assert build_document(8, i)[1] != data


def test_every_truth_of_a_small_set_validates(tmp_path: Path):
    truths = generate(tmp_path, n=3, seed=3)
    ignore = (tmp_path / ".missionsignore").read_text(encoding="utf-8").split()
    assert "*.expected.json" in ignore
    for t in truths:
        assert truth_problems(t) == [], t["source"]
        doc = tmp_path / t["source"]
        assert doc.stat().st_size <= 1_000_000
        on_disk = json.loads((tmp_path / f"{t['source']}.expected.json").read_text("utf-8"))
        assert on_disk["measures"] == t["measures"]
        assert [m["position"] for m in t["measures"]] == list(range(1, len(t["measures"]) + 1))


def test_the_validator_sees_a_summary_that_disagrees_with_the_marks(tmp_path: Path):
    t = generate(tmp_path, n=1, seed=11)[0]
    t["measures"] = t["measures"] or [{"page": 1, "position": 1, "number": 1, "label": "1",
                                       "number_inferred": False, "title": "Agir",
                                       "dimension": None, "horizon_min_months": None,
                                       "horizon_max_months": None, "status": "satisfaisant"}]
    t["classes"] = [c for c in t["classes"] if c != "summary-misstated"]
    n = sum(m["status"] == "satisfaisant" for m in t["measures"])
    t["status_summary"] = [{"page": 1, "status": "satisfaisant", "count": n + 3}]
    assert any("disagrees" in p for p in truth_problems(t))


def _measure(pos: int, title: str, status: str | None) -> dict:
    return {"page": 1, "position": pos, "number": pos, "label": str(pos),
            "number_inferred": False, "title": title, "dimension": "strategique",
            "horizon_min_months": 6, "horizon_max_months": 12, "status": status,
            "status_legible": True}


def _tiny_release(root: Path, doc_id: str, rows: list[tuple], letter_date: str) -> Path:
    out = root / "release"
    out.mkdir()
    con = sqlite3.connect(out / "missions.sqlite")
    con.executescript("""
        CREATE TABLE documents (doc_id TEXT, source_name TEXT, state TEXT, error TEXT);
        CREATE TABLE measures (doc_id TEXT, page INTEGER, number INTEGER, title TEXT,
            dimension TEXT, horizon_min_months INTEGER, horizon_max_months INTEGER,
            status TEXT);
        CREATE TABLE status_summary (doc_id TEXT, page INTEGER, status TEXT, count INTEGER);
        CREATE TABLE legend (doc_id TEXT, page INTEGER, status TEXT, label TEXT);
        CREATE TABLE letters (doc_id TEXT, page INTEGER, place TEXT, date TEXT,
            sender_org TEXT, sender_role TEXT, recipient TEXT, recipient_org TEXT,
            recipient_address TEXT, subject TEXT, salutation TEXT);
    """)
    con.execute("INSERT INTO documents VALUES (?, 'doc.png', 'published', NULL)", (doc_id,))
    con.executemany("INSERT INTO measures VALUES (?, 1, ?, ?, 'strategique', 6, 12, ?)",
                    [(doc_id, *r) for r in rows])
    con.execute("INSERT INTO status_summary VALUES (?, 1, 'satisfaisant', 2)", (doc_id,))
    con.execute("INSERT INTO letters VALUES (?, 1, 'Vincennes', ?, 'Le RAMEAU', "
                "'Le Président', 'Madame la Secrétaire d''État', 'Ministère', 'Paris', 'Objet', "
                "'Madame la Ministre,')", (doc_id, letter_date))
    con.commit()
    con.close()
    return out


def test_the_scorer_counts_a_wrong_status_as_wrong_and_a_null_as_null(tmp_path: Path):
    truth_dir = tmp_path / "set"
    truth_dir.mkdir()
    doc = truth_dir / "doc.png"
    doc.write_bytes(b"not really a scan")
    doc_id = hashlib.sha256(doc.read_bytes()).hexdigest()
    measures = [_measure(1, "Accompagner les alliances stratégiques", "satisfaisant"),
                _measure(2, "Inciter à un État exemplaire en matière d'alliances", "satisfaisant"),
                _measure(3, "Structurer une réflexion partagée sur l'évaluation", "retard_explique"),
                _measure(4, "Créer un « droit d'expérimentation partenariale »", "remis_en_cause"),
                _measure(5, "Piloter une recherche-action collective", None)]
    letter = {"page": 1, "place": "Vincennes", "date": "2020-10-17", "sender_org": "Le RAMEAU",
              "sender_role": "Le Président", "recipient": "Madame la Secrétaire d'État",
              "recipient_org": "Ministère", "recipient_address": "Paris", "subject": "Objet",
              "salutation": "Madame la Ministre,"}
    truth = {"source": "doc.png", "kind": "report+letter", "n_pages": 1, "classes": ["tiny"],
             "statuses_legible": True, "measures": measures, "legend": [], "letters": [letter],
             "status_summary": [{"page": 1, "status": "satisfaisant", "count": 2}]}
    (truth_dir / "doc.png.expected.json").write_text(json.dumps(truth), encoding="utf-8")
    rows = [(1, "Accompagner les alliances stratégiques", "satisfaisant"),  # right
            (2, "Inciter à un Etat exemplaire en matière d'alliances", "tres_satisfaisant"),
            (3, "Structurer une réflexion partagée sur l'évaluation", None),  # NULL
            # measure 4 missing: a NULL; measure 5 shows no mark but gets one: wrong
            (5, "Piloter une recherche-action collective", "satisfaisant")]
    release = _tiny_release(tmp_path, doc_id, rows, "2020-10-18")

    [ds] = score_release(truth_dir, release)
    assert (ds.st_right, ds.st_wrong, ds.st_null, ds.st_expected) == (1, 2, 2, 4)
    assert (ds.found, ds.expected, ds.extra) == (4, 5, 0)
    # « Etat » for « État »: not exact, though the lenient similarity forgives it
    assert [e for e, _ in ds.titles] == [True, False, True, False, True]
    assert ds.titles[1][1] == 1.0
    assert ds.sum_right == 1
    assert ds.letter_exact["date"] == 0 and ds.letter_exact["place"] == 1
    met = {label: ok for label, _, _, ok in targets(aggregate([ds]))}
    assert met["wrong statuses"] is False
    assert met["letter date exact (%)"] is False
    assert any(p.startswith("MISSING") for p in ds.problems)
    assert sum(p.startswith("WRONG") for p in ds.problems) == 2
