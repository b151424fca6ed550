"""The correction store, DIR/corrections/: append-only JSON-lines batches written atomically, and
what a correction may say (fields, vocabularies, values)."""
from __future__ import annotations

import contextlib
import json
import logging
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from extractors.folding import fold
from flows.release.layout import StrPath
from models.errors import BadArguments
from models.records import DIMENSIONS, STATUSES

log = logging.getLogger("missions")
STORE_DIR = "corrections"  # DIR/corrections/<stamp>-<pid>.jsonl, one file per batch
BATCH_SUFFIX = ".jsonl"
TEMP_PREFIX = ".tmp-"  # a batch being written; never read (a killed `correct` leaves only this)
IGNORE_NAME = ".missionsignore"  # so a scan of DIR never reads the store as input documents
NULL_WORDS = frozenset({"null", "none", "na", "vide"})

MEASURE, LETTER = "measure", "letter"
TEXT, INT, STATUS, DIMENSION, DATE = "text", "int", "status", "dimension", "date"
FIELDS: dict[str, dict[str, str]] = {
    MEASURE: {"status": STATUS, "title": TEXT, "number": INT, "label": TEXT,
              "dimension": DIMENSION, "horizon_min_months": INT, "horizon_max_months": INT},
    LETTER: {"place": TEXT, "date": DATE, "sender_org": TEXT, "sender_role": TEXT,
             "recipient": TEXT, "recipient_org": TEXT, "recipient_address": TEXT,
             "subject": TEXT, "salutation": TEXT},
}
NOT_CLEARED = frozenset({"title"})  # a measure without a title is no measure


@dataclass(frozen=True)
class Correction:
    """One value a person gave, keyed by the document's bytes and the row's place in them."""

    doc_id: str
    source_name: str
    target: str  # measure or letter
    page: int
    position: int | None  # measures.position; None for a letter
    label: str | None  # measures.label when corrected
    field: str
    machine_value: str | None  # what the machine read then
    value: str | None  # None: cleared
    corrected_by: str
    corrected_at: str
    why: str | None = None
    correction_id: str = ""  # <batch file>:<line>, set when read back

    def record(self) -> dict[str, Any]:
        out = asdict(self)
        del out["correction_id"]
        return out


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def default_author() -> str:
    """Who corrects when --by is not given: the login name."""
    for var in ("MISSIONS_USER", "USER", "LOGNAME"):
        if os.environ.get(var):
            return os.environ[var]
    return "unknown"


# --------------------------------------------------------------------------- values


def field_kind(target: str, field: str) -> str:
    """The kind of value `field` takes; BadArguments naming the fields when it is unknown."""
    fields = FIELDS[target]
    if field not in fields:
        raise BadArguments(f"unknown {target} field {field!r}; a {target}'s fields are "
                           f"{', '.join(fields)}" + (" (and horizon MIN/MAX)" if target == MEASURE
                                                     else ""))
    return fields[field]


def normalise_value(target: str, field: str, raw: str | None) -> str | None:
    """The value as stored (text; None clears it), or BadArguments saying what is wrong."""
    kind = field_kind(target, field)
    text = None if raw is None else str(raw).strip()
    if text is None or fold(text, typed=True) in NULL_WORDS:
        if field in NOT_CLEARED:
            raise BadArguments(f"a measure's {field} cannot be cleared; give the text it should read")
        return None
    if not text:
        raise BadArguments(f"empty value for {field}; give a value, or null to clear it")
    if kind == STATUS:
        return _vocabulary(text, STATUSES, "status")
    if kind == DIMENSION:
        return _vocabulary(text, DIMENSIONS, "dimension")
    if kind == INT:
        if not re.fullmatch(r"\d{1,4}", text):
            raise BadArguments(f"{field} must be a whole number (or null), not {text!r}")
        return str(int(text))
    if kind == DATE:
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise BadArguments(f"date must be YYYY-MM-DD (or null), not {text!r}") from None
    return text


def _vocabulary(text: str, allowed: Sequence[str], what: str) -> str:
    word = re.sub(r"[\s'-]+", "_", fold(text, typed=True))
    if word not in allowed:
        raise BadArguments(f"{text!r} is not a {what}; use one of {', '.join(allowed)} "
                           "(or null to clear it)")
    return word


def expand_field(target: str, field: str, value: str | None) -> list[tuple[str, str | None]]:
    """`horizon 3/9` → the two horizon fields; any other field as it is."""
    name = fold(field, typed=True).strip().replace("-", "_")
    if target == MEASURE and name == "horizon":
        if value is None or fold(value, typed=True) in NULL_WORDS:
            return [("horizon_min_months", None), ("horizon_max_months", None)]
        bounds = re.fullmatch(r"\s*(\d{1,4})\s*[/-]\s*(\d{1,4})\s*", value)
        if not bounds:
            raise BadArguments(f"horizon takes MIN/MAX in months (3/9), not {value!r}")
        return [("horizon_min_months", bounds[1]), ("horizon_max_months", bounds[2])]
    return [(name, value)]


# --------------------------------------------------------------------------- the store


def store_dir(out: StrPath) -> Path:
    return Path(out) / STORE_DIR


def read_store(out: StrPath, strict: bool = True) -> list[Correction]:
    """Every correction kept in DIR/corrections/, oldest batch first (a batch's name starts with
    its time), in the order it was written. A batch that cannot be read (edited by hand) is
    BadArguments when `strict` (`correct` adds nothing to a store it cannot read); otherwise
    (a run publishing) it is left out with a warning naming it, and the run goes on."""
    folder = store_dir(out)
    if not folder.is_dir():
        return []
    found: list[Correction] = []
    for batch in sorted(folder.glob(f"*{BATCH_SUFFIX}")):
        if batch.name.startswith("."):
            continue
        try:
            found.extend(_read_batch(batch))
        except BadArguments as exc:
            if strict:
                raise
            log.warning("%s; its corrections are not applied in this release", exc)
    return found


def _read_batch(batch: Path) -> list[Correction]:
    out: list[Correction] = []
    try:
        lines = batch.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise BadArguments(f"the correction batch {batch} cannot be read ({exc}); fix or move "
                           "that file, then run again") from exc
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            out.append(Correction(**record, correction_id=f"{batch.name}:{n}"))
        except (ValueError, TypeError) as exc:
            raise BadArguments(f"{batch}, line {n}, is not a correction ({exc}); fix or move "
                               "that file, then run again") from exc
    return out


def append_batch(out: StrPath, corrections: Iterable[Correction]) -> Path:
    """Add one batch to the store, atomically: written to a temporary file, fsynced, renamed,
    and the folder fsynced. A process killed at any moment leaves the store as it was (plus,
    at worst, a temporary file that is never read)."""
    records = [c.record() for c in corrections]
    folder = store_dir(out)
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / IGNORE_NAME
    if not ignore.exists():
        ignore.write_text("# the correction store of a missions release: not input documents\n*\n",
                          encoding="utf-8")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    final = folder / f"{stamp}-{os.getpid()}{BATCH_SUFFIX}"
    tmp = folder / f"{TEMP_PREFIX}{final.name}"
    text = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, final)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return final


def drop_batch(batch: Path) -> None:
    """Take back a batch this process has just added (its publish failed)."""
    with contextlib.suppress(FileNotFoundError):
        batch.unlink()
    fd = os.open(batch.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
