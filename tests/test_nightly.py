"""The nightly run tells its operator (issue 15): each quarantine a WARNING line naming the file
and the reason, a table artifact of every entry's outcome, and a run that quarantined something
new ends Failed, named « Quarantined »; the next night, with nothing new, it is Completed."""
from __future__ import annotations

import asyncio
import json
import logging
import shutil
from pathlib import Path

import pytest

from flows.orchestration.nightly import nightly_flow
from flows.orchestration.operator import ARTIFACT_KEY, QUARANTINED_STATE
from tests.conftest import SAMPLES


async def _artifact(flow_run_id: object) -> list[dict]:
    """The run's table artifact, as the Prefect API gives it back."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    async with get_client() as client:
        artifacts = await client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[ARTIFACT_KEY])))
    mine = [a for a in artifacts if a.flow_run_id == flow_run_id]
    data = mine[0].data if mine else []
    return json.loads(data) if isinstance(data, str) else data


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    found = [r.getMessage() for r in caplog.records
             if r.levelno >= logging.WARNING and r.name == "prefect.flow_runs"]
    caplog.clear()
    return found


def test_a_new_quarantine_is_a_state_the_operator_notices(tmp_path: Path,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(SAMPLES / "rapport-2020-legacy.txt", inbox / "rapport.txt")
    (inbox / "note.docx").write_bytes(b"PK\x03\x04" + b"\0" * 26 + b"word/document.xml")
    (inbox / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0")
    state = nightly_flow(str(inbox), str(out), return_state=True)
    assert state.is_failed() and state.name == QUARANTINED_STATE, state
    assert "note.docx" in (state.message or "") and "published" in state.message
    rows = asyncio.run(_artifact(state.state_details.flow_run_id))
    outcomes = {Path(r["file"]).name: r["outcome"] for r in rows}
    assert outcomes == {"rapport.txt": "new", "note.docx": "quarantined (new)",
                        "Thumbs.db": "skipped"}
    warnings = _warnings(caplog)
    assert len(warnings) == 1 and "note.docx" in warnings[0] and "Word document" in warnings[0]

    again = nightly_flow(str(inbox), str(out), return_state=True)  # the next night
    assert again.is_completed(), again
    rows = asyncio.run(_artifact(again.state_details.flow_run_id))
    assert {Path(r["file"]).name: r["outcome"] for r in rows}["note.docx"] == (
        "quarantined (earlier run)")
    warnings = _warnings(caplog)
    assert len(warnings) == 1 and "since an earlier run" in warnings[0]
