"""`missions query --measure N` (issue 15): a measure's readings across the reports of its
series, copies of one report folded into one row when they agree, the best-read copy on
request."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from flows.access.readings import COLUMNS, fold_copies
from flows.cli import main
from flows.pipeline.run import ingest
from tests.conftest import ROOT

REPORT = ROOT / "tests" / "corpus" / "gen-alliances-slides-0.txt"


def reading(source: str, status: str | None, confidence: float, order: int = 1) -> dict:
    return {"mission_key": "m", "measure": 14, "report_order": order, "report_date": "2020-10-17",
            "report_label": "Rapport", "number": 14, "title": "Piloter", "dimension": "politique",
            "status": status, "status_source": "legend-colour" if status else None,
            "confidence": confidence, "source_name": source, "doc_id": source * 8}


def test_copies_that_agree_are_one_row_and_disagreeing_ones_are_each_shown() -> None:
    agree = [reading("scan.pdf", "retard_explique", 0.9), reading("scan.tif", "retard_explique", 0.95)]
    rows = [dict(zip(COLUMNS, r, strict=True)) for r in fold_copies(agree, best_copy=False)]
    assert [(r["source_name"], r["copies"], r["copies_agree"]) for r in rows] == [("scan.tif", 2, 1)]
    differ = [reading("scan.pdf", "retard_explique", 0.9), reading("texte.txt", None, 0.99),
              reading("suivi.pdf", "remis_en_cause", 0.97, order=2)]
    rows = [dict(zip(COLUMNS, r, strict=True)) for r in fold_copies(differ, best_copy=False)]
    assert [(r["source_name"], r["copies_agree"]) for r in rows] == [
        ("scan.pdf", 0), ("texte.txt", 0), ("suivi.pdf", 1)]
    rows = [dict(zip(COLUMNS, r, strict=True)) for r in fold_copies(differ, best_copy=True)]
    assert [(r["report_order"], r["status"]) for r in rows] == [
        (1, "retard_explique"), (2, "remis_en_cause")], "a status read beats a surer blank"


def test_measure_across_a_release_with_two_copies(tmp_path: Path, capsys) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copy(REPORT, inbox / "rapport.txt")
    (inbox / "rapport (copie).txt").write_bytes(REPORT.read_bytes() + b"\n")  # other bytes
    ingest([str(inbox)], str(tmp_path / "out"), workers=1)
    capsys.readouterr()
    assert main(["query", "--out", str(tmp_path / "out"), "--measure", "14",
                 "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 1 and rows[0]["copies"] == 2 and rows[0]["copies_agree"] == 1
    assert rows[0]["measure"] == rows[0]["number"] == 14
    assert main(["query", "--out", str(tmp_path / "out"), "--measure", "all",
                 "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 21
    assert main(["query", "--out", str(tmp_path / "out"), "--best-copy"]) == 2
    assert main(["query", "--out", str(tmp_path / "out"), "--measure", "x"]) == 2
