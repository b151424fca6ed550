"""Series of reports: mission, date and label of a report, and measures followed across reports."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from extractors.series import (
    MeasureRef,
    ReportInfo,
    describe_report,
    follow_measures,
    mission_key,
    mission_title,
    report_label,
    report_orders,
    series_keys,
    text_date,
)
from flows.release.tables import frames_from_results, merge_frames
from models.records import DocumentResult, Extraction, Letter, Line, Measure, Page, SourceDocument

SUBJECT = "Rapport d'étape à 6 mois de la mission « Accélérer les alliances stratégiques »"

ROOT = Path(__file__).resolve().parents[1]


def test_mission_label_and_date_come_from_the_letter() -> None:
    pages = [(1, "Accélérer les alliances\n\nrapport d'étape, mars 2020"), (2, "Le RAMEAU\nObjet : …")]
    letter = Letter(page=2, date="2020-10-17", subject=SUBJECT)
    info = describe_report(pages, [letter])
    assert info == ReportInfo("Accélérer les alliances stratégiques", "2020-10-17", "letter",
                              "Rapport d'étape à 6 mois")


def test_without_a_letter_the_text_and_the_heading_speak() -> None:
    pages = [(1, "Renforcer les coopérations locales\nBilan à 18 mois, novembre 2023\n1. Créer …")]
    info = describe_report(pages, [])
    assert info.mission_title == "Renforcer les coopérations locales"
    assert (info.report_date, info.report_date_source) == ("2023-11", "text")
    assert info.report_label == "Bilan à 18 mois"


def test_a_document_that_names_nothing_gets_nothing() -> None:
    pages = [(1, ("Niveau d'avancement des mesures\n9 mesures à l'avancement très satisfaisant,\n"
                 "remises en cause."))]
    assert describe_report(pages, []) == ReportInfo()


@pytest.mark.parametrize(("text", "want"), [
    ("Suivi à un an : niveau d'avancement des mesures", "Suivi à un an"),
    ("le rapport final de la mission", "Rapport final"),
    ("Rapport de résultats", "Rapport de résultats"),
    ("Bilan à sept mois de la mission", "Bilan à sept mois"),  # every number word, once spelt
    ("Point d'étape à dix-huit mois", "Point d'étape à dix-huit mois"),
    ("le rapport de la mission", None),
    ("", None),
])
def test_report_label(text: str, want: str | None) -> None:
    assert report_label(text) == want


@pytest.mark.parametrize(("text", "want"), [
    ("Paris, le 1er juin 2021", "2021-06-01"),
    ("remis en octobre 2020, puis le 3 mars 2021", "2020-10"),
    ("Vincennes, le 17 octobre 2020 (octobre 2020)", "2020-10-17"),
    ("aucune date", None),
])
def test_text_date(text: str, want: str | None) -> None:
    assert text_date(text) == want


def test_mission_title_across_lines_and_keys() -> None:
    assert mission_title("de la mission « Accélérer les alliances\nstratégiques »") == (
        "Accélérer les alliances stratégiques")
    assert mission_key("Accélérer les alliances stratégiques") == "accelerer-les-alliances-strategiques"
    keys = series_keys({"a" * 64: "Accélérer les alliances stratégiques",
                        "b" * 64: "Accélérer les aliances stratégiques",  # OCR damage
                        "c" * 64: "Une autre mission", "d" * 64: None})
    assert keys["a" * 64] == keys["b" * 64] == "accelerer-les-alliances-strategiques"
    assert keys["c" * 64] == "une-autre-mission" and keys["d" * 64] == "doc-dddddddddddd"


def test_copies_of_a_report_share_their_rank_undated_last() -> None:
    early = ReportInfo("M", "2020-10-17", "letter", "Rapport d'étape à 6 mois")
    orders = report_orders({"scan": ("m", early), "text": ("m", early),
                            "later": ("m", ReportInfo("M", "2021-06-01", "letter", "Suivi à un an")),
                            "undated": ("m", ReportInfo("M")), "other": ("o", ReportInfo("O"))})
    assert orders == {"scan": 1, "text": 1, "later": 2, "undated": 3, "other": 1}


def refs(doc: str, *measures: tuple[int, str]) -> list[MeasureRef]:
    return [MeasureRef(doc, n, t) for n, t in measures]


def test_measures_are_followed_by_number_and_title_not_position() -> None:
    first = refs("A", (1, "Créer une plateforme commune"), (2, "Former les agents publics"),
                 (3, "Évaluer les expérimentations locales"))
    # later report: listed in another order, 2 renumbered 5, 3 dropped, a new measure numbered 3
    later = refs("B", (5, "Former les agents publics"), (3, "Ouvrir les données de la mission"),
                 (1, "Creer une plate-forme commune"))
    got = {(f.doc_id, f.number): (f.measure, f.match) for f in follow_measures([first, later])}
    assert got[("B", 1)] == (1, "number+title")
    assert got[("B", 5)] == (2, "title")  # renumbered: found by its title
    assert got[("B", 3)] == (3, "reference")  # same number, other title: a new measure
    assert got[("A", 3)] == (3, "reference")
    assert [f.number for f in follow_measures([first, later])][3:] == [5, 3, 1]  # order kept


def test_ocr_damaged_title_with_the_same_number_is_the_same_measure() -> None:
    out = follow_measures([refs("A", (14, "Piloter une recherche-action collective")),
                           refs("B", (14, "Pi1oter une recherche-actlon co11ective"))])
    assert out[1].measure == 14 and out[1].match == "number+title" and out[1].similarity < 1


def result(doc_id: str, name: str, subject: str, date: str, titles: list[str]) -> DocumentResult:
    """A document as extraction returns it: its report's facts read once, from its records."""
    page = Page(1, "text-layer", (Line(f"Objet : {subject}", None),), 595, 842, 72)
    letter = Letter(page=1, date=date, subject=subject)
    return DocumentResult(
        source=SourceDocument(doc_id, f"/gone/{name}", name, "pdf", 10),
        state="published",
        pages=(page,),
        extraction=Extraction(
            kind="report+letter",
            measures=tuple(Measure(1, i, t, status="satisfaisant" if i % 2 else None)
                           for i, t in enumerate(titles, start=1)),
            letters=(letter,),
            report=describe_report([(1, page.text)], [letter]),
        ),
    )


