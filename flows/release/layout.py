"""Where a release lives in DIR: every file name in one place, the folder checked writable and
locked, the current release found, and its tables read back."""
from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from flows.release.tables import conform_frame, empty_frame
from models.errors import OutputLocked, OutputNotWritable, ReleaseDamaged
from models.schema import TABLES

StrPath = str | os.PathLike[str]

RELEASES_DIR = ".releases"  # DIR/.releases/<id>/ holds one complete release
CURRENT_LINK = ".current"  # DIR/.current -> .releases/<id>, swapped atomically
PARTIAL_SUFFIX = ".partial"  # a release being built; never current
LOCK_FILE = ".lock"
SQLITE_NAME = "missions.sqlite"
MANIFEST_NAME = "manifest.json"
PARQUET_DIR = "parquet"
CSV_DIR = "csv"
REPORT_NAME = "report.html"  # the QA report, written with each release
REPORT_FILES = "report-files"  # its crops, JPEG files beside it (reached via DIR/.current/)
DATAPACKAGE_NAME = "datapackage.json"  # Frictionless Data Package describing the tables
PDFA_DIR = "pdfa"  # pdfa/<doc_id>.pdf: searchable PDF/A-2b of each document read by OCR
ALTO_DIR = "alto"  # alto/<doc_id>/p00001.xml: ALTO 4.2 of each page read by OCR
CONTRACT_PATHS = (SQLITE_NAME, PARQUET_DIR, CSV_DIR, MANIFEST_NAME, REPORT_NAME,
                  DATAPACKAGE_NAME, PDFA_DIR, ALTO_DIR)  # DIR/<name> -> .current/<name>
ARCHIVE_CACHE = ".cache/archive"  # DIR/.cache/archive/{pdfa,alto}/…: built, not yet published
PAGE_CACHE = ".cache/pages"  # DIR/.cache/pages: pages already read (flows.pipeline.pagecache)
REPORT_CACHE = ".cache/report"  # DIR/.cache/report/<doc_id>.json: page crops already made
# Full-text indexes in the SQLite file only: (index, content table, indexed columns). External
# content (`content="<table>"`), so Datasette finds them; accents and case do not matter.
FTS_INDEXES = (("pages_fts", "pages", ("text",)), ("measures_fts", "measures", ("title",)))
MANIFEST_KEYS = frozenset(
    {"schema_version", "pipeline_version", "created_at", "release", "row_counts", "files"}
)
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


def pdfa_name(doc_id: str) -> str:
    """Where a document's searchable PDF/A stands in a release (and in the archive cache)."""
    return f"{PDFA_DIR}/{doc_id}.pdf"


def alto_name(doc_id: str, page: int) -> str:
    """Where a page's ALTO file stands in a release (and in the archive cache)."""
    return f"{ALTO_DIR}/{doc_id}/p{page:05d}.xml"


