"""Tests for flows.release.publish: the release on disk, its atomic swap, lock and failure modes."""
from __future__ import annotations

import errno
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from flows.release import writers
from flows.release.layout import (
    acquire_lock,
    check_writable,
    current_release,
    file_digest,
    read_manifest,
    read_release,
)
from flows.release.publish import publish_release
from flows.release.tables import empty_frames, frames_from_results
from flows.release.verify import verify_release
from flows.report.render import report_writer
from models.errors import OutputLocked, OutputNotWritable
from models.records import DocumentResult, Extraction, Line, Measure, Page, SourceDocument
from models.schema import SCHEMA_VERSION, TABLES, table

REPO = Path(__file__).resolve().parents[1]


def result(i: int, *, title: str = "Renforcer la coordination") -> DocumentResult:
    doc_id = f"{i:064x}"
    return DocumentResult(
        source=SourceDocument(doc_id, f"/in/r{i}.pdf", f"r{i}.pdf", "pdf", 100 + i),
        state="published",
        pages=(Page(1, "ocr", (Line("Mesure 1 — été", None),), 2480, 3508, 300, 88.5),),
        extraction=Extraction(
            kind="report",
            measures=(
                Measure(1, 1, title, status="satisfaisant", bbox=(1.2, 2, 30, 40.7), confidence=0.9),
                Measure(1, 2, "Sans statut lisible", number_inferred=True),
            ),
        ),
    )


def publish(out: Path | str, frames: dict[str, pd.DataFrame], version: str, **kw: object) -> Path:
    """`publish_release` with the release's QA report, as every publish writes it."""
    return publish_release(out, frames, version, report=report_writer(out), **kw)


def dataset(n: int, **kw: str) -> dict[str, pd.DataFrame]:
    return frames_from_results([result(i, **kw) for i in range(1, n + 1)], "0.1.0", "2025-01-01T00:00:00Z")


def assert_frames_equal(got: dict[str, pd.DataFrame], want: dict[str, pd.DataFrame]) -> None:
    assert list(got) == list(want)
    for name, frame in want.items():
        pd.testing.assert_frame_equal(got[name], frame, check_dtype=True, obj=name)


def test_publish_then_read_back_equal(tmp_path: Path) -> None:
    out = tmp_path / "out"
    frames = dataset(3)
    release = publish(out, frames, "0.1.0")
    assert release.parent == out / ".releases" and release.is_dir()
    assert current_release(out) == release
    assert_frames_equal(read_release(out), frames)
    some = read_release(out, only=("documents", "document_names"))  # what a re-run checks
    assert_frames_equal(some, {k: frames[k] for k in ("documents", "document_names")})


def test_layout_is_links_through_current(tmp_path: Path) -> None:
    out = tmp_path / "out"
    release = publish(out, dataset(2), "0.1.0")
    assert os.readlink(out / ".current") == f".releases/{release.name}"
    for name in ("missions.sqlite", "parquet", "csv", "manifest.json"):
        assert os.readlink(out / name) == f".current/{name}"
    assert sorted(p.name for p in (out / "parquet").iterdir()) == sorted(
        f"{t.name}.parquet" for t in TABLES
    )
    measures = pd.read_csv(out / "csv" / "measures.csv", keep_default_na=False, dtype=str)
    columns = table("measures").column_names  # CSV: the file name right after doc_id
    assert list(measures.columns) == [columns[0], "source_name", *columns[1:]]
    assert measures.loc[1, "status"] == "" and measures.loc[0, "bbox"] == "1,2,30,41"
    assert "Mesure 1 — été" in (out / "csv" / "pages.csv").read_text(encoding="utf-8")


def test_read_release_before_any_release_is_empty(tmp_path: Path) -> None:
    assert_frames_equal(read_release(tmp_path / "nothing"), empty_frames())
    assert read_manifest(tmp_path / "nothing") is None


