"""`missions query`: canned filters, full-text search, read-only SQL; and the series tables."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from flows.access.query import Filters, fts_query, pages_sql, parse_vocabulary
from flows.cli import query_text
from flows.corrections.command import find_document
from flows.corrections.store import normalise_value
from flows.release.layout import read_release
from flows.usage import build_parser
from models.errors import BadArguments, ExitCode
from models.records import STATUSES
from tests.conftest import Release, all_truths, legacy_release, run_cli, truth

SERIES = "accelerer-les-alliances-strategiques"


def query(release: Release | Path, *args: str, fmt: str = "json") -> Any:
    """What `missions query ARGS --format FMT` prints, parsed as the command parses it (in this
    process: the command line's own exit codes are tested with the real command below)."""
    out = release.out if isinstance(release, Release) else release
    text = query_text(build_parser().parse_args(
        ["query", *args, "--format", fmt, "--out", str(out)]))
    return json.loads(text) if fmt == "json" else text


def sql(release: Release, text: str, *params: object) -> list[tuple]:
    with sqlite3.connect(release.out / "missions.sqlite") as con:
        return con.execute(text, params).fetchall()


def test_status_and_dimension_answer_from_the_release(sample_release: Release) -> None:
    rows = query(sample_release, "--status", "retard_explique", "--dimension", "politique")
    want = sql(sample_release, "select doc_id, number from measures where status = "
               "'retard_explique' and dimension = 'politique'")
    assert sorted((r["doc_id"], r["number"]) for r in rows) == sorted(want)
    for r in rows:
        assert {"number", "title", "status", "dimension", "source_name", "report_label"} <= set(r)
        assert (r["status"], r["dimension"]) == ("retard_explique", "politique")
    table = query(sample_release, "--status", "Retard expliqué", "--dimension", "politique",
                  fmt="table")
    assert len(table.splitlines()) == len(rows) + 1


def test_status_none_finds_the_unread_statuses(sample_release: Release) -> None:
    rows = query(sample_release, "--status", "none", "--report", "legacy")
    assert len(rows) == len(truth("rapport-2020-legacy.txt")["measures"])
    assert all(r["status"] is None for r in rows)


def test_report_by_label_file_name_or_doc_id(sample_release: Release) -> None:
    by_label = query(sample_release, "--report", "suivi a un an")  # accents and case folded
    assert {r["source_name"].rsplit("/", 1)[-1] for r in by_label} == {"suivi-2021-born-digital.pdf"}
    follow_up = truth("suivi-2021-born-digital.pdf")
    assert len(by_label) == len(follow_up["measures"])
    assert by_label[0]["report_date"] == follow_up["letters"][0]["date"]
    doc_id = by_label[0]["doc_id"]
    assert query(sample_release, "--report", doc_id[:10]) == by_label
    by_name = query(sample_release, "--report", "rapport-2020", "--dimension", "strategique")
    strategic = {(k, m["number"]) for k, e in all_truths().items() if k.startswith("rapport-2020")
                 for m in e["measures"] if m["dimension"] == "strategique"}
    assert len(by_name) == len(strategic)
    assert {r["report_label"] for r in by_name} == {"Rapport d'étape à 6 mois"}


def test_search_is_full_text_and_accent_insensitive(sample_release: Release) -> None:
    rows = query(sample_release, "--search", "ETAT exemplaire", "--report", "suivi")
    assert [r["number"] for r in rows] == [11]
    everywhere = query(sample_release, "--search", "strategique")
    assert everywhere and all("stratégique" in r["title"].lower() for r in everywhere)
    like = sql(sample_release, "select count(*) from measures where title like '%stratégique%'")
    assert len(everywhere) == like[0][0]
    pages = query(sample_release, "--search", "Grenelle", "--pages")
    assert pages and all("[Grenelle]" in p["snippet"] for p in pages)
    assert {"source_name", "page", "snippet", "doc_id"} <= set(pages[0])


def test_fts_tables_are_in_the_sqlite_release(sample_release: Release) -> None:
    n = sql(sample_release, "select count(*) from measures_fts where measures_fts match 'etat'")
    assert n[0][0] == sql(sample_release, "select count(*) from measures where title like '%État%'")[0][0]
    assert sql(sample_release, "select count(*) from pages_fts where pages_fts match 'ministere'")[0][0]


def test_raw_sql_stays_and_is_read_only(sample_release: Release) -> None:
    out = str(sample_release.out)
    assert query(sample_release, "--sql", "select 1 as one") == [{"one": 1}]
    for bad in ("drop table measures", "attach 'x.db' as x", "select * from nope"):
        run = run_cli("query", "--sql", bad, "--out", out)
        assert run.returncode == ExitCode.bad_arguments, bad
        assert "Traceback" not in run.stderr
    both = run_cli("query", "select 1", "--status", "satisfaisant", "--out", out)
    assert both.returncode == ExitCode.bad_arguments and "not both" in both.stderr
    unknown = run_cli("query", "--status", "excellent", "--out", out)
    assert unknown.returncode == ExitCode.bad_arguments and "retard_explique" in unknown.stderr


def test_csv_format(sample_release: Release) -> None:
    lines = query(sample_release, "--report", "suivi", fmt="csv").splitlines()
    assert lines[0].startswith("source_name,report_label,report_date,page,number,title")
    assert len(lines) == len(truth("suivi-2021-born-digital.pdf")["measures"]) + 1


def test_measure_history_follows_all_21_measures_across_both_reports(sample_release: Release) -> None:
    history = sample_release.frames["measure_history"]
    series = history[history["mission_key"] == SERIES]
    in_series = [e for k, e in all_truths().items() if "/" not in k]  # sub-folders: other missions
    assert sorted(series["measure"].unique()) == sorted({m["number"] for e in in_series
                                                         for m in e["measures"]})
    labels = series.groupby("measure")["report_label"].apply(lambda v: set(v.tolist()))
    assert all(v == {"Rapport d'étape à 6 mois", "Suivi à un an"} for v in labels)
    # one row per measure per document: the 2020 report's three copies each keep their rows
    assert (series.groupby("measure").size() == len(in_series)).all()
    later = series[series["report_label"] == "Suivi à un an"]
    assert (later["report_order"] == 2).all() and (later["report_date"] == "2021-06-01").all()
    assert (later["number"] == later["measure"]).all()
    measures = sample_release.frames["measures"][["doc_id", "number", "status"]]
    joined = series.merge(measures, on=["doc_id", "number"], suffixes=("", "_m"))
    assert len(joined) == len(series)
    assert (joined["status"].fillna("-") == joined["status_m"].fillna("-")).all()


def test_reports_and_history_are_in_every_format(sample_release: Release) -> None:
    out = sample_release.out
    for name in ("reports", "measure_history"):
        parquet = pd.read_parquet(out / "parquet" / f"{name}.parquet")
        csv = pd.read_csv(out / "csv" / f"{name}.csv")
        n = sql(sample_release, f"select count(*) from {name}")[0][0]
        assert len(parquet) == len(csv) == n > 0, name
    reports = sample_release.frames["reports"]
    mine = reports[reports["mission_key"] == SERIES]
    in_series = [k for k in all_truths() if "/" not in k]  # sub-folders: other missions
    assert len(mine) == len(in_series)
    assert set(mine["mission_title"]) == {"Accélérer les alliances stratégiques"}
    assert sorted(mine["report_date"]) == ["2020-10-17"] * 3 + ["2021-06-01"]


def test_parse_vocabulary_and_fts_query() -> None:
    assert parse_vocabulary("Retard expliqué, none", ("retard_explique",), "status") == (
        "retard_explique", None)
    with pytest.raises(BadArguments, match="unknown dimension"):
        parse_vocabulary("tactique", ("politique",), "dimension")
    assert fts_query('l\'État "exemplaire" OR') == '"l"* "État"* "exemplaire"* "OR"*'
    with pytest.raises(BadArguments):
        fts_query("«»")
    with pytest.raises(BadArguments, match="--pages"):
        pages_sql(Filters(search="x", status=("satisfaisant",), pages=True), {"pages_fts"})


@pytest.fixture(scope="module")
def apostrophe_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The legacy sample published as « rapport d’étape.txt » (typographic apostrophe) under
    the report label « Rapport d'étape à 6 mois » (straight apostrophe)."""
    return legacy_release(tmp_path_factory.mktemp("folding"), name="rapport d’étape.txt",
                          workers=1)


@pytest.mark.parametrize(("typed", "by_query", "by_correct"), [
    ("rapport d'etape", True, True),  # accents folded, in the label and in the file name
    ("RAPPORT D’ÉTAPE À 6", True, True),  # case folded, and ’ typed for the label's '
    ("D'ÉTAPE.TXT", True, True),  # ' typed for the file name's ’
    ("étape  à", False, False),  # spacing is kept as typed: two spaces match two spaces only
    (" rapport d", False, True),  # query looks for the space typed first; correct strips it
])
def test_what_people_type_finds_the_same_report_as_always(
        apostrophe_release: Path, typed: str, by_query: bool, by_correct: bool) -> None:
    """`query --report` and `correct` fold accents, case and the apostrophe of what is typed,
    and nothing else (they matched these rows before text folding was written once)."""
    measures = truth("rapport-2020-legacy.txt")["measures"]
    rows = query(apostrophe_release, "--report", typed)
    assert len(rows) == (len(measures) if by_query else 0)
    frames = read_release(apostrophe_release)
    if by_correct:
        assert find_document(frames, typed)["doc_id"] == frames["documents"]["doc_id"][0]
    else:
        with pytest.raises(BadArguments, match="no published document matches"):
            find_document(frames, typed)


@pytest.mark.parametrize("typed", ["Stratégique", "STRATEGIQUE", " stratégique "])
def test_dimension_typed_any_way_finds_its_measures(apostrophe_release: Path, typed: str) -> None:
    want = sum(m["dimension"] == "strategique"
               for m in truth("rapport-2020-legacy.txt")["measures"])
    rows = query(apostrophe_release, "--dimension", typed)
    assert len(rows) == want and {r["dimension"] for r in rows} == {"strategique"}


def test_a_typographic_apostrophe_typed_in_a_status_is_a_separator() -> None:
    assert parse_vocabulary("Retard’expliqué", STATUSES, "status") == ("retard_explique",)
    assert normalise_value("measure", "status", "retard’ EXPLIQUÉ") == "retard_explique"