def reason_of(exc: BaseException) -> str:
    """What went wrong, in the operating system's words when it has some."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


# --------------------------------------------------------------------------- folder and lock


def check_writable(out_dir: StrPath) -> Path:
    """Create the output folder if needed and prove it writable; OutputNotWritable otherwise."""
    path = Path(out_dir)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputNotWritable(
            f"The output folder {path} cannot be created ({reason_of(exc)}); "
            "choose another --out folder or fix the permissions of its parent."
        ) from exc
    try:
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-") as probe:
            probe.write(b"missions")
            probe.flush()
    except OSError as exc:
        if exc.errno in DISK_FULL:
            raise OutputNotWritable(
                f"The disk holding the output folder {path} is full ({reason_of(exc)}); free "
                "some disk space or choose another --out folder, then run again."
            ) from exc
        raise OutputNotWritable(
            f"The output folder {path} is not writable ({reason_of(exc)}); "
            "choose another --out folder or fix its permissions."
        ) from exc
    return path


@dataclass(frozen=True)
class FolderLock:
    """A hold on DIR/.lock: while it lasts, no other run (another process, or another hold in
    this one) publishes into DIR. Whoever holds it passes it to what publishes under it."""

    folder: Path  # DIR, resolved

    def check(self, out_dir: StrPath) -> None:
        """ValueError unless this is the lock of `out_dir`."""
        if Path(out_dir).resolve() != self.folder:
            raise ValueError(f"the lock held is {self.folder}'s, not {out_dir}'s")


def _locked_message(path: Path) -> str:
    return (f"Another `missions` run is publishing into {path}; wait for it to finish, "
            "or choose another --out folder.")


@contextlib.contextmanager
def acquire_lock(out_dir: StrPath) -> Iterator[FolderLock]:
    """Hold the output folder's lock (flock on DIR/.lock, non-blocking) for the `with` block.

    OutputLocked when another run holds it: another process, or another hold in this process
    (flock locks belong to an open file, so a second open of DIR/.lock is refused too). The
    lock goes with the process: a killed run leaves nothing to clean up.
    """
    path = check_writable(out_dir)
    try:
        fd = os.open(path / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise OutputNotWritable(
            f"Cannot create the lock file {path / LOCK_FILE} ({reason_of(exc)}); "
            "choose another --out folder or fix its permissions."
        ) from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise OutputLocked(_locked_message(path)) from exc
            raise OutputNotWritable(
                f"Cannot lock the output folder {path} ({reason_of(exc)}); "
                "choose an --out folder on a local disk."
            ) from exc
        try:
            yield FolderLock(path.resolve())
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextlib.contextmanager
def held_or_acquired(out_dir: StrPath, lock: FolderLock | None) -> Iterator[FolderLock]:
    """`lock` when the caller holds it (checked to be DIR's), else DIR's lock for the block."""
    if lock is not None:
        lock.check(out_dir)
        yield lock
        return
    with acquire_lock(out_dir) as acquired:
        yield acquired


# --------------------------------------------------------------------------- the current release


def current_release(out_dir: StrPath) -> Path | None:
    """The folder of the current release (DIR/.releases/<id>), or None before the first one.

    ReleaseDamaged when DIR/.current is missing although a release was published there, or
    points to a release that is gone (`flows.release.verify` restores what can be restored).
    """
    path = Path(out_dir)
    link = path / CURRENT_LINK
    try:
        target = os.readlink(link)
    except FileNotFoundError:
        if published_before(path):
            raise ReleaseDamaged(
                f"{link} is missing (a backup or sync tool that drops links?), so the current "
                f"release is unknown; run `missions verify --out {path}` to restore it from "
                f"{path / RELEASES_DIR}.") from None
        return None
    except OSError as exc:
        raise OutputNotWritable(
            f"{link} is not a link to a release ({reason_of(exc)}); move it away or choose "
            "another --out folder."
        ) from exc
    release = path / target
    if not release.is_dir():
        raise ReleaseDamaged(
            f"The output folder {path} is damaged: {link} points to {target}, which is missing; "
            "restore it from a backup (`missions verify` says what else is there)."
        )
    return release


def complete_releases(out_dir: StrPath) -> list[Path]:
    """The release folders of DIR/.releases that were completed (a manifest written, not a
    partial build), newest first."""
    releases = Path(out_dir) / RELEASES_DIR
    try:
        entries = list(releases.iterdir())
    except OSError:
        return []
    done = [e for e in entries if not e.name.endswith(PARTIAL_SUFFIX) and e.is_dir()
            and not e.is_symlink()]
    return sorted(done, key=lambda e: e.name, reverse=True)


def published_before(out_dir: StrPath) -> bool:
    """Whether a release was ever published in DIR: a complete release folder, or one of the
    links missions makes to it."""
    path = Path(out_dir)
    return bool(complete_releases(path)) or any((path / n).is_symlink() for n in CONTRACT_PATHS)


def read_manifest(out_dir: StrPath) -> dict[str, Any] | None:
    """The current release's manifest, or None before the first release."""
    release = current_release(out_dir)
    if release is None:
        return None
    manifest: dict[str, Any] = json.loads((release / MANIFEST_NAME).read_text(encoding="utf-8"))
    return manifest


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --------------------------------------------------------------------------- its tables


def read_release(out_dir: StrPath, only: Collection[str] | None = None) -> dict[str, pd.DataFrame]:
    """Every table of the current release (or `only` these), from its Parquet files, with the
    schema's dtypes.

    The release is resolved once, so all tables come from the same release even if another
    run publishes meanwhile. Empty frames before the first release; tables or columns added
    to the schema since the release was written come back empty / NA.
    """
    release = current_release(out_dir)
    if release is None:
        return {t.name: empty_frame(t.name) for t in TABLES if only is None or t.name in only}
    return release_frames(release, only)


def release_frames(release: Path, only: Collection[str] | None = None) -> dict[str, pd.DataFrame]:
    """The tables of one release folder (or `only` these) from its Parquet files; ReleaseDamaged
    when a file its manifest lists cannot be read."""
    wanted = [t for t in TABLES if only is None or t.name in only]
    listed = _manifest_files(release)
    frames: dict[str, pd.DataFrame] = {}
    for table in wanted:
        name = f"{PARQUET_DIR}/{table.name}.parquet"
        file = release / name
        if not file.exists() and name not in listed:
            frames[table.name] = empty_frame(table.name)  # a table newer than the release
            continue
        try:
            frame = pd.read_parquet(file, dtype_backend="numpy_nullable")
        except (OSError, ValueError, pa.ArrowException) as exc:
            raise ReleaseDamaged(
                f"{file} cannot be read ({type(exc).__name__}: {str(exc)[:200]}); run "
                f"`missions verify --out {release.parent.parent}` to rebuild it from the "
                "release's other files.") from exc
        frames[table.name] = conform_frame(table.name, frame)
    return frames


def _manifest_files(release: Path) -> set[str]:
    try:
        files = json.loads((release / MANIFEST_NAME).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    return set(files) if isinstance(files, dict) else set()
