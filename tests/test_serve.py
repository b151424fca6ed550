"""`missions serve`: a real Prefect server, the nightly deployment, a run triggered by hand."""
from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from flows.orchestration.server import free_port, is_healthy
from tests.conftest import ROOT, SAMPLES, migrated_prefect_home, truth

TRIGGER = """
import asyncio, time
from prefect.client.orchestration import get_client
from prefect.deployments import run_deployment
from prefect.exceptions import ObjectNotFound

NAME = "missions-nightly/missions-nightly"

async def schedules():
    async with get_client() as client:
        for _ in range(120):  # serve registers the deployment right after its banner
            try:
                found = await client.read_deployment_by_name(NAME)
            except ObjectNotFound:
                await asyncio.sleep(0.5)
                continue
            return [s.schedule.cron for s in found.schedules]
    return None

print("SCHEDULES", asyncio.run(schedules()), flush=True)
run = run_deployment(NAME, timeout=420)
print(run.state.type.value)
"""


def test_serve_schedules_and_runs_the_nightly_ingest(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLES / "rapport-2020-legacy.txt", inbox / "legacy.txt")
    out = tmp_path / "out"
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    home = migrated_prefect_home(tmp_path / "prefect")  # serve's own server, its own database
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PREFECT_RUNNER_POLL_FREQUENCY": "2",
           "PREFECT_HOME": str(home)}
    env.pop("PREFECT_API_URL", None)
    log = tmp_path / "serve.log"
    with open(log, "w") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "flows.cli", "serve", "--inbox", str(inbox), "--out", str(out),
             "--cron", "0 2 * * *", "--port", str(port)],
            stdout=fh, stderr=subprocess.STDOUT, env=env, start_new_session=True, text=True)
    try:
        deadline = time.monotonic() + 240
        while "Prefect server at" not in log.read_text() and time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            time.sleep(0.5)
        assert f"http://127.0.0.1:{port}" in log.read_text()
        trig = subprocess.run([sys.executable, "-c", TRIGGER], capture_output=True, text=True,
                              env={**env, "PREFECT_API_URL": api}, timeout=480, check=False)
        assert "SCHEDULES ['0 2 * * *']" in trig.stdout, trig.stdout + trig.stderr
        assert trig.stdout.strip().endswith("COMPLETED"), trig.stdout + trig.stderr + log.read_text()
        con = sqlite3.connect(out / "missions.sqlite")
        measures = len(truth("rapport-2020-legacy.txt")["measures"])
        assert con.execute("select count(*) from measures").fetchone()[0] == measures
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert not is_healthy(api)  # stopping serve stopped the server it started
