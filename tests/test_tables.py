"""Tests for flows.release.tables: records → typed DataFrames, and the cumulative merge."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from flows.release.tables import empty_frames, format_bbox, frames_from_results, merge_frames
from models.records import (
    DocumentResult,
    Extraction,
    LegendEntry,
    Letter,
    Line,
    Measure,
    Page,
    SourceDocument,
    StatusCount,
)
from models.schema import TABLES

VERSION = "0.1.0+rules.1"
WHEN = "2025-01-02T03:04:05Z"

ROOT = Path(__file__).resolve().parents[1]


def source(doc_id: str, name: str = "") -> SourceDocument:
    return SourceDocument(
        doc_id=doc_id, path=f"/in/{name or doc_id}", source_name=name or f"{doc_id}.pdf",
        file_type="pdf", size=1234,
    )


def report(doc_id: str = "a" * 64, *, title: str = "Créer une cellule") -> DocumentResult:
    page1 = Page(
        page=1, method="ocr", lines=(Line("Mesure 1", None), Line("suite", None, para_break=True)),
        width_px=2480, height_px=3508, dpi=300, mean_confidence=91.5, skew_degrees=0.4,
    )
    page2 = Page(page=2, method="ocr", lines=(), error="the page image is blank")
    extraction = Extraction(
        kind="report+letter",
        measures=(
            Measure(page=2, number=2, title="Deuxième", number_inferred=True, status=None,
                    position=2, status_reason="no-mark"),
            Measure(
                page=1, number=1, title=title, dimension="operationnelle", horizon_min_months=3,
                horizon_max_months=9, status="satisfaisant", status_source="legend-colour",
                bbox=(10.4, 20.5, 300.6, 40.49), confidence=0.87, rule="numbering.v1",
                raw_title="Creer une ce1lule", position=1, label="O1",
            ),
        ),
        status_counts=(StatusCount(page=1, status="remis_en_cause", count=0, text="aucune"),),
        legend=(LegendEntry(page=1, status="satisfaisant", label="Satisfaisant", bbox=(1, 2, 3, 4)),),
        letters=(Letter(page=1, place="Vincennes", date="2024-05-06", subject="Rapport"),),
    )
    return DocumentResult(source=source(doc_id), state="published", pages=(page1, page2),
                          extraction=extraction)


def quarantined(doc_id: str = "b" * 64) -> DocumentResult:
    return DocumentResult(
        source=source(doc_id, "broken.pdf"), state="quarantined",
        pages=(Page(page=1, method="ocr", lines=(Line("x", None),)),),
        extraction=Extraction(kind="unknown", measures=(Measure(page=1, number=1, title="x"),)),
        error="broken.pdf is damaged; re-export it from the original and ingest it again.",
    )


def assert_schema(frames: dict[str, pd.DataFrame]) -> None:
    assert list(frames) == [t.name for t in TABLES]
    for t in TABLES:
        frame = frames[t.name]
        assert list(frame.columns) == t.column_names, t.name
        assert [str(d) for d in frame.dtypes] == [c.dtype for c in t.columns], t.name


def test_frames_have_the_schema_columns_and_dtypes() -> None:
    assert_schema(frames_from_results([report(), quarantined()], VERSION, WHEN))
    assert_schema(frames_from_results([], VERSION, WHEN))
    assert_schema(empty_frames())


def test_documents_rows() -> None:
    docs = frames_from_results([report(), quarantined()], VERSION, WHEN)["documents"]
    a, b = docs.to_dict("records")
    assert a["doc_id"] == "a" * 64 and a["kind"] == "report+letter" and a["n_pages"] == 2
    assert a["state"] == "published" and pd.isna(a["error"])
    assert a["pipeline_version"] == VERSION and a["ingested_at"] == WHEN
    assert a["file_type"] == "pdf" and a["size_bytes"] == 1234
    assert b["state"] == "quarantined" and b["error"].startswith("broken.pdf is damaged")


def test_quarantined_documents_only_get_a_documents_row() -> None:
    frames = frames_from_results([quarantined()], VERSION, WHEN)
    assert len(frames["documents"]) == 1
    assert all(frames[t.name].empty for t in TABLES if t.name != "documents")


def test_pages_rows() -> None:
    pages = frames_from_results([report()], VERSION, WHEN)["pages"]
    p1, p2 = pages.to_dict("records")
    assert p1["text"] == "Mesure 1\n\nsuite" and p1["mean_confidence"] == 91.5
    assert p1["width_px"] == 2480 and p1["rotation"] == 0 and pd.isna(p1["error"])
    assert p2["error"] == "the page image is blank"
    assert pd.isna(p2["text"]) and pd.isna(p2["dpi"]) and pd.isna(p2["mean_confidence"])


def test_measures_rows_sorted_by_key_with_na_never_guessed() -> None:
    measures = frames_from_results([report()], VERSION, WHEN)["measures"]
    assert measures["number"].tolist() == [1, 2]
    assert measures["position"].tolist() == [1, 2]  # the key: its place in the document
    m1, m2 = measures.to_dict("records")
    assert m1["label"] == "O1" and pd.isna(m2["label"])
    assert pd.isna(m1["status_reason"]) and m2["status_reason"] == "no-mark"
    assert m1["bbox"] == "10,20,301,40" and m1["number_inferred"] == 0
    assert m1["status"] == "satisfaisant" and m1["horizon_min_months"] == 3
    assert m1["confidence"] == pytest.approx(0.87) and m1["rule"] == "numbering.v1"
    assert m2["number_inferred"] == 1
    for column in ("status", "status_source", "bbox", "dimension", "horizon_max_months",
                   "rule", "raw_title"):
        assert pd.isna(m2[column]), column


def test_summary_legend_and_letters_rows() -> None:
    frames = frames_from_results([report()], VERSION, WHEN)
    assert frames["status_summary"].to_dict("records") == [
        {"doc_id": "a" * 64, "page": 1, "status": "remis_en_cause", "count": 0, "text": "aucune"}
    ]
    assert frames["legend"].loc[0, "bbox"] == "1,2,3,4"
    letter = frames["letters"].iloc[0]
    assert letter["place"] == "Vincennes" and letter["date"] == "2024-05-06"
    assert pd.isna(letter["recipient"])


def test_format_bbox() -> None:
    assert format_bbox(None) is None
    assert format_bbox((0.0, 1.49, 2.51, 3.0)) == "0,1,3,3"


def test_two_results_for_one_document_is_an_error() -> None:
    with pytest.raises(ValueError, match="same document"):
        frames_from_results([report(), report()], VERSION, WHEN)


def test_merge_replaces_the_new_documents_rows_and_keeps_the_others() -> None:
    first = frames_from_results([report("a" * 64), report("c" * 64)], VERSION, WHEN)
    rerun = frames_from_results([report("a" * 64, title="Nouveau titre")], "0.2.0", WHEN)
    merged = merge_frames(first, rerun)
    assert_schema(merged)
    docs = merged["documents"]
    assert docs["doc_id"].tolist() == ["a" * 64, "c" * 64]
    assert docs.set_index("doc_id").loc["a" * 64, "pipeline_version"] == "0.2.0"
    titles = merged["measures"].query("number == 1").set_index("doc_id")["title"]
    assert titles["a" * 64] == "Nouveau titre" and titles["c" * 64] == "Créer une cellule"
    assert len(merged["pages"]) == 4 and len(merged["measures"]) == 4


def test_merge_drops_rows_of_a_document_that_now_is_quarantined() -> None:
    first = frames_from_results([report("b" * 64)], VERSION, WHEN)
    merged = merge_frames(first, frames_from_results([quarantined("b" * 64)], VERSION, WHEN))
    assert merged["documents"]["state"].tolist() == ["quarantined"]
    assert merged["pages"].empty and merged["measures"].empty


def test_merge_sorts_by_key_and_into_empty() -> None:
    new = frames_from_results([report("c" * 64), report("a" * 64)], VERSION, WHEN)
    merged = merge_frames(empty_frames(), new)
    assert merged["documents"]["doc_id"].tolist() == ["a" * 64, "c" * 64]
    assert merged["pages"][["doc_id", "page"]].values.tolist() == [
        ["a" * 64, 1], ["a" * 64, 2], ["c" * 64, 1], ["c" * 64, 2]
    ]
    assert_schema(merge_frames({}, {}))


def test_merge_fills_columns_missing_from_an_older_schema() -> None:
    first = frames_from_results([report("c" * 64)], VERSION, WHEN)
    old = {name: frame.astype(object) for name, frame in first.items()}
    old["documents"] = old["documents"].drop(columns=["file_type", "size_bytes"])
    old["measures"] = old["measures"].drop(columns=["raw_title"])
    del old["legend"]
    merged = merge_frames(old, frames_from_results([report("a" * 64)], VERSION, WHEN))
    assert_schema(merged)
    docs = merged["documents"].set_index("doc_id")
    assert pd.isna(docs.loc["c" * 64, "file_type"]) and docs.loc["a" * 64, "file_type"] == "pdf"
    assert pd.isna(docs.loc["c" * 64, "size_bytes"])
    assert merged["legend"]["doc_id"].tolist() == ["a" * 64]


def test_merge_refuses_rows_for_documents_not_in_new_documents() -> None:
    new = frames_from_results([report("a" * 64)], VERSION, WHEN)
    new["documents"] = new["documents"].iloc[0:0]
    with pytest.raises(ValueError, match="not in new"):
        merge_frames(empty_frames(), new)


def test_tables_and_publish_do_not_import_prefect() -> None:
    code = "import sys, flows.release.tables, flows.release.publish; assert 'prefect' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_history_follows_measures_whose_numbers_restart_or_are_missing() -> None:
    from extractors.series import describe_report
    from flows.release.tables import with_series_tables

    def doc(doc_id: str, numbers: list[int | None]) -> DocumentResult:
        titles = ["Ouvrir un guichet", "Former les agents", "Associer les entreprises"]
        measures = tuple(Measure(page=1, number=n, title=t, position=i, number_inferred=n is None)
                         for i, (n, t) in enumerate(zip(numbers, titles, strict=True), start=1))
        page = Page(page=1, method="ocr", lines=(Line("Mission « Villages vivants »", None),))
        return DocumentResult(source=source(doc_id), state="published", pages=(page,),
                              extraction=Extraction(kind="report", measures=measures,
                                                    report=describe_report([(1, page.text)], [])))

    frames = with_series_tables(frames_from_results(
        [doc("a" * 64, [1, 2, 1]), doc("b" * 64, [None, None, None])], VERSION, WHEN))
    history = frames["measure_history"]
    assert len(history) == 6
    assert not history.duplicated(["mission_key", "measure", "report_order", "doc_id"]).any()
    restart = history[history["doc_id"] == "a" * 64].sort_values("measure")
    assert list(restart["measure"]) == [1, 2, 3]  # places: the printed 1 repeats
    assert list(restart["number"]) == [1, 2, 1]
