"""Exports that open right in Excel (issue 15), read back as a user's spreadsheet would: the
workbook with openpyxl, the CSV as bytes. What `encoding="cp1252"` shows is what French Excel
shows on a double click when a CSV has no byte-order mark: the reason for `--excel`."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from flows.cli import main
from flows.release.layout import read_release
from tests.conftest import legacy_release


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    trap = ("Les mesures proposées\n\nDimension opérationnelle (3/9 mois)\n\n"
            "1. =HYPERLINK(\"http://example.invalid\",\"Cliquez\")\n"
            "2. Renforcer la coordination des acteurs locaux\n")
    return legacy_release(tmp_path_factory.mktemp("exports"), inbox="Arrivées été",
                          name="rapport d'étape.txt", beside={"piège.txt": trap}, workers=1)


def test_release_csv_has_the_file_name_beside_doc_id(release: Path) -> None:
    measures = pd.read_csv(release / "csv" / "measures.csv", dtype=str, keep_default_na=False)
    assert list(measures.columns[:2]) == ["doc_id", "source_name"]
    names = read_release(release)["documents"].set_index("doc_id")["source_name"]
    assert (measures["source_name"] == measures["doc_id"].map(names)).all()
    assert {Path(n).name for n in measures["source_name"]} == {"rapport d'étape.txt", "piège.txt"}
    documents = pd.read_csv(release / "csv" / "documents.csv", dtype=str)
    assert list(documents.columns).count("source_name") == 1  # a table with its own name: kept


def test_workbook_of_the_release_reads_back_with_openpyxl(release: Path, tmp_path: Path) -> None:
    book_path = tmp_path / "missions.xlsx"
    assert main(["export", "--out", str(release), "--to", str(book_path)]) == 0
    book = load_workbook(book_path, read_only=True)
    frames = read_release(release)
    assert {"documents", "measures", "pages", "columns"} <= set(book.sheetnames)
    rows = list(book["measures"].iter_rows(values_only=True))
    assert rows[0][:3] == ("doc_id", "source_name", "page")
    assert len(rows) - 1 == len(frames["measures"])
    titles = [r[rows[0].index("title")] for r in rows[1:]]
    assert any(t.startswith("=HYPERLINK(") for t in titles), "kept as written, as text"
    book.close()
    full = load_workbook(book_path)  # not read-only: cell types are visible
    cells = [c for c in full["measures"]["F"] if str(c.value).startswith("=HYPERLINK")]
    assert cells and all(c.data_type == "s" for c in cells), "text, never a formula"
    assert any("é" in str(c.value) for c in full["measures"]["B"])


def test_csv_for_excel_has_a_bom_and_semicolons(release: Path, tmp_path: Path) -> None:
    target = tmp_path / "mesures.csv"
    sql = ("select d.source_name, m.number, m.title from measures m "
           "join documents d using (doc_id) order by 1, 2")
    assert main(["query", "--out", str(release), "--format", "csv", "--excel", "--to",
                 str(target), sql]) == 0
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["source_name", "number", "title"]
    assert any("piège.txt" in r[0] for r in rows[1:])
    assert any(r[2].startswith("'=HYPERLINK(") for r in rows[1:]), "a formula made inert"
    # What Excel shows for a CSV without the byte-order mark (it decodes Windows-1252):
    without_bom = raw.removeprefix(b"\xef\xbb\xbf").decode("cp1252", errors="replace")
    assert "piÃ¨ge.txt" in without_bom and "piège.txt" not in without_bom


def test_workbook_of_a_query_and_the_usage_errors(release: Path, tmp_path: Path) -> None:
    target = tmp_path / "q.xlsx"
    assert main(["query", "--out", str(release), "--format", "xlsx", "--to", str(target),
                 "select number, status from measures order by number"]) == 0
    rows = list(load_workbook(target)["query"].iter_rows(values_only=True))
    assert rows[0] == ("number", "status") and isinstance(rows[1][0], int)
    assert main(["query", "--out", str(release), "--format", "xlsx"]) == 2  # where to?
    assert main(["query", "--out", str(release), "--excel"]) == 2  # --excel is for csv
