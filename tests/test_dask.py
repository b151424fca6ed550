"""Scale-out: the page work of an ingest runs on a local Dask cluster of worker processes."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from tests.conftest import SAMPLES, run_cli, truth


def test_ingest_on_a_local_dask_cluster(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLES / "suivi-2021-born-digital.pdf", inbox)  # two pages of page work
    shutil.copy(SAMPLES / "rapport-2020-legacy.txt", inbox)
    out = tmp_path / "out"
    run = run_cli("ingest", str(inbox), "--out", str(out), "--runner", "dask", "--workers", "2",
                  env={"PREFECT_API_URL": ""})
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 new" in run.stdout and "pages: 2 read" in run.stdout
    con = sqlite3.connect(out / "missions.sqlite")
    measures = sum(len(truth(name)["measures"]) for name in
                   ("suivi-2021-born-digital.pdf", "rapport-2020-legacy.txt"))
    assert con.execute("select count(*) from measures").fetchone()[0] == measures
    again = run_cli("ingest", str(inbox), "--out", str(out), "--runner", "dask",
                    env={"PREFECT_API_URL": ""})
    assert again.returncode == 0 and "0 new, 2 unchanged" in again.stdout


def test_address_needs_the_dask_runner(tmp_path: Path) -> None:
    run = run_cli("ingest", str(SAMPLES / "rapport-2020-legacy.txt"), "--out", str(tmp_path / "o"),
                  "--address", "tcp://127.0.0.1:8786")
    assert run.returncode == 2 and "--runner dask" in run.stderr
