"""What an ingest run says to the person who ran it: one line per entry that needs a word
(quarantined, duplicate, skipped), the summary line, and the exit code it ends with."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TextIO

from extractors.inbox import DOWNLOAD_NOTE, RELEASE_NOTE
from flows.pipeline.run import RunSummary

JUNK_SHOWN = 5  # names of skipped junk files listed on its line
from models.errors import ExitCode


def wall_seconds(fallback_start: float) -> float:
    """Seconds since this process started (interpreter start-up and imports included), from
    Linux's record of it; since `fallback_start` (a perf_counter) elsewhere."""
    try:
        with open("/proc/self/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        with open("/proc/uptime", encoding="ascii") as fh:
            uptime = float(fh.read().split()[0])
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")
        return max(0.0, uptime - started)
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - fallback_start


def exit_code(summary: RunSummary) -> ExitCode:
    """3 when an input of this run is quarantined (made now, or still in the inputs), else 0."""
    return ExitCode.quarantined if summary.quarantined else ExitCode.ok


def tell(summary: RunSummary, out: Path, nothing_new: bool = False, released: bool = True,
         stdout: TextIO | None = None, stderr: TextIO | None = None) -> None:
    """Print what the run did: a line per quarantine, duplicate and skipped entry (stderr),
    then the summary (stdout), naming the release only when there is one (`released`: the
    folder holds a current release)."""
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    for name, reason in summary.quarantined:
        print(f"quarantined: {name}: {reason}", file=stderr)
    for name, first in summary.duplicates:
        print(f"duplicate: {name} has the same bytes as {first}", file=stderr)
    junk = []
    for name, note in summary.notes:
        if note in (DOWNLOAD_NOTE, RELEASE_NOTE):
            print(f"skipped: {name}: {note}", file=stderr)
        else:
            junk.append(Path(name).name)
    if junk:  # one line, not one per Thumbs.db: they are no news
        shown = ", ".join(junk[:JUNK_SHOWN]) + (f" and {len(junk) - JUNK_SHOWN} more"
                                                if len(junk) > JUNK_SHOWN else "")
        print(f"skipped: {len(junk)} system or application file(s), not documents ({shown})",
              file=stderr)
    for name, why in sorted(summary.left.items()):
        what = "no longer in the folder read" if why == "gone" else "now ignored"
        print(f"left the release: {name}: {what} (its record is kept in superseded)",
              file=stderr)
    where = (f"; release in {out}" if summary.release or released
             else "; no release made: nothing to publish")
    print(f"missions: {summary.line(nothing_new=nothing_new)}{where}", file=stdout)
