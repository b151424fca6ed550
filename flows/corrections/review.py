"""`missions review`: what deserves a human look (statuses not read where a legend keys them,
numbers inferred, low confidence, stated counts that disagree, letter fields missing, stale
corrections) as a CSV or XLSX file to fill in, and `--apply FILE`: the filled-in file checked
whole, refused whole on any bad row, else kept and published."""
from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from flows.access.csvsafe import neutralise
from flows.corrections.command import commit
from flows.corrections.overlay import as_text, plain
from flows.corrections.queue import REVIEW_COLUMNS, review_rows
from flows.corrections.store import (
    FIELDS,
    LETTER,
    MEASURE,
    Correction,
    default_author,
    normalise_value,
    now,
)
from flows.release.layout import StrPath, read_release
from models.errors import BadArguments

MAX_ERRORS = 8  # bad rows named in the refusal

def write_review(out: StrPath, to: Path | None, fmt: str | None) -> str:
    """Write the review file (`to`, or CSV on stdout: returned); the line to print."""
    frames = read_release(out)
    if frames["documents"].empty:
        raise BadArguments(f"no release in {out}: run `missions ingest … --out {out}` first")
    rows = review_rows(frames)
    fmt = fmt or ("xlsx" if to is not None and to.suffix.lower() == ".xlsx" else "csv")
    if fmt == "xlsx":
        to = to or Path("review.xlsx")
        write_xlsx(to, rows)
    else:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(REVIEW_COLUMNS)
        writer.writerows([neutralise(r[c]) for c in REVIEW_COLUMNS] for r in rows)
        if to is None:
            return buf.getvalue()
        to.write_text(buf.getvalue(), encoding="utf-8")
    docs = len({r["doc_id"] for r in rows})
    return (f"missions: {len(rows)} value(s) to look at in {docs} document(s) written to {to}; "
            f"fill in `value` (null clears), then `missions review --apply {to} --out {out}`")


def write_xlsx(path: Path, rows: Sequence[Mapping[str, Any]]) -> None:
    """The review file as a spreadsheet. Every text cell is typed as text: a title that starts
    with `=` stays a title, never a formula (the CSV's guard, for XLSX)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "review"
    sheet.append(list(REVIEW_COLUMNS))
    for r in rows:
        sheet.append([r[c] for c in REVIEW_COLUMNS])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    book.save(path)


# --------------------------------------------------------------------------- --apply


def _cell(value: Any) -> str:
    """A cell as typed: CSV's formula guard (a ' before =, +, -, @) taken off again."""
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@", "\t", "\r"):
        text = text[1:]
    return text.strip()


def spreadsheet_text(data: bytes) -> str:
    """A CSV file's text: UTF-8 (with or without a BOM), else Windows-1252 — what a French
    spreadsheet saves as « CSV (séparateur : point-virgule) »."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def delimiter_of(data: bytes) -> str:
    """`,` as `review` writes it, or the `;` (or tab) a spreadsheet saved it with: whichever
    the header line has most of."""
    header = spreadsheet_text(data).partition("\n")[0]
    return max((",", ";", "\t"), key=header.count)


