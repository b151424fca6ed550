"""`missions forget NAME|DOC`: a document taken out of the current release by hand (a file
from a folder no longer read, a test copy), its record kept in `superseded`."""
from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from flows.release.history import withdraw
from flows.release.layout import StrPath
from flows.release.publish import publish_release
from flows.release.verify import hold_release
from flows.report.render import report_writer
from models.errors import BadArguments

MIN_PREFIX = 6  # hex digits of a doc_id that name it


def matching(frames: dict[str, pd.DataFrame], what: str) -> dict[str, set[str]]:
    """doc_id -> every name it is known under, for the documents `what` names: a doc_id prefix
    (6 hex digits or more), a name as recorded, or else part of a name (case folded)."""
    names: dict[str, set[str]] = {}
    for table in ("documents", "document_names"):
        frame = frames.get(table)
        if frame is not None and not frame.empty:
            for doc_id, name in zip(frame["doc_id"], frame["source_name"], strict=True):
                names.setdefault(str(doc_id), set()).add(str(name))
    low = what.lower()
    exact = {d: n for d, n in names.items() if what in n
             or (len(what) >= MIN_PREFIX and d.startswith(low))}
    if exact:
        return exact
    return {d: n for d, n in names.items() if any(low in x.lower() for x in n)}


def forget(out: StrPath, what: str, every: bool = False) -> list[str]:
    """Take the documents `what` names out of the current release (a new release, under the
    folder's lock); their record goes to `superseded` with the reason `forgotten`. Several
    matches are refused unless `every`. Returns the names forgotten."""
    writer = report_writer(out)
    missing = f"there is no release in {out} to forget anything from"
    with hold_release(out, writer, missing) as held:
        found = matching(held.frames, what)
        if not found:
            raise BadArguments(f"no document of the release in {out} is named {what!r} or has a "
                               "doc_id starting so (see `missions query \"select doc_id, "
                               "source_name from documents\"`)")
        if len(found) > 1 and not every:
            listed = "; ".join(sorted(min(n) for n in found.values()))
            raise BadArguments(f"{what!r} names {len(found)} documents ({listed}); name one "
                               "exactly, or add --all to forget them all")
        when = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        gone = {name: "forgotten" for names in found.values() for name in names}
        kept, _ = withdraw(held.frames, gone, when)
        publish_release(out, kept, held.manifest.get("pipeline_version", ""),
                        {k: v for k, v in held.manifest.items() if k == "ocr_settings"},
                        report=writer, lock=held.lock)
        return sorted(min(n) for n in found.values())
