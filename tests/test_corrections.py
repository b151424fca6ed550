"""Corrections a person makes survive: re-runs, a new pipeline version (kept, or flagged stale
when the machine now reads something else), a bad correction or review file (refused whole,
release untouched), and kill -9 while one is being kept."""
from __future__ import annotations

import contextlib
import csv
import dataclasses
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import flows.pipeline.run as run_module
from flows.cli import main
from flows.corrections.store import STORE_DIR, read_store
from flows.release.layout import read_manifest, read_release
from models.records import DocumentResult, Page, SourceDocument
from tests.conftest import LEGACY, ROOT, legacy_release


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release of the legacy-text sample, made once (copied by each test)."""
    base = tmp_path_factory.mktemp("corrections")
    legacy_release(base)
    return base


@pytest.fixture
def release(template: Path, tmp_path: Path) -> tuple[Path, Path]:
    """(inbox, out): a fresh copy of the template release."""
    shutil.copytree(template / "inbox", tmp_path / "inbox")
    shutil.copytree(template / "out", tmp_path / "out", symlinks=True)
    return tmp_path / "inbox", tmp_path / "out"


def measure(out: Path, position: int) -> dict:
    rows = read_release(out)["measures"]
    return rows[rows["position"] == position].iloc[0].to_dict()


def corrections(out: Path) -> pd.DataFrame:
    return read_release(out)["corrections"]


def cli(*args: str) -> int:
    return main(list(args))


def state_of(out: Path) -> tuple[str, list[str]]:
    """The current release and the store's files: what a refused command must leave as is."""
    store = out / STORE_DIR
    files = sorted(p.name for p in store.iterdir()) if store.is_dir() else []
    return str((read_manifest(out) or {})["release"]), files