def read_filled(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The rows of a filled-in review file that give a value, with their line number."""
    try:
        if path.suffix.lower() == ".xlsx":
            sheet = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
            records = sheet.to_dict("records")
            names = list(sheet.columns)
        else:
            reader = csv.DictReader(io.StringIO(spreadsheet_text(path.read_bytes()), newline=""),
                                    delimiter=delimiter_of(path.read_bytes()))
            records = list(reader)
            names = list(reader.fieldnames or [])
    except (OSError, ValueError, UnicodeDecodeError, csv.Error) as exc:
        raise BadArguments(f"{path} cannot be read as a review file ({exc}); nothing was "
                           "applied") from exc
    needed = ("doc_id", "target", "position", "page", "field", "machine_value", "value")
    missing = [c for c in needed if c not in names]
    if missing:
        raise BadArguments(f"{path} is not a review file: it lacks the column(s) "
                           f"{', '.join(missing)} (make one with `missions review`); nothing "
                           "was applied")
    rows = [(n, {k: _cell(v) for k, v in r.items() if k is not None})
            for n, r in enumerate(records, start=2)]
    return [(n, r) for n, r in rows if r.get("value")]


def corrections_from(frames: Mapping[str, pd.DataFrame], rows: Sequence[tuple[int, dict[str, str]]],
                     by: str, path: Path) -> list[Correction]:
    """The file's rows as corrections, each checked against the release's machine reading;
    BadArguments naming every bad row when any is bad (then nothing is applied)."""
    docs = {d["doc_id"]: d for d in frames["documents"].to_dict("records")
            if d["state"] == "published"}
    found = {MEASURE: {(r["doc_id"], plain(r["position"])): r
                       for r in frames["measures"].to_dict("records")},
             LETTER: {(r["doc_id"], plain(r["page"])): r for r in frames["letters"].to_dict("records")}}
    at, errors, out, seen = now(), [], [], {}
    for n, r in rows:
        try:
            out.append(_correction(r, docs, found, by, at))
            key = (out[-1].doc_id, out[-1].target, out[-1].position, out[-1].page, out[-1].field)
            if key in seen and seen[key] != out[-1].value:
                raise BadArguments(f"the same field is given two values (line {seen[key][1]})")
            seen.setdefault(key, (out[-1].value, n))
        except BadArguments as exc:
            errors.append(f"line {n}: {exc}")
    if errors:
        more = f"; and {len(errors) - MAX_ERRORS} more" if len(errors) > MAX_ERRORS else ""
        raise BadArguments(f"{path}: refused whole, nothing applied: "
                           f"{'; '.join(errors[:MAX_ERRORS])}{more}")
    return out


def _correction(r: Mapping[str, str], docs: Mapping[str, Any], found: Mapping[str, Any],
                by: str, at: str) -> Correction:
    doc = docs.get(r["doc_id"])
    if doc is None:
        raise BadArguments(f"no published document {r['doc_id'][:12] or '(empty doc_id)'}")
    target = r["target"]
    if target not in FIELDS:
        raise BadArguments(f"target {target!r} cannot be corrected (measure or letter); a stated "
                           "count is not corrected itself: correct the measures' statuses")
    where = r["position"] if target == MEASURE else r["page"]
    if not where.isdigit() or (doc["doc_id"], int(where)) not in found[target]:
        raise BadArguments(f"{doc['source_name']} has no {target} at "
                           f"{'position' if target == MEASURE else 'page'} {where or '(empty)'}")
    row = found[target][(doc["doc_id"], int(where))]
    value = normalise_value(target, r["field"], r["value"])
    now_reads, file_reads = as_text(row[r["field"]]), r["machine_value"] or None
    if now_reads != file_reads:
        raise BadArguments(f"the release now reads {now_reads!r} for {r['field']}, the file says "
                           f"{file_reads!r}: make a new file with `missions review`")
    return Correction(
        doc_id=doc["doc_id"], source_name=str(doc["source_name"]), target=target,
        page=int(row["page"]), position=plain(row.get("position")) if target == MEASURE else None,
        label=as_text(row.get("label")) if target == MEASURE else None, field=r["field"],
        machine_value=now_reads, value=value, corrected_by=r.get("by") or by, corrected_at=at,
        why=r.get("why") or None)


def apply_review(out: StrPath, path: Path, by: str | None) -> str:
    """`missions review --apply FILE`: the line it prints."""
    rows = read_filled(path)
    if not rows:
        return f"missions: {path} gives no value (column `value` is empty): nothing to apply"
    author = by or default_author()
    done = commit(out, lambda frames: corrections_from(frames, rows, author, path))
    states = list(done.states.values())
    counts = ", ".join(f"{states.count(s)} {s}" for s in dict.fromkeys(states))
    return (f"missions: {path}: {len(states)} correction(s) kept in {done.batch} ({counts}); "
            f"release {done.release.name} published")

