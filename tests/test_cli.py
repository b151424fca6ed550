"""The command line as users meet it: outputs, exit codes, re-runs, quarantine, bad arguments."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from models.errors import ExitCode
from tests.conftest import (
    REAL_OCR,
    SAMPLES,
    Release,
    all_truths,
    ignored_sample_files,
    run_cli,
    truth,
)


def test_ingest_publishes_contract_files(sample_release: Release) -> None:
    out = sample_release.out
    for rel in ("missions.sqlite", "manifest.json", "parquet/measures.parquet", "csv/measures.csv",
                "parquet/documents.parquet", "csv/letters.csv"):
        assert (out / rel).exists(), rel
    manifest = json.loads((out / "manifest.json").read_text())
    expected = list(all_truths().values())
    assert manifest["row_counts"]["measures"] == sum(len(e["measures"]) for e in expected)
    assert manifest["pipeline_version"]
    con = sqlite3.connect(out / "missions.sqlite")
    n = con.execute("select count(*) from measures where status is not null").fetchone()[0]
    legible = sum(1 for e in expected if e.get("statuses_legible", True)
                  for m in e["measures"] if m["status"] is not None)
    assert n == legible  # read from the coloured marks
    stated = sum(len(e["status_summary"]) for e in expected)
    assert manifest["row_counts"]["status_checks"] == stated  # one per stated count
    assert f"{len(expected)} new" in sample_release.run.stdout  # samples/ and samples/status/
    # scripts and expected records beside the samples are counted, not read
    assert f"{ignored_sample_files()} ignored" in sample_release.run.stdout


def test_rerun_adds_nothing_and_reads_nothing(sample_release: Release, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(sample_release.out, out, symlinks=True)
    before = (out / "manifest.json").read_text()
    run = run_cli("ingest", str(SAMPLES), "--out", str(out))
    assert run.returncode == ExitCode.ok, run.stderr
    assert f"0 new, {len(all_truths())} unchanged" in run.stdout
    assert "0 read" in run.stdout
    assert (out / "manifest.json").read_text() == before  # no new release


def test_query_json_rows(sample_release: Release) -> None:
    run = run_cli("query", "select number, title, status from measures where number = 7 "
                  "order by doc_id", "--format", "json", "--out", str(sample_release.out))
    assert run.returncode == 0, run.stderr
    rows = json.loads(run.stdout)
    sevens = [m for e in all_truths().values() for m in e["measures"] if m["number"] == 7]
    assert len(rows) == len(sevens) and set(rows[0]) == {"number", "title", "status"}
    assert all(r["number"] == 7 for r in rows)
    legible = [m for e in all_truths().values() if e.get("statuses_legible", True)
               for m in e["measures"] if m["number"] == 7 and m["status"] is not None]
    assert sum(r["status"] is not None for r in rows) == len(legible)  # not legacy text, grey


def test_bad_input_is_quarantined_and_run_goes_on(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "empty.pdf").write_bytes(b"")
    (inbox / "noise.tif").write_bytes(bytes(range(256)) * 8)
    shutil.copy(SAMPLES / "rapport-2020-legacy.txt", inbox / "legacy.txt")
    out = tmp_path / "out"
    # on Prefect's embedded server, as a user's first run without `missions server start`
    run = run_cli("ingest", str(inbox), "--out", str(out), env={"PREFECT_API_URL": ""})
    assert run.returncode == ExitCode.quarantined, run.stderr
    assert "Traceback" not in run.stderr
    con = sqlite3.connect(out / "missions.sqlite")
    rows = dict(con.execute("select source_name, state from documents").fetchall())
    assert rows == {str(inbox / "empty.pdf"): "quarantined", str(inbox / "noise.tif"): "quarantined",
                    str(inbox / "legacy.txt"): "published"}
    errors = [e for (e,) in con.execute("select error from documents where state='quarantined'")]
    assert any("empty" in e and "empty.pdf" in e for e in errors)
    assert any("noise.tif" in e and "not a PDF, TIFF, PNG, JPEG or text" in e for e in errors)
    assert con.execute("select count(*) from measures").fetchone()[0] == len(
        truth("rapport-2020-legacy.txt")["measures"])


def test_missing_path_is_a_bad_argument(tmp_path: Path) -> None:
    run = run_cli("ingest", str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
    assert run.returncode == ExitCode.bad_arguments
    assert "no such file or folder" in run.stderr and "Traceback" not in run.stderr


def test_unknown_option_is_a_bad_argument() -> None:
    assert run_cli("ingest", "--frobnicate").returncode == ExitCode.bad_arguments


def test_unwritable_output_stops_before_work(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    run = run_cli("ingest", str(SAMPLES / "rapport-2020-legacy.txt"), "--out", str(blocker / "out"))
    assert run.returncode == ExitCode.output_not_writable
    assert str(blocker / "out") in run.stderr and "Traceback" not in run.stderr


@pytest.mark.real_ocr
def test_missing_tesseract_is_reported(tmp_path: Path) -> None:
    run = run_cli("ingest", str(SAMPLES / "rapport-2020-legacy.txt"), "--out", str(tmp_path / "o"),
                  env={"PATH": "/nonexistent", **REAL_OCR})
    assert run.returncode == ExitCode.missing_dependency
    assert "tesseract" in run.stderr and "Traceback" not in run.stderr


def test_the_environment_gains_no_generic_module_names(tmp_path: Path) -> None:
    """The distribution installs `missions` alone: from another folder, `import flows` (or
    models, extractors) finds nothing of ours, while the `missions` command works."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    for name in ("flows", "models", "extractors"):
        probe = subprocess.run([sys.executable, "-c", f"import {name}"], cwd=tmp_path, env=env,
                               capture_output=True, text=True, check=False)
        assert probe.returncode != 0 and "ModuleNotFoundError" in probe.stderr, name
    missions = Path(sys.executable).with_name("missions")
    (tmp_path / "out").mkdir()
    run = subprocess.run([str(missions), "verify", "--out", str(tmp_path / "out")], cwd=tmp_path,
                         env=env, capture_output=True, text=True, check=False)
    assert run.returncode == ExitCode.ok and "no release in" in run.stdout, run.stderr