def test_history_spans_documents_merged_in_separate_runs() -> None:
    titles = ["Créer une plateforme", "Former les agents", "Évaluer les actions"]
    first = frames_from_results(
        [result("a" * 64, "2020.pdf", SUBJECT, "2020-10-17", titles)], "v", "2025-01-01T00:00:00Z")
    assert len(first["measure_history"]) == 3 and first["reports"]["report_order"].tolist() == [1]
    later = frames_from_results(
        [result("b" * 64, "2021.pdf", "Suivi à un an de la mission « Accélérer les alliances "
                "stratégiques »", "2021-06-01", titles[::-1])], "v", "2025-01-02T00:00:00Z")
    merged = merge_frames(first, later)
    history = merged["measure_history"]
    assert len(history) == 6 and set(history["mission_key"]) == {"accelerer-les-alliances-strategiques"}
    by = {(r["measure"], r["report_label"]): r for r in history.to_dict("records")}
    assert by[(1, "Suivi à un an")]["number"] == 3  # renumbered in 2021, followed by its title
    assert by[(1, "Suivi à un an")]["report_order"] == 2
    assert by[(1, "Rapport d'étape à 6 mois")]["report_date"] == "2020-10-17"
    reports = merged["reports"].set_index("doc_id")
    assert reports.loc["b" * 64, "report_label"] == "Suivi à un an"


def test_series_does_not_import_prefect() -> None:
    code = "import sys, extractors.series; assert 'prefect' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
