"""Before Prefect starts: is there anything to do? A re-run over unchanged inputs stops here."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from extractors.document import pipeline_version
from extractors.sources import printable_name, scan_inputs, sha256_file
from flows.pipeline.isolation import stub_source
from flows.release.layout import current_release, read_release
from flows.release.verify import examine
from models.errors import InputRejected, MissionsError, NotARegularFile


@dataclass(frozen=True)
class NothingNew:
    """Counts of a run that would change nothing (every input already in the release)."""

    unchanged: int
    quarantined: int
    duplicates: int
    ignored: int

    def line(self, seconds: float) -> str:
        return (f"0 new, {self.unchanged} unchanged, {self.quarantined} quarantined, "
                f"{self.duplicates} duplicate, {self.ignored} ignored; pages: 0 read, "
                f"0 from cache; {seconds:.1f} s (nothing new: no flow run, no new release)")


def nothing_new(paths: Sequence[Path], out: Path) -> NothingNew | None:
    """The counts when every input is already in the current release, by sha256 and under the
    same name, with the same pipeline version; None as soon as anything needs the flow (a new
    or changed file, a new name, an entry refused otherwise than the release records, another
    pipeline version, or a release that does not match its manifest: the run repairs it).

    Every entry is accounted for here as in the flow: ignored (hidden, or listed in a
    `.missionsignore`), unchanged, duplicate, or quarantined again for the reason the release
    already records (a pipe, an unreadable file, a broken link: each keeps the id its name
    gives it, so one bad entry never stops the files after it from being looked at).
    """
    try:
        release = current_release(out)
    except MissionsError:
        return None
    if release is None or examine(release).bad:
        return None
    frames = read_release(out, only=("documents", "document_names"))
    docs, names = frames["documents"], frames.get("document_names")
    version = pipeline_version()
    same = docs[(docs["pipeline_version"] == version).fillna(False).to_numpy(dtype=bool)]
    state = dict(zip(same["doc_id"], same["state"], strict=True))
    errors = dict(zip(same["doc_id"], same["error"], strict=True))
    known_names: set[tuple[str, str]] = set()
    if names is not None and not names.empty:
        known_names = set(zip(names["doc_id"], names["source_name"], strict=True))
    unchanged = quarantined = duplicates = ignored = 0
    seen: set[str] = set()
    for entry in scan_inputs(paths):
        if entry.ignored:
            ignored += 1
            continue
        try:
            if entry.problem is not None:
                raise NotARegularFile(entry.problem)
            doc_id = sha256_file(entry.path)
        except InputRejected as exc:
            stub = stub_source(entry.path, entry.name).doc_id
            known_error = errors.get(stub)
            if (stub, entry.name) in known_names and isinstance(known_error, str) \
                    and known_error == printable_name(str(exc)):
                quarantined += 1  # refused again, exactly as the release says
                continue
            return None
        except OSError:
            return None
        if doc_id not in state or (doc_id, entry.name) not in known_names:
            return None
        if doc_id in seen:
            duplicates += 1
        elif state[doc_id] == "quarantined" or pd.isna(state[doc_id]):
            quarantined += 1
        else:
            unchanged += 1
        seen.add(doc_id)
    return NothingNew(unchanged, quarantined, duplicates, ignored)
