"""The nightly run tells its operator (issue 15): each quarantine a WARNING line naming the file
and the reason, a table artifact of every entry's outcome, and a run that quarantined something
new ends Failed, named « Quarantined »; the next night, with nothing new, it is Completed.

The real flow runs in a child process, on the session's Prefect server, so this test process
never starts a Prefect server of its own."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from flows.orchestration.operator import QUARANTINED_STATE
from tests.conftest import ROOT, SAMPLES, session_server

NIGHTS = r'''
import asyncio, json, logging, sys
from flows.orchestration.nightly import nightly_flow
from flows.orchestration.operator import ARTIFACT_KEY

class Keep(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.lines = []
    def emit(self, record):
        self.lines.append(record.getMessage())

async def artifact(flow_run_id):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    async with get_client() as client:
        found = await client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[ARTIFACT_KEY])))
    data = [a.data for a in found if a.flow_run_id == flow_run_id]
    return json.loads(data[0]) if data and isinstance(data[0], str) else (data[0] if data else [])

nights = []
for _ in range(2):
    keep = Keep()
    logging.getLogger("prefect.flow_runs").addHandler(keep)
    state = nightly_flow(sys.argv[1], sys.argv[2], return_state=True)
    logging.getLogger("prefect.flow_runs").removeHandler(keep)
    nights.append({"type": state.type.value, "name": state.name, "message": state.message,
                   "rows": asyncio.run(artifact(state.state_details.flow_run_id)),
                   "warnings": keep.lines})
print("NIGHTS " + json.dumps(nights))
'''


def test_a_new_quarantine_is_a_state_the_operator_notices(tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(SAMPLES / "rapport-2020-legacy.txt", inbox / "rapport.txt")
    (inbox / "note.docx").write_bytes(b"PK\x03\x04" + b"\0" * 26 + b"word/document.xml")
    (inbox / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0")
    session_server()  # the child's flows run on the session's Prefect server
    run = subprocess.run([sys.executable, "-c", NIGHTS, str(inbox), str(out)], cwd=ROOT,
                         capture_output=True, text=True, timeout=600, check=False)
    found = [ln for ln in run.stdout.splitlines() if ln.startswith("NIGHTS ")]
    assert run.returncode == 0 and found, run.stdout[-3000:] + run.stderr[-3000:]
    first, second = json.loads(found[0].removeprefix("NIGHTS "))

    assert (first["type"], first["name"]) == ("FAILED", QUARANTINED_STATE)
    assert "note.docx" in first["message"] and "published" in first["message"]
    outcomes = {Path(r["file"]).name: r["outcome"] for r in first["rows"]}
    assert outcomes == {"rapport.txt": "new", "note.docx": "quarantined (new)",
                        "Thumbs.db": "skipped"}
    assert len(first["warnings"]) == 1
    assert "note.docx" in first["warnings"][0] and "Word document" in first["warnings"][0]

    assert second["type"] == "COMPLETED"  # the next night: only an old quarantine
    assert {Path(r["file"]).name: r["outcome"] for r in second["rows"]}["note.docx"] == (
        "quarantined (earlier run)")
    assert len(second["warnings"]) == 1 and "since an earlier run" in second["warnings"][0]