def test_second_publish_replaces_and_previous_stays_readable(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = publish(out, dataset(1), "0.1.0")
    second = publish(out, dataset(2, title="Autre"), "0.2.0")
    assert current_release(out) == second != first
    assert len(read_release(out)["documents"]) == 2
    assert read_manifest(out)["pipeline_version"] == "0.2.0"  # type: ignore[index]
    old = pd.read_parquet(first / "parquet" / "documents.parquet")
    assert len(old) == 1 and verify_release(first) == []
    with sqlite3.connect(first / "missions.sqlite") as conn:
        assert conn.execute("select count(*) from documents").fetchone() == (1,)
    third = publish(out, dataset(3), "0.3.0")
    assert sorted(p.name for p in (out / ".releases").iterdir()) == [second.name, third.name]


def test_manifest_matches_the_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    frames = dataset(2)
    release = publish(out, frames, "0.1.0", extra_manifest={"inputs": ["a.pdf"]})
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["schema_version"] == SCHEMA_VERSION
    assert manifest["pipeline_version"] == "0.1.0" and manifest["inputs"] == ["a.pdf"]
    assert manifest["created_at"].endswith("Z") and manifest["release"] == release.name
    assert manifest["row_counts"] == {name: len(frame) for name, frame in frames.items()}
    on_disk = {
        str(p.relative_to(release)) for p in release.rglob("*") if p.is_file()
    } - {"manifest.json"}
    assert set(manifest["files"]) == on_disk
    for name, entry in manifest["files"].items():
        assert file_digest(out / name) == entry["sha256"]
        assert (out / name).stat().st_size == entry["bytes"]
    assert verify_release(release) == []
    with pytest.raises(ValueError, match="override"):
        publish(out, frames, "0.1.0", extra_manifest={"files": {}})


def enospc(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_failure_mid_write_keeps_previous_release_current(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    frames = dataset(2)
    first = publish(out, frames, "0.1.0")
    monkeypatch.setattr(writers, "write_csv", enospc)
    with pytest.raises(OutputNotWritable, match="No space left on device") as info:
        publish(out, dataset(5), "0.2.0")
    assert str(out) in str(info.value) and "previous release is still" in str(info.value)
    assert current_release(out) == first
    assert [p.name for p in (out / ".releases").iterdir()] == [first.name]
    assert_frames_equal(read_release(out), frames)
    assert verify_release(out) == []  # through the contract links


def test_failure_in_sqlite_on_first_publish_publishes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"

    def full(*args: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(writers, "write_sqlite", full)
    with pytest.raises(OutputNotWritable, match="nothing was published"):
        publish(out, dataset(1), "0.1.0")
    assert current_release(out) is None and list((out / ".releases").iterdir()) == []
    assert not (out / "missions.sqlite").is_symlink()


HOLDER = textwrap.dedent(
    """
    import fcntl, os, sys
    fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    print("locked", flush=True)
    sys.stdin.read()
    """
)


def test_lock_held_by_another_process(tmp_path: Path) -> None:
    out = check_writable(tmp_path / "out")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(out / ".lock")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(OutputLocked) as info, acquire_lock(out):
            pass
        assert str(out) in str(info.value) and "Another `missions` run" in str(info.value)
        with pytest.raises(OutputLocked):
            publish(out, dataset(1), "0.1.0")
        assert current_release(out) is None
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=10)
        assert holder.stdout is not None
        holder.stdout.close()
    with acquire_lock(out):
        pass


def test_the_holder_passes_its_lock_and_no_second_hold_is_granted(tmp_path: Path) -> None:
    """A run holds DIR's lock from before it reads to after it publishes, and publishes under
    it; any other hold on DIR is refused, in another thread or in the same one."""
    import threading

    out = tmp_path / "out"
    refused: list[BaseException] = []

    def other_thread() -> None:
        try:
            with acquire_lock(out):
                pass
        except OutputLocked as exc:
            refused.append(exc)

    with acquire_lock(out) as lock:
        publish(out, dataset(1), "0.1.0", lock=lock)
        with pytest.raises(OutputLocked):
            publish(out, dataset(2), "0.2.0")  # it would take a lock of its own: refused
        with pytest.raises(OutputLocked), acquire_lock(out):
            pass
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
        assert len(refused) == 1
        with pytest.raises(ValueError, match="lock"):
            publish(tmp_path / "elsewhere", dataset(1), "0.1.0", lock=lock)
    with acquire_lock(out):  # released with the block
        pass
    assert len(read_release(out)["documents"]) == 1


def test_unwritable_folder(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("not a folder")
    bad = tmp_path / "afile" / "out"
    with pytest.raises(OutputNotWritable) as info:
        check_writable(bad)
    assert str(bad) in str(info.value) and "--out" in str(info.value)
    with pytest.raises(OutputNotWritable), acquire_lock(bad):
        pass
    with pytest.raises(OutputNotWritable):
        publish(bad, dataset(1), "0.1.0")
    with pytest.raises(OutputNotWritable):
        check_writable(tmp_path / "afile")


def test_sqlite_rows_with_nulls(tmp_path: Path) -> None:
    out = tmp_path / "out"
    publish(out, dataset(2), "0.1.0")
    conn = sqlite3.connect(out / "missions.sqlite")
    try:
        rows = conn.execute(
            "select number, number_inferred, status, bbox, confidence from measures "
            "where doc_id = ? order by number", (f"{1:064x}",)
        ).fetchall()
        assert rows == [(1, 0, "satisfaisant", "1,2,30,41", 0.9), (2, 1, None, None, 1.0)]
        assert conn.execute("select error, n_pages from documents limit 1").fetchone() == (None, 1)
        assert conn.execute("pragma user_version").fetchone() == (SCHEMA_VERSION,)
        pk = [r[1] for r in conn.execute("pragma table_info(documents)") if r[5]]
        assert pk == ["doc_id"]
        indexes = {r[1] for r in conn.execute("select * from sqlite_master where type='index'")}
        assert {"pages_key", "measures_key", "letters_key"} <= indexes
        for t in TABLES:
            columns = [(r[1], r[2]) for r in conn.execute(f"pragma table_info({t.name})")]
            assert columns == [(c.name, c.sql_type) for c in t.columns]
    finally:
        conn.close()


def test_refuses_to_overwrite_user_data(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "csv").mkdir()
    (out / "csv" / "mine.csv").write_text("precious")
    (out / "missions.sqlite").touch()  # what sqlite3.connect leaves before any release
    with pytest.raises(OutputNotWritable, match="nothing was deleted"):
        publish(out, dataset(1), "0.1.0")
    assert (out / "csv" / "mine.csv").read_text() == "precious"
    (out / "csv" / "mine.csv").unlink()
    publish(out, dataset(1), "0.1.0")
    assert (out / "missions.sqlite").is_symlink()


def test_invalid_frames_are_refused_before_writing(tmp_path: Path) -> None:
    frames = dataset(1)
    frames["documents"] = pd.concat([frames["documents"]] * 2, ignore_index=True)
    with pytest.raises(ValueError, match="unique"):
        publish(tmp_path / "out", frames, "0.1.0")
    with pytest.raises(ValueError, match="missing"):
        publish(tmp_path / "out", {"documents": dataset(1)["documents"]}, "0.1.0")


PUBLISHER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[2])
    from tests.test_publish import dataset
    from flows.release.publish import publish_release
    sets = [dataset(n) for n in (1, 2, 3)]
    print("ready", flush=True)
    i = 0
    while True:
        publish(sys.argv[1], sets[i % 3], f"v{i}")
        i += 1
    """
)


def test_kill_9_at_any_instant_leaves_a_complete_release(tmp_path: Path) -> None:
    out = tmp_path / "out"
    publish(out, dataset(1), "v-start")
    rng = random.Random(1234)
    for _ in range(3):
        proc = subprocess.Popen(
            [sys.executable, "-c", PUBLISHER, str(out), str(REPO)],
            stdout=subprocess.PIPE, text=True, cwd=REPO,
        )
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.05, 0.6))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=10)  # gone, its pipe closed
        assert verify_release(out) == []  # the manifest through the links matches the files
        manifest = read_manifest(out)
        assert manifest is not None
        frames = read_release(out)
        assert {name: len(f) for name, f in frames.items()} == manifest["row_counts"]
        assert len(frames["documents"]) in (1, 2, 3)
    publish(out, dataset(2), "v-end")  # lock released by the kill; leftovers pruned
    assert not [p for p in (out / ".releases").iterdir() if p.name.endswith(".partial")]
    assert len(list((out / ".releases").iterdir())) == 2
