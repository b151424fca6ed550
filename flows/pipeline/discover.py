"""What a run's inputs are: every entry found under the paths given, each file hashed once (its
sha256 is its doc_id) and typed by its signature, then set against what the release holds."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from extractors.sources import printable_name, read_source, scan_inputs
from flows.pipeline.extraction import quarantined, stub_source
from models.errors import InputRejected, NotARegularFile
from models.records import DocumentResult, SourceDocument


@dataclass(frozen=True)
class Input:
    """One entry found under the paths given: ignored, hashed and typed, or refused (why)."""

    path: Path
    name: str  # printable: the path as given, or as found under a folder
    ignored: bool = False
    source: SourceDocument | None = None
    refused: str | None = None  # why it cannot be read: a pipe, a broken link, an empty file…
    note: str | None = None  # why it is ignored, when that is said (junk, a download, our output)


def scan(paths: Iterable[Path], outputs: Iterable[Path] = ()) -> list[Input]:
    """Every entry under `paths` (folders recursed; `.missionsignore`, hidden entries, junk,
    downloads in progress and release folders — `outputs` and any laid out as one — counted as
    ignored), each file read once for its sha256, size and signature (`read_source`)."""
    found = []
    for entry in scan_inputs(paths, tuple(outputs)):
        if entry.ignored:
            found.append(Input(entry.path, entry.name, ignored=True, note=entry.note))
            continue
        try:
            if entry.problem is not None:
                raise NotARegularFile(entry.problem)
            found.append(Input(entry.path, entry.name, source=read_source(entry.path, entry.name)))
        except InputRejected as exc:
            found.append(Input(entry.path, entry.name, refused=str(exc)))
    return found


@dataclass(frozen=True)
class Known:
    """What the release holds, as discovery asks it: each document's state and error (for this
    pipeline version only: other versions are read again) and every (doc_id, name) pair."""

    states: Mapping[str, tuple[str, str | None]] = field(default_factory=dict)
    names: frozenset[tuple[str, str]] = frozenset()

    @classmethod
    def of(cls, frames: Mapping[str, pd.DataFrame], version: str) -> Known:
        docs = frames.get("documents")
        states: dict[str, tuple[str, str | None]] = {}
        if docs is not None and not docs.empty:
            same = docs[(docs["pipeline_version"] == version).fillna(False).to_numpy(dtype=bool)]
            errors = [None if e is pd.NA else e for e in same["error"]]
            states = {d: (s, e) for d, s, e in zip(same["doc_id"], same["state"], errors,
                                                   strict=True)}
        return cls(states, frozenset(known_names(frames)))


def known_names(frames: Mapping[str, pd.DataFrame]) -> set[tuple[str, str]]:
    """Every (doc_id, name) pair the release records (documents and document_names)."""
    known: set[tuple[str, str]] = set()
    for name in ("document_names", "documents"):
        frame = frames.get(name)
        if frame is not None and not frame.empty:
            known |= set(zip(frame["doc_id"], frame["source_name"], strict=True))
    return known


@dataclass
class Discovery:
    """The inputs set against the release: what to read, what to publish as refused, and every
    entry accounted for (the run's counts)."""

    sources: list[SourceDocument] = field(default_factory=list)  # new bytes: to be read
    rejected: list[DocumentResult] = field(default_factory=list)  # refused otherwise than recorded
    names: list[tuple[str, str]] = field(default_factory=list)  # (doc_id, name) of every entry
    unchanged: list[str] = field(default_factory=list)
    quarantined: list[tuple[str, str]] = field(default_factory=list)  # (name, why)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (name, first name)
    ignored: list[str] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (name, why ignored) to say
    gone: dict[str, str] = field(default_factory=dict)  # name the release holds -> gone|ignored
    earlier: list[str] = field(default_factory=list)  # quarantined as an earlier run recorded


def folders_read(paths: Iterable[Path]) -> list[str]:
    """The printable names of the folders among `paths`: the release's names under them are
    the inbox as it is now (names elsewhere were found by other runs and are left alone)."""
    return [printable_name(str(p)) for p in paths if p.is_dir()]


def under(name: str, folder: str) -> bool:
    """Whether the name found under a folder lies under `folder` (names as `scan` makes them)."""
    if folder == ".":
        return not name.startswith(("/", "../")) and name != ".."
    return name.startswith(folder.rstrip("/") + "/")


def missing_names(inputs: Sequence[Input], known: Known, folders: Sequence[str]
                  ) -> dict[str, str]:
    """Names the release holds under the folders read that this run did not find as an entry
    to read: `gone` (deleted or moved) or `ignored` (now junk, listed in a .missionsignore, or
    under a folder that is)."""
    if not folders:
        return {}
    present = {i.name for i in inputs if not i.ignored}
    skipped = {i.name for i in inputs if i.ignored}
    folders_skipped = [i.name for i in inputs if i.ignored and i.path.is_dir()]
    missing: dict[str, str] = {}
    for _doc_id, name in known.names:
        if name in present or not any(under(name, f) for f in folders):
            continue
        now_ignored = name in skipped or any(under(name, i) for i in folders_skipped)
        missing[name] = "ignored" if now_ignored else "gone"
    return missing


def compare(inputs: Iterable[Input], known: Known, folders: Sequence[str] = ()) -> Discovery:
    """Each input set against the release: a document it holds (same bytes, same pipeline
    version) is unchanged, or quarantined again without being read; the same bytes twice are
    a duplicate; an entry refused exactly as the release records it is counted as quarantined
    but not published again; names the release holds under the `folders` read that were not
    found are `gone`. Pure: the inputs were hashed by `scan`."""
    inputs = list(inputs)
    found = Discovery(gone=missing_names(inputs, known, folders))
    first: dict[str, str] = {}
    for entry in inputs:
        if entry.ignored:
            found.ignored.append(entry.name)
            if entry.note:
                found.notes.append((entry.name, entry.note))
            continue
        if entry.source is None:
            result = quarantined(stub_source(entry.path, entry.name), entry.refused or "")
            found.names.append((result.source.doc_id, entry.name))
            found.quarantined.append((entry.name, why(entry.name, result.error)))
            if known.states.get(result.source.doc_id) != ("quarantined", result.error):
                found.rejected.append(result)
            else:
                found.earlier.append(entry.name)
            continue
        source = entry.source
        found.names.append((source.doc_id, entry.name))
        if source.doc_id in first:
            found.duplicates.append((entry.name, first[source.doc_id]))
            continue
        first[source.doc_id] = entry.name
        state = known.states.get(source.doc_id, (None, None))[0]
        if state == "published":
            found.unchanged.append(entry.name)
        elif state == "quarantined":
            error = known.states[source.doc_id][1]
            found.quarantined.append((entry.name, why(entry.name, error) if error else
                                      "quarantined by an earlier run (see documents.error)"))
            found.earlier.append(entry.name)
        else:
            found.sources.append(source)
    return found


def why(name: str, error: str | None) -> str:
    """The reason without the file name it opens with (the counts pair it with the name)."""
    return (error or "").removeprefix(f"{name}: ")
