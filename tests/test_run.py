"""One run, counted: each input is hashed once when it is discovered, and once more — by design,
the changed-while-read check — when its pages are all read; it is read once; the release it
builds on is checked and read once. Counted on the run the CLI and the flow drive (IngestRun),
here without Prefect: legacy text and a text-layer PDF, no OCR."""
from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import extractors.sources
import flows.release.verify
from flows.pipeline.executors import LocalPages
from flows.pipeline.run import IngestRun
from tests.conftest import SAMPLES
from tests.test_hostile import build_pdf, pdf_text

OPENS: list[str] | None = None  # paths opened by this process while a count is on


def _audit(event: str, args: tuple[object, ...]) -> None:
    if event == "open" and OPENS is not None and isinstance(args[0], str | bytes | os.PathLike):
        OPENS.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)  # for the life of the test process: inert while OPENS is None


class Counts:
    """What one run did to the files: hashes per input, opens per input, Parquet reads and
    sha256 checks per release file."""

    def __init__(self) -> None:
        self.hashed: Counter[str] = Counter()
        self.opens: list[str] = []  # filled by the audit hook while the count is on
        self.parquet: Counter[str] = Counter()
        self.checked: Counter[str] = Counter()

    @property
    def opened(self) -> Counter[str]:
        return Counter(os.path.realpath(p) for p in self.opens)


@contextlib.contextmanager
def counting(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counts]:
    """Count, for the block, what the process does to input and release files."""
    global OPENS
    counts = Counts()
    hash_fd = extractors.sources._hash_fd
    read_parquet = pd.read_parquet
    file_digest = flows.release.verify.file_digest

    def hashing(fd: int) -> tuple[str, bytes, int]:
        counts.hashed[os.readlink(f"/proc/self/fd/{fd}")] += 1
        return hash_fd(fd)

    def reading(path: object, *args: object, **kwargs: object) -> pd.DataFrame:
        counts.parquet[os.path.realpath(os.fspath(path))] += 1  # type: ignore[arg-type]
        return read_parquet(path, *args, **kwargs)  # type: ignore[arg-type]

    def checking(path: Path) -> str:
        counts.checked[os.path.realpath(path)] += 1
        return file_digest(path)

    monkeypatch.setattr(extractors.sources, "_hash_fd", hashing)
    monkeypatch.setattr(pd, "read_parquet", reading)
    monkeypatch.setattr(flows.release.verify, "file_digest", checking)
    OPENS = counts.opens
    try:
        yield counts
    finally:
        OPENS = None
        monkeypatch.undo()


@pytest.fixture()
def count(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counts]:
    with counting(monkeypatch) as counts:
        yield counts


def run_as_the_cli_does(inbox: Path, out: Path) -> IngestRun:
    """discover, reads begun ahead, read, publish: the CLI's steps, Prefect's tasks aside."""
    with IngestRun(out, workers=1) as run:
        run.discover([inbox])
        if not run.nothing_new:
            run.begin_reading()
            run.read(LocalPages(run.reads))
            run.publish()
        run.finish()
        return run


@pytest.fixture()
def inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLES / "rapport-2020-legacy.txt", inbox / "rapport.txt")
    (inbox / "note.txt").write_text("Note de suivi : une seule page.\n", encoding="utf-8")
    (inbox / "suivi.pdf").write_bytes(build_pdf([((0, 0, 595, 842), pdf_text(
        ["Dimension operationnelle (3/9 mois)", "1. Faciliter l'usage des donnees publiques"]))]))
    return inbox


def inputs(inbox: Path) -> list[str]:
    return sorted(str(p.resolve()) for p in inbox.iterdir())


def test_a_new_input_is_hashed_twice_and_read_once(inbox: Path, tmp_path: Path,
                                                   count: Counts) -> None:
    run = run_as_the_cli_does(inbox, tmp_path / "out")
    assert len(run.summary.new) == 3 and run.summary.release is not None
    for path in inputs(inbox):
        assert count.hashed[path] == 2, path  # discovered, then checked unchanged once read
    for path in inputs(inbox):
        if path.endswith(".txt"):  # opened here (no reader process): hash, read, hash
            assert count.opened[path] == 3, path
    assert count.parquet == Counter()  # no release before this run


def test_a_release_is_read_once_and_unchanged_inputs_hashed_once(inbox: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch
                                                                  ) -> None:
    out = tmp_path / "out"
    run_as_the_cli_does(inbox, out)  # the release the next runs build on
    (inbox / "nouveau.txt").write_text("Une autre note de suivi.\n", encoding="utf-8")
    release = (out / ".current").resolve()
    with counting(monkeypatch) as counts:
        again = run_as_the_cli_does(inbox, out)
    assert again.summary.new == [str(inbox / "nouveau.txt")]
    assert {p: n for p, n in counts.hashed.items() if p in inputs(inbox)} == {
        p: 2 if p.endswith("nouveau.txt") else 1 for p in inputs(inbox)}
    tables = sorted(release.glob("parquet/*.parquet"))
    assert counts.parquet == Counter({str(t): 1 for t in tables})  # every table, once
    manifest = [f for f in release.rglob("*") if f.is_file() and f.name != "manifest.json"]
    assert {p: n for p, n in counts.checked.items() if p.startswith(str(release))} == {
        str(f): 1 for f in manifest}  # checked against the manifest once
    with counting(monkeypatch) as counts:
        quiet = run_as_the_cli_does(inbox, out)
    assert quiet.nothing_new and quiet.lock is None
    assert [counts.hashed[p] for p in inputs(inbox)] == [1] * len(inputs(inbox))
    assert set(counts.parquet.values()) == {1}
