"""`missions correct`: a document, a measure (or letter) and a field found in the release, the
value checked, the correction added to the store and the release published again at once."""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from extractors.folding import fold
from flows.corrections.overlay import (
    APPLIED,
    as_text,
    corrected_frames,
    machine_frames,
    plain,
)
from flows.corrections.store import (
    LETTER,
    MEASURE,
    Correction,
    append_batch,
    default_author,
    drop_batch,
    expand_field,
    field_kind,
    normalise_value,
    now,
    read_store,
)
from flows.release.layout import (
    MANIFEST_KEYS,
    StrPath,
)
from flows.release.publish import publish_release
from flows.release.verify import hold_release
from flows.report.render import report_writer
from models.errors import BadArguments

Frames = Mapping[str, pd.DataFrame]
PLACE = re.compile(r"(?:#|pos(?:ition)?:?\s*|place:?\s*)(\d+)", re.IGNORECASE)
LETTER_WORD = re.compile(r"letter(?:\s*[:@#]\s*(\d+))?", re.IGNORECASE)


def find_document(frames: Frames, text: str) -> dict[str, Any]:
    """The one published document `text` names, as `query --report` takes it: a doc_id prefix,
    part of the file name, or part of the report label (accents and case do not matter)."""
    docs = frames["documents"]
    docs = docs[(docs["state"] == "published").fillna(False).to_numpy(dtype=bool)]
    labels = {d: as_text(label) for d, label in zip(frames["reports"]["doc_id"],
                                                   frames["reports"]["report_label"], strict=True)}
    wanted = fold(text.strip(), typed=True)
    hits = [d for d in docs.to_dict("records") if wanted and (
        d["doc_id"].startswith(text.strip().lower())
        or wanted in fold(str(d["source_name"]), typed=True)
        or wanted in fold(labels.get(d["doc_id"]) or "", typed=True))]
    if not hits:
        raise BadArguments(f"no published document matches {text!r} (a doc_id prefix, part of "
                           "the file name or of the report label); `missions query --format "
                           "csv \"select doc_id, source_name from documents\"` lists them")
    if len(hits) > 1:
        names = ", ".join(f"{d['source_name']} ({d['doc_id'][:12]})" for d in hits[:5])
        raise BadArguments(f"{text!r} matches {len(hits)} documents: {names}; give more of the "
                           "name, or a doc_id prefix")
    return hits[0]


def find_measure(frames: Frames, doc: Mapping[str, Any], text: str) -> dict[str, Any]:
    """The measure `text` names in `doc`: its printed label (`O1`, `7`), else its number, or
    its place in the document (`#12`)."""
    rows = [r for r in frames["measures"].to_dict("records") if r["doc_id"] == doc["doc_id"]]
    name = doc["source_name"]
    place = PLACE.fullmatch(text.strip())
    if place:
        hits = [r for r in rows if plain(r["position"]) == int(place[1])]
    else:
        want = text.strip().casefold()
        hits = [r for r in rows if (as_text(r["label"]) or "").casefold() == want]
        if not hits and want.isdigit():
            hits = [r for r in rows if plain(r["number"]) == int(want)]
    if not hits:
        raise BadArguments(f"{name} has no measure {text!r} ({len(rows)} measures; give its "
                           "printed number or label, or its place as #N)")
    if len(hits) > 1:
        where = ", ".join(f"#{r['position']} ({as_text(r['label']) or r['number']}, page "
                          f"{r['page']})" for r in hits[:6])
        raise BadArguments(f"measure {text!r} is ambiguous in {name}: {where}; give its place "
                           "as #N")
    return hits[0]


def find_letter(frames: Frames, doc: Mapping[str, Any], page: str | None) -> dict[str, Any]:
    rows = [r for r in frames["letters"].to_dict("records") if r["doc_id"] == doc["doc_id"]]
    if page is not None:
        rows = [r for r in rows if plain(r["page"]) == int(page)]
    if not rows:
        where = f" on page {page}" if page else ""
        raise BadArguments(f"{doc['source_name']} has no letter{where}")
    if len(rows) > 1:
        pages = ", ".join(str(r["page"]) for r in rows)
        raise BadArguments(f"{doc['source_name']} has letters on pages {pages}; say which as "
                           "letter:PAGE")
    return rows[0]


