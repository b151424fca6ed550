"""The release checks itself before anything builds on it: damage around it (a link dropped, a
table file missing, truncated or altered) is repaired from what is intact, or refused with exit
5; a published row is never lost. Text-only releases: no OCR, no Prefect (`flows.pipeline.run.ingest`
drives the run the flow wraps)."""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.pipeline.run import ingest
from flows.release.layout import current_release, read_release
from flows.release.verify import verify_release
from models.errors import ExitCode, ReleaseDamaged
from models.schema import TABLES
from tests.conftest import ROOT, legacy_release, run_cli

CORPUS = ROOT / "tests" / "corpus"
KEYED = ("documents", "pages", "measures", "status_summary", "letters", "repairs",
         "document_names")  # tables whose rows a run carries forward (the others are derived)


def snapshot(out: Path) -> dict[str, str]:
    """sha256 of every file and target of every link under `out` (the lock and caches aside)."""
    seen: dict[str, str] = {}
    for path in sorted(out.rglob("*")):
        rel = str(path.relative_to(out))
        if rel == ".lock" or rel.startswith(".cache"):
            continue
        if path.is_symlink():
            seen[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            seen[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return seen


def rows(out: Path) -> dict[str, set[tuple]]:
    frames = read_release(out)
    return {t: set(map(tuple, frames[t].astype(object).where(frames[t].notna(), None)
                       .itertuples(index=False))) for t in KEYED}


@pytest.fixture(scope="module")
def base_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two releases of legacy text (21 + 21 measures): the inbox, then the inbox again with a
    third file, so that a previous release is kept beside the current one."""
    root = tmp_path_factory.mktemp("health")
    out = legacy_release(root, name="rapport.txt", workers=1)
    shutil.copy(CORPUS / "gen-alliances-slides-0.txt", root / "inbox" / "suivi.txt")
    ingest([str(root / "inbox")], str(out), workers=1)
    return out


def copy_release(base: Path, where: Path) -> Path:
    out = where / "out"
    shutil.copytree(base, out, symlinks=True)
    return out


def next_run(out: Path, where: Path, name: str = "new.txt") -> None:
    """The next nightly run: the same inbox plus one new file."""
    inbox = where / "inbox-next"
    inbox.mkdir(exist_ok=True)
    (inbox / name).write_text("MINISTÈRE DE LA CULTURE\n\nNote de suivi du jour.\n", encoding="utf-8")
    ingest([str(inbox)], str(out), workers=1)


def test_current_link_removed_is_restored_not_published_over(
        base_release: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    out = copy_release(base_release, tmp_path)
    before = rows(out)
    counts = json.loads((out / "manifest.json").read_text())["row_counts"]
    assert counts["measures"] == 42
    os.unlink(out / ".current")  # a sync tool that drops links
    with pytest.raises(ReleaseDamaged, match=r"\.current is missing.*missions verify"):
        read_release(out)  # readers are told, not handed an empty dataset
    told = run_cli("query", "select count(*) from measures", "--out", str(out))
    assert told.returncode == ExitCode.output_not_writable and "missions verify" in told.stderr
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "one.txt").write_text("Note de suivi : une seule page.\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="missions"):
        summary = ingest([str(inbox)], str(out), workers=1)  # the run the issue describes
    assert summary.new == [str(inbox / "one.txt")] and not summary.quarantined
    assert ".current was missing: the newest complete release" in caplog.text
    after = rows(out)
    assert all(before[t] <= after[t] for t in KEYED)  # every published row is still there
    assert len(after["documents"]) == len(before["documents"]) + 1
    assert json.loads((out / "manifest.json").read_text())["row_counts"]["measures"] == 42
    assert verify_release(out) == []


@pytest.mark.parametrize("damage", ["missing", "truncated", "altered"])
def test_a_damaged_table_file_is_rebuilt_from_the_sqlite_file(base_release: Path, tmp_path: Path,
                                                              damage: str) -> None:
    out = copy_release(base_release, tmp_path)
    before = rows(out)
    target = current_release(out) / "parquet" / "measures.parquet"  # type: ignore[operator]
    if damage == "missing":
        target.unlink()
    elif damage == "truncated":
        target.write_bytes(target.read_bytes()[:200])
    else:  # a valid Parquet file with one title changed: only its sha256 tells
        table = pq.read_table(target)
        titles = table.column("title").to_pylist()
        titles[0] = "=HYPERLINK(\"http://example.invalid\",\"titre modifié\")"
        pq.write_table(table.set_column(table.schema.get_field_index("title"), "title",
                                        pa.array(titles, pa.string())), target)
    next_run(out, tmp_path)
    after = rows(out)
    assert all(before[t] <= after[t] for t in KEYED)  # 42 measures, the original titles
    assert len(after["measures"]) == 42
    assert not any("titre modifié" in str(r) for r in after["measures"])
    assert verify_release(out) == []


def test_what_cannot_be_repaired_is_refused_and_left_as_it_is(base_release: Path,
                                                               tmp_path: Path) -> None:
    out = copy_release(base_release, tmp_path)
    release = current_release(out)
    assert release is not None
    (release / "missions.sqlite").write_bytes(b"SQLite format 3\x00 cut short")
    (release / "parquet" / "pages.parquet").unlink()
    before = snapshot(out)
    with pytest.raises(ReleaseDamaged, match="neither its SQLite file nor its Parquet files"):
        next_run(out, tmp_path)
    assert snapshot(out) == before  # nothing written over it
    run = run_cli("verify", "--out", str(out))
    assert run.returncode == ExitCode.output_not_writable
    assert "missions.sqlite: its sha256 differs" in run.stderr and "Traceback" not in run.stderr
    assert snapshot(out) == before


def test_a_current_link_to_a_deleted_release_is_refused(base_release: Path, tmp_path: Path) -> None:
    out = copy_release(base_release, tmp_path)
    shutil.rmtree(current_release(out))  # type: ignore[arg-type]
    before = snapshot(out)
    with pytest.raises(ReleaseDamaged, match="which is missing.*newest complete release"):
        next_run(out, tmp_path)
    assert snapshot(out) == before


def test_verify_reports_health_and_repairs_links(base_release: Path, tmp_path: Path) -> None:
    out = copy_release(base_release, tmp_path)
    os.unlink(out / "csv")
    os.unlink(out / ".current")
    (out / ".write-test-leftover").write_bytes(b"x")  # what a killed run may leave
    run = run_cli("verify", "--out", str(out))
    assert run.returncode == ExitCode.ok, run.stderr
    assert ".current was missing" in run.stdout and "the link" in run.stdout
    assert "removed 1 temporary file" in run.stdout
    files = 2 * len(TABLES) + 3  # SQLite, Parquet and CSV, report.html, datapackage.json
    assert (f"is repaired: {files} files match the manifest's sha256, SQLite integrity ok"
            in run.stdout)
    assert os.readlink(out / "csv") == ".current/csv"
    again = run_cli("verify", "--out", str(out))
    assert again.returncode == ExitCode.ok and " is healthy: " in again.stdout


# --------------------------------------------------------------------------- any single damage


def _damage_targets(out: Path) -> list[str]:
    """Every link of the folder and every file of its current release (the previous release is
    only a fallback: damage there never reaches the next one)."""
    current = f".releases/{os.readlink(out / '.current').split('/')[-1]}/"
    return sorted(rel for rel in snapshot(out) if "/" not in rel or rel.startswith(current))


@settings(max_examples=12, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(pick=st.integers(0, 10_000), remove=st.booleans(), keep=st.floats(0.0, 0.95))
def test_any_single_file_or_link_damaged_is_recovered_or_refused(
        base_release: Path, tmp_path_factory: pytest.TempPathFactory, pick: int, remove: bool,
        keep: float) -> None:
    where = tmp_path_factory.mktemp("damage")
    out = copy_release(base_release, where)
    before = rows(out)
    targets = _damage_targets(out)
    path = out / targets[pick % len(targets)]
    if remove or (path.is_symlink() and keep < 0.5):
        path.unlink()
    elif path.is_symlink():  # a link cut short: it points nowhere now
        target = os.readlink(path)
        path.unlink()
        path.symlink_to(target[: max(1, int(len(target) * keep))])
    else:
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * keep)])
    damaged = snapshot(out)
    try:
        next_run(out, where)
    except ReleaseDamaged:
        assert snapshot(out) == damaged  # refused: nothing written over what is left
        return
    after = rows(out)
    assert all(before[t] <= after[t] for t in KEYED), path  # recovered: no published row lost
    assert verify_release(out) == []
    assert pd.notna(read_release(out)["documents"]["doc_id"]).all()