def test_a_null_status_and_a_wrong_title_are_kept_across_runs_and_versions(
        release: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    inbox, out = release
    before = measure(out, 3)
    assert pd.isna(before["status"])  # legacy text: no status read
    before_title = measure(out, 4)["title"]
    title = "Valoriser les alliances stratégiques au travers des événements de référence (relu)"
    assert before_title != title
    assert cli("correct", "legacy", "3", "status", "Retard expliqué", "--why", "pastille orange",
               "--by", "archiviste", "--out", str(out)) == 0
    assert "status NULL → retard_explique (applied, by archiviste)" in capsys.readouterr().out
    assert cli("correct", "2020-legacy", "#4", "title", title, "--out", str(out)) == 0

    def check() -> None:
        m3, m4 = measure(out, 3), measure(out, 4)
        assert (m3["status"], m3["status_source"], m3["corrected_fields"]) == (
            "retard_explique", "correction", "status")
        assert pd.isna(m3["status_reason"])
        assert (m4["title"], m4["corrected_fields"]) == (title, "title")
        table = corrections(out).set_index("field")
        assert list(table["state"]) == ["applied", "applied"]
        assert pd.isna(table.loc["status", "machine_value"])  # the machine's reading kept
        assert table.loc["title", "machine_now"] == before_title
        assert table.loc["status", "corrected_by"] == "archiviste"
        frames = read_release(out)
        checks = frames["status_checks"]
        late = checks[checks["status"] == "retard_explique"]
        assert set(late["read_count"]) == {1}  # status checks count the corrected value
        history = frames["measure_history"]
        assert "correction" in set(history["status_source"].dropna())

    check()
    run_module.ingest([inbox], out)  # the same inputs again: nothing new
    check()
    monkeypatch.setattr(run_module, "pipeline_version", lambda: "0.0.0+a-new-version")
    summary = run_module.ingest([inbox], out)  # re-extracted by the new version
    assert summary.new and set(read_release(out)["documents"]["pipeline_version"]) == {
        "0.0.0+a-new-version"}
    check()
    report = (out / "report.html").read_text(encoding="utf-8")
    assert report.count('class="badge fixed"') == 2


def test_a_new_reading_makes_a_correction_stale_never_silently_applied(
        release: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    inbox, out = release
    assert cli("correct", "legacy", "5", "title", "Organiser un dialogue", "--out", str(out)) == 0
    assert cli("correct", "legacy", "letter", "date", "2020-10-18", "--out", str(out)) == 0
    original = run_module.finish_document

    def reads_otherwise(source: SourceDocument, pages: list[Page]) -> DocumentResult:
        result = original(source, pages)
        ms = list(result.extraction.measures)
        ms[4] = dataclasses.replace(ms[4], title="Organiser autrement")
        return dataclasses.replace(result, extraction=dataclasses.replace(
            result.extraction, measures=tuple(ms)))

    monkeypatch.setattr(run_module, "finish_document", reads_otherwise)
    monkeypatch.setattr(run_module, "pipeline_version", lambda: "0.0.0+reads-otherwise")
    run_module.ingest([inbox], out)
    m5 = measure(out, 5)
    assert m5["title"] == "Organiser autrement" and pd.isna(m5["corrected_fields"])
    table = corrections(out).set_index("field")
    assert table.loc["title", "state"] == "stale"
    assert table.loc["title", "machine_now"] == "Organiser autrement"
    assert table.loc["date", "state"] == "applied"  # the letter's date was read the same
    assert read_release(out)["letters"].iloc[0]["date"] == "2020-10-18"
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "stale" in report and "Organiser autrement" in report
    capsys.readouterr()
    assert cli("review", "--out", str(out)) == 0
    rows = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    stale = [r for r in rows if r["reason"].startswith("stale correction")]
    assert [(r["position"], r["field"], r["machine_value"]) for r in stale] == [
        ("5", "title", "Organiser autrement")]
    # confirmed again by a person: applied over the new reading, the stale one superseded
    assert cli("correct", "legacy", "5", "title", "Organiser un dialogue", "--out",
               str(out)) == 0
    assert measure(out, 5)["title"] == "Organiser un dialogue"
    states = sorted(corrections(out)["state"])
    assert states == ["applied", "applied", "superseded"]


def test_a_correction_whose_measure_is_gone_is_an_orphan(release: tuple[Path, Path],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    inbox, out = release
    n = len(read_release(out)["measures"])
    assert cli("correct", "legacy", f"#{n}", "status", "satisfaisant", "--out", str(out)) == 0
    original = run_module.finish_document

    def reads_fewer(source: SourceDocument, pages: list[Page]) -> DocumentResult:
        result = original(source, pages)
        return dataclasses.replace(result, extraction=dataclasses.replace(
            result.extraction, measures=result.extraction.measures[:-1]))

    monkeypatch.setattr(run_module, "finish_document", reads_fewer)
    monkeypatch.setattr(run_module, "pipeline_version", lambda: "0.0.0+fewer")
    run_module.ingest([inbox], out)
    assert list(corrections(out)["state"]) == ["orphan"]
    assert (out / STORE_DIR).is_dir() and len(read_store(out)) == 1


@pytest.mark.parametrize("args, says", [
    (("nope", "3", "status", "satisfaisant"), "no published document matches 'nope'"),
    (("rapport", "3", "status", "satisfaisant"), "matches 2 documents"),
    (("legacy", "99", "status", "satisfaisant"), "has no measure '99'"),
    (("legacy", "3", "colour", "rouge"), "unknown measure field 'colour'"),
    (("legacy", "3", "status", "excellent"), "'excellent' is not a status"),
    (("legacy", "3", "number", "trois"), "number must be a whole number"),
    (("legacy", "3", "title", "null"), "cannot be cleared"),
    (("legacy", "letter", "date", "17/10/2020"), "date must be YYYY-MM-DD"),
])
def test_a_bad_correction_is_refused_and_nothing_is_applied(
        release: tuple[Path, Path], capsys: pytest.CaptureFixture[str], args: tuple[str, ...],
        says: str) -> None:
    inbox, out = release
    if "matches 2" in says:  # a second document whose name also says « rapport »
        other = inbox / "rapport-2021.txt"
        other.write_bytes(LEGACY.read_bytes() + b"\r\n")
        run_module.ingest([inbox], out)
    kept = state_of(out)
    capsys.readouterr()
    assert cli("correct", *args, "--out", str(out)) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1 and "Traceback" not in err
    assert state_of(out) == kept


def test_review_file_filled_in_and_applied(release: tuple[Path, Path],
                                            capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    _inbox, out = release
    sheet = tmp_path / "review.xlsx"
    assert cli("review", "--out", str(out), "--to", str(sheet)) == 0
    frame = pd.read_excel(sheet, dtype=str, keep_default_na=False)
    assert {"doc_id", "page", "crop", "machine_value", "value", "why", "by"} <= set(frame.columns)
    inferred = frame.index[frame["reason"].str.startswith("number inferred")][0]
    frame.loc[inferred, ["value", "why", "by"]] = [frame.loc[inferred, "machine_value"],
                                                   "lu sur l'original", "relectrice"]
    low = frame.index[frame["reason"].str.startswith("low confidence")][0]
    frame.loc[low, "value"] = "Un titre relu"
    frame.to_excel(sheet, index=False)
    assert cli("review", "--apply", str(sheet), "--out", str(out)) == 0
    assert "2 correction(s)" in capsys.readouterr().out
    table = corrections(out)
    assert list(table["state"]) == ["applied", "applied"]
    assert "relectrice" in set(table["corrected_by"])  # the file's `by`, else the login name
    assert measure(out, int(frame.loc[low, "position"]))["title"] == "Un titre relu"
    assert cli("review", "--out", str(out), "--to", str(tmp_path / "again.csv")) == 0
    again = list(csv.DictReader((tmp_path / "again.csv").read_text().splitlines()))
    assert len(again) == len(frame) - 2  # what was corrected is no longer asked


def test_a_malformed_review_file_is_refused_whole(release: tuple[Path, Path],
                                                   capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path) -> None:
    _inbox, out = release
    capsys.readouterr()
    assert cli("review", "--out", str(out)) == 0
    rows = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    measures = [r for r in rows if r["target"] == "measure"]
    measures[0]["value"] = "Un bon titre" if measures[0]["field"] == "title" else "1"
    measures[1]["value"] = "satisfaisant"
    measures[1]["field"] = "status"  # the machine read no status there: fine
    measures[2]["value"] = "excellent"  # not a status
    measures[2]["field"] = "status"
    document = next(r for r in rows if r["target"] == "document")
    document["value"] = "satisfaisant"  # a stated count is not corrected itself
    filled = tmp_path / "filled.csv"
    with open(filled, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    kept = state_of(out)
    assert cli("review", "--apply", str(filled), "--out", str(out)) == 2
    err = capsys.readouterr().err
    assert "refused whole, nothing applied" in err and "'excellent' is not a status" in err
    assert "a stated count is not corrected itself" in err
    assert state_of(out) == kept
    (tmp_path / "junk.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    assert cli("review", "--apply", str(tmp_path / "junk.csv"), "--out", str(out)) == 2
    assert "is not a review file" in capsys.readouterr().err
    assert state_of(out) == kept


def test_the_store_survives_pruning_verify_and_is_never_read_as_input(
        release: tuple[Path, Path]) -> None:
    inbox, out = release
    for n in range(4):  # four publishes: the releases before the previous one are pruned
        assert cli("correct", "legacy", "3", "title", f"Titre {n}", "--out", str(out)) == 0
    assert len(list((out / ".releases").iterdir())) == 2
    assert cli("verify", "--out", str(out)) == 0
    assert len(read_store(out)) == 4
    assert list(corrections(out)["state"]) == ["superseded"] * 3 + ["applied"]
    shutil.copytree(out, inbox / "out", symlinks=True)  # the release folder inside the inbox
    summary = run_module.ingest([inbox], out)
    assert not any("corrections" in name for name in summary.new)
    assert measure(out, 3)["title"] == "Titre 3"


def test_kill_9_while_a_batch_is_written_leaves_the_store_intact(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = tmp_path / "out"
    # A real process writing a batch of 100 000 corrections, killed as soon as its file grows.
    writer = ("import sys; from flows.corrections.store import Correction, append_batch\n"
              "c = Correction('d'*64, 'x.txt', 'measure', 1, 1, '1', 'title', 'a', 'b' * 200, "
              "'k', '2026-01-01T00:00:00Z')\n"
              "append_batch(sys.argv[1], [c])\n"
              "print('go', flush=True); append_batch(sys.argv[1], [c] * 100000)\n")
    proc = subprocess.Popen([sys.executable, "-c", writer, str(out)], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline().strip() == b"go"
    seen = False  # the batch's temporary file, with bytes in it: the write is under way
    deadline = time.monotonic() + 120
    while not seen and proc.poll() is None and time.monotonic() < deadline:
        for temp in (out / STORE_DIR).glob(".tmp-*"):
            with contextlib.suppress(FileNotFoundError):  # renamed meanwhile: written whole
                seen = seen or temp.stat().st_size > 0
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    kept = read_store(out)  # the first batch whole; the second whole or not there at all
    assert len(kept) in (1, 100001)
    assert seen or len(kept) == 100001


def test_kill_9_during_correct_leaves_the_store_and_release_intact(
        release: tuple[Path, Path]) -> None:
    _inbox, out = release
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # `missions correct`, killed at random moments, then run once to the end.
    rng = random.Random(17)
    for _ in range(4):
        proc = subprocess.Popen([sys.executable, "-m", "flows.cli", "correct", "legacy", "3",
                                 "status", "satisfaisant", "--out", str(out)], env=env, cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kept = read_store(out)  # every batch whole, none half-written
        assert all(c.value == "satisfaisant" for c in kept)
        for batch in (out / STORE_DIR).glob("*.jsonl"):
            assert [json.loads(line)["field"] for line in batch.read_text().splitlines()] == [
                "status"]
    assert cli("verify", "--out", str(out)) == 0
    assert cli("correct", "legacy", "3", "status", "satisfaisant", "--out", str(out)) == 0
    assert measure(out, 3)["status"] == "satisfaisant"
    table = corrections(out)
    assert len(table) == len(read_store(out)) and (table["state"] == "applied").sum() == 1


def test_correct_takes_the_folders_lock_and_keeps_nothing_it_cannot_publish(
        release: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from flows.corrections import command
    from flows.release.layout import acquire_lock
    from models.errors import OutputNotWritable

    _inbox, out = release
    kept = state_of(out)
    with acquire_lock(out):  # another run publishing into the folder
        assert cli("correct", "legacy", "3", "status", "satisfaisant", "--out", str(out)) == 6
    assert "Another `missions` run is publishing" in capsys.readouterr().err
    assert state_of(out) == kept

    def disk_full(*_args: object, **_kw: object) -> None:
        raise OutputNotWritable("The disk holding the output folder is full")

    monkeypatch.setattr(command, "publish_release", disk_full)
    assert cli("correct", "legacy", "3", "status", "satisfaisant", "--out", str(out)) == 5
    assert state_of(out)[1] == [".missionsignore"] and read_store(out) == []


def test_a_title_like_a_formula_stays_text_in_the_review_spreadsheet(
        release: tuple[Path, Path], tmp_path: Path) -> None:
    from openpyxl import load_workbook

    _inbox, out = release
    assert cli("correct", "legacy", "3", "title", "=HYPERLINK(\"http://x\")", "--out",
               str(out)) == 0
    sheet = tmp_path / "r.xlsx"
    from flows.corrections.queue import REVIEW_COLUMNS
    from flows.corrections.review import write_xlsx

    row = dict.fromkeys(REVIEW_COLUMNS, "")
    row["machine_value"] = measure(out, 3)["title"]
    write_xlsx(sheet, [row])
    cell = load_workbook(sheet).active.cell(row=2, column=REVIEW_COLUMNS.index("machine_value") + 1)
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(\"http://x\")"


def test_the_machines_reading_is_restored_exactly_before_the_store_is_applied_again(
        template: Path) -> None:
    from flows.corrections.command import make_corrections
    from flows.corrections.overlay import corrected_frames, machine_frames

    machine = machine_frames(read_release(template / "out"))
    asked = [("3", "status", "satisfaisant"), ("3", "number", "30"), ("4", "dimension", "null"),
             ("5", "horizon", "6/18"), ("#6", "title", "Un titre"), ("letter", "date", "2020-10-18")]
    store = [dataclasses.replace(c, correction_id=f"b.jsonl:{n}")
             for n, (item, field, value) in enumerate(asked, start=1)
             for c in make_corrections(machine, "legacy", item, field, value, "t", None,
                                       "2026-01-01T00:00:00Z")]
    published = corrected_frames(machine, store)
    assert set(published["corrections"]["state"]) == {"applied"} and len(store) == 7
    m = published["measures"].set_index("position")
    assert (m.loc[3, "status"], m.loc[3, "number"], m.loc[3, "number_inferred"]) == (
        "satisfaisant", 30, 0)
    assert pd.isna(m.loc[4, "dimension"]) and m.loc[5, "horizon_max_months"] == 18
    again = machine_frames(published)
    for name in ("measures", "letters", "status_checks"):
        pd.testing.assert_frame_equal(again[name], machine[name], check_like=False)
    assert corrected_frames(again, store)["measures"].equals(published["measures"])


def test_a_measure_found_by_its_label_after_the_numbering_moved(
        release: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    inbox, out = release
    old = measure(out, 5)
    assert old["label"] == "5"
    assert cli("correct", "legacy", "5", "title", "Organiser un dialogue", "--out", str(out)) == 0
    original = run_module.finish_document

    def reads_one_less(source: SourceDocument, pages: list[Page]) -> DocumentResult:
        """A new version that no longer sees the first measure: every place moves up one."""
        result = original(source, pages)
        ms = tuple(dataclasses.replace(m, position=k)
                   for k, m in enumerate(result.extraction.measures[1:], start=1))
        return dataclasses.replace(result, extraction=dataclasses.replace(
            result.extraction, measures=ms))

    monkeypatch.setattr(run_module, "finish_document", reads_one_less)
    monkeypatch.setattr(run_module, "pipeline_version", lambda: "0.0.0+one-less")
    run_module.ingest([inbox], out)
    moved, next_one = measure(out, 4), measure(out, 5)
    assert (moved["label"], moved["title"], moved["corrected_fields"]) == (
        "5", "Organiser un dialogue", "title")
    assert next_one["label"] == "6" and pd.isna(next_one["corrected_fields"])
    # another publish undoes it where it was applied, and applies it there again
    assert cli("correct", "legacy", "7", "status", "satisfaisant", "--out", str(out)) == 0
    assert measure(out, 4)["title"] == "Organiser un dialogue"
    assert measure(out, 5)["title"] == next_one["title"]
    assert list(corrections(out)["state"]) == ["applied", "applied"]


def test_a_review_file_saved_by_a_french_spreadsheet_is_read(
        release: tuple[Path, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """« CSV (séparateur : point-virgule) »: semicolons, Windows-1252."""
    _inbox, out = release
    capsys.readouterr()
    assert cli("review", "--out", str(out)) == 0
    rows = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    row = next(r for r in rows if r["target"] == "measure" and r["field"] == "title")
    row["value"], row["why"] = "Un titre relu à l'original", "vérifié"
    saved = tmp_path / "revue.csv"
    with open(saved, "w", encoding="cp1252", errors="replace", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        writer.writerow(row)
    assert cli("review", "--apply", str(saved), "--out", str(out)) == 0
    assert measure(out, int(row["position"]))["title"] == "Un titre relu à l'original"
    assert corrections(out).iloc[0]["why"] == "vérifié"
