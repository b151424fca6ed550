"""`missions browse`: Datasette serving the release read-only on 127.0.0.1."""
from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flows.access.browse import datasette_metadata
from models.errors import ExitCode
from models.schema import TABLES
from tests.conftest import MISSIONS, ROOT, Release, run_cli


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read().decode("utf-8"))


@contextmanager
def browsing(release: Release, port: int) -> Iterator[tuple[subprocess.Popen[str], str]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([*MISSIONS, "browse", "--out", str(release.out), "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, proc.communicate()
            try:
                get_json(f"{base}/-/versions.json")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                assert time.monotonic() < deadline, "datasette did not start in 90 s"
                time.sleep(0.3)
        yield proc, base
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        # read to the end and closed (a pipe left open is a ResourceWarning, later, anywhere —
        # pikepdf's PDF/A check failed a file on one): the test reads what it said from these
        out, err = proc.communicate()
        proc.stdout, proc.stderr = io.StringIO(out), io.StringIO(err)


def test_browse_serves_the_release_read_only(sample_release: Release) -> None:
    port = free_port()
    with browsing(sample_release, port) as (proc, base):
        data = get_json(f"{base}/missions/measures.json?_shape=objects&_size=max")
        rows = data["rows"]
        assert len(rows) == len(sample_release.frames["measures"])
        assert {"number", "title", "status", "dimension", "doc_id"} <= set(rows[0])
        found = get_json(f"{base}/missions/measures.json?_shape=objects&_search=strategiques")["rows"]
        assert found and all("stratégique" in r["title"].lower() for r in found)  # FTS, no accents
        pages = get_json(f"{base}/missions/pages.json?_shape=objects&_search=Grenelle")["rows"]
        assert pages and all("Grenelle" in p["text"] for p in pages)
        history = get_json(f"{base}/missions/measure_history.json?_shape=objects"
                           "&mission_key=accelerer-les-alliances-strategiques&measure=7")["rows"]
        assert len(history) == 4
        databases = get_json(f"{base}/-/databases.json")
        assert [(d["name"], d["is_mutable"]) for d in databases] == [("missions", False)]
        meta = get_json(f"{base}/-/metadata.json")["databases"]["missions"]["tables"]
        assert meta["measures"]["columns"]["status"].startswith("tres_satisfaisant")
        with socket.create_connection(("127.0.0.1", port)) as _s:
            pass  # listening on 127.0.0.1
    assert proc.returncode in (0, -signal.SIGINT), proc.stderr.read() if proc.stderr else ""
    assert "serving release" in (proc.stdout.read() if proc.stdout else "")


def test_busy_port_is_its_own_exit_code(sample_release: Release) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        run = run_cli("browse", "--out", str(sample_release.out), "--port", str(port))
    assert run.returncode == ExitCode.port_in_use and "in use" in run.stderr


def test_no_release_is_a_bad_argument(tmp_path: os.PathLike[str]) -> None:
    run = run_cli("browse", "--out", str(tmp_path), "--port", str(free_port()))
    assert run.returncode == ExitCode.bad_arguments and "no release" in run.stderr


def test_metadata_describes_every_column() -> None:
    tables = datasette_metadata()["databases"]["missions"]["tables"]
    for table in TABLES:
        assert tables[table.name]["description"] == table.description
        assert set(tables[table.name]["columns"]) == set(table.column_names)
    assert tables["pages"]["fts_table"] == "pages_fts"
    assert tables["measures"]["fts_table"] == "measures_fts"


def test_browse_keeps_its_release_and_neutralises_csv(tmp_path: Path) -> None:
    """After two more publishes, the release served is still there (`/missions.db` answers
    with its bytes, not 500), and a CSV export has its formula cells made inert."""
    from tests.test_publish import dataset, publish

    out = tmp_path / "out"
    served = publish(out, dataset(2, title='=HYPERLINK("http://example.invalid","x")'),
                             "v1")
    with browsing(Release(out=out, run=None, frames={}), free_port()) as (_proc, base):  # type: ignore[arg-type]
        publish(out, dataset(3), "v2")
        publish(out, dataset(4), "v3")
        assert served.is_dir()  # not pruned while served
        with urllib.request.urlopen(f"{base}/missions.db", timeout=10) as response:
            assert response.status == 200
            assert response.read() == (served / "missions.sqlite").read_bytes()
        with urllib.request.urlopen(f"{base}/missions/measures.csv?_size=max&_dl=1",
                                    timeout=10) as response:
            exported = response.read().decode("utf-8")
        assert exported.count("'=HYPERLINK(") == 2 and ',"=HYPERLINK' not in exported
        rows = get_json(f"{base}/missions/measures.json?_shape=objects&number=1")["rows"]
        assert rows[0]["title"].startswith("=HYPERLINK(")  # the raw value, in JSON
    publish(out, dataset(5), "v4")  # no longer served: pruned as usual
    assert not served.exists()
