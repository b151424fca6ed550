"""Expected failures (issue 15): each is one line and its documented exit code, found before
any page is read when it can be known then."""
from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from models.errors import ExitCode
from tests.conftest import SAMPLES, run_cli

LEGACY = SAMPLES / "rapport-2020-legacy.txt"


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port on 127.0.0.1 someone else listens on."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        yield held.getsockname()[1]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def test_a_dead_dask_scheduler_is_one_line_and_exit_8(tmp_path: Path) -> None:
    started = time.monotonic()
    run = run_cli("ingest", str(LEGACY), "--out", str(tmp_path / "out"), "--runner", "dask",
                  "--address", f"tcp://127.0.0.1:{closed_port()}")
    assert run.returncode == ExitCode.unreachable == 8
    assert "Dask scheduler" in one_line(run.stderr) and "cannot be reached" in run.stderr
    assert time.monotonic() - started < 30  # was 42 s of Dask's retries
    assert not (tmp_path / "out" / ".releases").exists()


def test_foreign_files_in_out_are_refused_before_any_page(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "csv").mkdir(parents=True)
    (out / "csv" / "mes-notes.csv").write_text("a;b\n")
    run = run_cli("ingest", str(LEGACY), "--out", str(out))
    assert run.returncode == ExitCode.output_not_writable
    line = one_line(run.stderr)
    assert str(out / "csv") in line and "not written by missions" in line
    assert not (out / ".cache" / "pages").exists(), "no page was read"
    assert (out / "csv" / "mes-notes.csv").read_text() == "a;b\n"


def test_browse_on_a_port_in_use_is_exit_7(tmp_path: Path, taken_port: int) -> None:
    from flows.pipeline.run import ingest

    ingest([str(LEGACY)], str(tmp_path / "out"), workers=1)
    run = run_cli("browse", "--out", str(tmp_path / "out"), "--port", str(taken_port))
    assert run.returncode == ExitCode.port_in_use == 7
    assert "in use" in one_line(run.stderr)


def test_serve_on_a_port_in_use_is_exit_7_before_any_server(tmp_path: Path,
                                                            taken_port: int) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    run = run_cli("serve", "--inbox", str(inbox), "--out", str(tmp_path / "out"), "--port",
                  str(taken_port), timeout=60)
    assert run.returncode == ExitCode.port_in_use
    assert f"port {taken_port}" in one_line(run.stderr)


def test_version_usage_and_an_empty_folder(tmp_path: Path) -> None:
    run = run_cli("--version")
    assert run.returncode == 0 and one_line(run.stdout).startswith("missions 0.")
    run = run_cli("query", "--bogus")
    assert run.returncode == ExitCode.bad_arguments
    assert run.stderr.startswith("usage: missions query") and "--bogus" in run.stderr
    empty = tmp_path / "vide"
    empty.mkdir()
    run = run_cli("ingest", str(empty), "--out", str(tmp_path / "out"))
    assert run.returncode == ExitCode.ok, run.stderr
    assert "no release made" in run.stdout and "release in" not in run.stdout