def make_corrections(frames: Frames, doc_text: str, item: str, field: str, value: str | None,
                     by: str, why: str | None, at: str) -> list[Correction]:
    """The corrections one command line asks for (two for `horizon MIN/MAX`), each checked
    against the release's machine reading (`frames`); BadArguments when anything is wrong."""
    doc = find_document(frames, doc_text)
    letter = LETTER_WORD.fullmatch(item.strip())
    target = LETTER if letter else MEASURE
    row = find_letter(frames, doc, letter[1]) if letter else find_measure(frames, doc, item)
    out = []
    for name, raw in expand_field(target, field, value):
        field_kind(target, name)
        out.append(Correction(
            doc_id=doc["doc_id"], source_name=str(doc["source_name"]), target=target,
            page=int(row["page"]), position=plain(row.get("position")) if target == MEASURE
            else None, label=as_text(row.get("label")) if target == MEASURE else None,
            field=name, machine_value=as_text(row[name]),
            value=normalise_value(target, name, raw), corrected_by=by, corrected_at=at, why=why))
    return out


@dataclass
class Committed:
    """What adding corrections did: the batch kept, the release published, their states."""

    batch: Path
    release: Path
    states: dict[str, str]  # correction_id -> applied / stale / …
    corrections: pd.DataFrame


Build = Callable[[Frames], Sequence[Correction]]


def commit(out_dir: StrPath, build: Build) -> Committed:
    """Under the folder's lock: the release checked (repaired if need be), `build` run over the
    machine's reading of it (it raises to refuse, and then nothing is written), the batch added
    to the store, and the release published again with the whole store applied. The new
    values are seen at once; no document is read again."""
    out = Path(out_dir)
    report = report_writer(out)
    missing = f"no release in {out}: run `missions ingest … --out {out}` first"
    with hold_release(out, report, missing) as held:
        machine = machine_frames(held.frames)
        corrections = list(build(machine))
        read_store(out)  # a store that cannot be read is refused before anything is added
        if not corrections:
            raise BadArguments("nothing to correct: no value was given")
        extra = {k: v for k, v in held.manifest.items() if k not in MANIFEST_KEYS}
        batch = append_batch(out, corrections)
        try:
            published = corrected_frames(machine, read_store(out))
            release = publish_release(out, published, str(held.manifest["pipeline_version"]),
                                      extra, report=report, lock=held.lock)
        except BaseException:
            # Not published (a full disk, Ctrl-C): the batch goes too, so the store says what
            # the release does. (Killed right here, it stays, and the next publish applies it.)
            drop_batch(batch)
            raise
    table = published["corrections"]
    ids = {f"{batch.name}:{n}" for n in range(1, len(corrections) + 1)}
    mine = table[table["correction_id"].isin(ids).to_numpy(dtype=bool)]
    return Committed(batch, release, dict(zip(mine["correction_id"], mine["state"], strict=True)),
                     mine)


def correct(out: StrPath, doc: str, item: str, field: str, value: str, why: str | None = None,
            by: str | None = None) -> str:
    """`missions correct`: the line it prints."""
    author = by or default_author()
    at = now()
    done = commit(out, lambda frames: make_corrections(frames, doc, item, field, value, author,
                                                       why, at))
    lines = []
    for r in done.corrections.to_dict("records"):
        was, new = as_text(r["machine_value"]), as_text(r["value"])
        what = (f"letter page {r['page']}" if r["target"] == LETTER
                else f"measure {as_text(r['label']) or '#' + str(r['position'])}")
        state = r["state"] if r["state"] != APPLIED else "applied"
        lines.append(f"missions: {r['source_name']}, {what}: {r['field']} {was if was is not None else 'NULL'} → "
                     f"{new if new is not None else 'NULL'} ({state}, by {author}); kept in "
                     f"{done.batch.parent}/{done.batch.name}; release {done.release.name} published")
    return "\n".join(lines)
