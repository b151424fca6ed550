"""Every process a run starts dies with it — the embedded Prefect server, the reader pool, the
tesseract they run — on `kill -9` too; SIGTERM is handled like Ctrl-C. Checked by the PIDs the
run started (psutil, its descendants), never by process names across the machine."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from flows.pipeline.run import ingest
from models.errors import ExitCode
from tests.conftest import MISSIONS, ROOT, SAMPLES, migrated_prefect_home
from tests.test_hostile import image_bytes, text_image
from tests.test_release_health import snapshot

Pid = tuple[int, float]  # pid and start time: a pid reused later is another process


def family(proc: psutil.Process) -> set[Pid]:
    found: set[Pid] = set()
    for child in proc.children(recursive=True):
        try:
            found.add((child.pid, child.create_time()))
        except psutil.NoSuchProcess:
            pass
    return found


def still_running(pids: set[Pid]) -> set[Pid]:
    left = set()
    for pid, started in pids:
        try:
            p = psutil.Process(pid)
            if p.create_time() == started and p.status() != psutil.STATUS_ZOMBIE:
                left.add((pid, started))
        except psutil.NoSuchProcess:
            pass
    return left


@pytest.fixture()
def run_in_flight(tmp_path: Path) -> tuple[subprocess.Popen[str], set[Pid], Path, dict[str, str]]:
    """A previous release, then `missions ingest` of a scanned page whose tesseract hangs (the
    hanging engine: a real process that never answers), caught while it runs: (the process, every process it started, the output, the release's
    files before)."""
    out = tmp_path / "out"
    old = tmp_path / "old"
    old.mkdir()
    shutil.copy(SAMPLES / "rapport-2020-legacy.txt", old / "rapport.txt")
    ingest([str(old)], str(out), workers=1)
    before = snapshot(out)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "page.png").write_bytes(image_bytes(text_image(["Une page qui fige tesseract"]),
                                                 "PNG", dpi=(300, 300)))
    # the embedded Prefect server (no PREFECT_API_URL): a process of the run's that must go too
    migrated_prefect_home()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MISSIONS_OCR_ENGINE": "hanging",
           "PREFECT_API_URL": "", "TMPDIR": str(tmp_path)}  # what a killed run leaves: here
    proc = subprocess.Popen([*MISSIONS, "ingest", str(inbox), "--out", str(out)], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    started: set[Pid] = set()
    me = psutil.Process(proc.pid)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        started |= family(me)
        names = {psutil.Process(p).name() for p, _ in still_running(started)}
        if "sleep" in names and len(started) >= 4:  # the server, the pool, a worker, tesseract
            break
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("the run never reached tesseract")
    started |= family(me)
    return proc, started, out, before


def wait_gone(pids: set[Pid], seconds: float = 20) -> set[Pid]:
    deadline = time.monotonic() + seconds
    while still_running(pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = still_running(pids)
    for pid, _ in left:  # leave the machine clean even when the test fails
        os.kill(pid, signal.SIGKILL)
    return left


def test_kill_9_leaves_no_process_of_ours(run_in_flight: tuple) -> None:
    proc, started, out, before = run_in_flight
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert wait_gone(started) == set()  # server, forkserver, workers, tesseract: all gone
    assert snapshot(out) == before  # the previous release, untouched


def test_sigterm_is_handled_like_ctrl_c(run_in_flight: tuple) -> None:
    proc, started, out, before = run_in_flight
    proc.send_signal(signal.SIGTERM)
    _stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == ExitCode.terminated, stderr[-2000:]
    assert "missions: stopped by SIGTERM; the previous release is unchanged." in stderr
    assert "Traceback" not in stderr
    assert wait_gone(started) == set()
    assert snapshot(out) == before
