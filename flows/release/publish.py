"""Publishing a release: its files (flows.release.writers), the QA report and the manifest
written aside, fsynced, then made current by one atomic link swap under the folder's lock."""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sqlite3
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from flows.release import writers
from flows.release.datapackage import datapackage
from flows.release.layout import (
    ALTO_DIR,
    CONTRACT_PATHS,
    CSV_DIR,
    CURRENT_LINK,
    DATAPACKAGE_NAME,
    MANIFEST_KEYS,
    MANIFEST_NAME,
    PARQUET_DIR,
    PARTIAL_SUFFIX,
    PDFA_DIR,
    RELEASES_DIR,
    REPORT_FILES,
    REPORT_NAME,
    SQLITE_NAME,
    FolderLock,
    StrPath,
    check_writable,
    current_release,
    file_digest,
    held_or_acquired,
    reason_of,
)
from flows.release.tables import conform_frame
from models.errors import OutputNotWritable
from models.schema import SCHEMA_VERSION, TABLES


class ReportWriter(Protocol):
    """Writes the release's QA report to `path` from its tables and its manifest's head
    (release id, created_at, pipeline_version); given by whoever publishes (flows.report)."""

    def __call__(self, path: Path, frames: Mapping[str, pd.DataFrame],
                 head: Mapping[str, Any]) -> None: ...


def archive_names(frames: Mapping[str, pd.DataFrame]) -> list[str]:
    """The archival files a release's tables name: each document's PDF/A, each page's ALTO."""
    names = [*frames["documents"]["pdfa_path"].dropna(), *frames["pages"]["alto_path"].dropna()]
    return sorted(set(names))


def without_archive(frames: Mapping[str, pd.DataFrame], gone: set[str]) -> dict[str, pd.DataFrame]:
    """The tables with the path columns naming one of the `gone` files set to NULL (a damaged
    archival file cannot be made again without the document: its row says it is not there)."""
    out = dict(frames)
    docs = frames["documents"].copy()
    docs.loc[docs["pdfa_path"].isin(gone), "pdfa_path"] = pd.NA
    pages = frames["pages"].copy()
    lost = pages["alto_path"].isin(gone)
    pages.loc[lost, "alto_path"] = pd.NA
    left = set(pages["doc_id"][pages["alto_path"].notna()])
    docs.loc[~docs["doc_id"].isin(left), "alto_path"] = pd.NA
    out["documents"], out["pages"] = docs, pages
    return out


def _link_archive(folder: Path, archive: Mapping[str, Path]) -> list[str]:
    """Put each archival file in the release being built: a hard link to the file built for
    it or carried from the release before (the same bytes, no copy), else a copy."""
    for name, source in sorted(archive.items()):
        dest = folder / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, dest)
        except OSError:
            shutil.copyfile(source, dest)
    return sorted(archive)


def _write_release(
    folder: Path,
    frames: Mapping[str, pd.DataFrame],
    head: dict[str, Any],
    extra: Mapping[str, Any],
    report: ReportWriter,
    archive: Mapping[str, Path],
) -> None:
    """Write every file of a release into `folder`, fsynced, the manifest last."""
    written: list[str] = [SQLITE_NAME]
    writers.write_sqlite(folder / SQLITE_NAME, frames)
    named = writers.with_file_names(frames)  # CSV: the file name beside each doc_id
    for sub, ext, writer, tables in ((PARQUET_DIR, "parquet", writers.write_parquet, frames),
                                     (CSV_DIR, "csv", writers.write_csv, named)):
        (folder / sub).mkdir()
        for table in TABLES:
            name = f"{sub}/{table.name}.{ext}"
            writer(folder / name, table, tables[table.name])
            written.append(name)
    report(folder / REPORT_NAME, frames, head)
    written.append(REPORT_NAME)
    if (folder / REPORT_FILES).is_dir():  # the report's crops, beside it: listed like the rest
        written += sorted(f"{REPORT_FILES}/{f.name}" for f in (folder / REPORT_FILES).iterdir())
    for sub in (PDFA_DIR, ALTO_DIR):
        (folder / sub).mkdir()
    written.extend(_link_archive(folder, archive))
    files: dict[str, dict[str, Any]] = {}
    for name in written:
        writers.fsync_file(folder / name)
        files[name] = {"sha256": file_digest(folder / name), "bytes": (folder / name).stat().st_size}
    package = json.dumps(datapackage(files, head), indent=2, ensure_ascii=False) + "\n"
    (folder / DATAPACKAGE_NAME).write_text(package, encoding="utf-8")
    writers.fsync_file(folder / DATAPACKAGE_NAME)
    files[DATAPACKAGE_NAME] = {"sha256": file_digest(folder / DATAPACKAGE_NAME),
                               "bytes": (folder / DATAPACKAGE_NAME).stat().st_size}
    manifest = {
        **head,
        "row_counts": {t.name: len(frames[t.name]) for t in TABLES},
        "files": files,
        **extra,
    }
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    (folder / MANIFEST_NAME).write_text(text, encoding="utf-8")
    writers.fsync_file(folder / MANIFEST_NAME)
    for sub in {PARQUET_DIR, CSV_DIR, PDFA_DIR, ALTO_DIR} | {str(Path(n).parent) for n in archive}:
        writers.fsync_dir(folder / sub)
    if (folder / REPORT_FILES).is_dir():
        writers.fsync_dir(folder / REPORT_FILES)
    writers.fsync_dir(folder)


# --------------------------------------------------------------------------- the swap


def _make_way(path: Path, expected_target: str) -> None:
    """Refuse to publish over anything at a contract path that missions did not put there.

    Our own link is fine; so is an empty file (what `sqlite3.connect` leaves when a reader opens
    the database before the first release) or an empty folder, which are removed. Anything else
    is user data and is never deleted.
    """
    if path.is_symlink():
        target = os.readlink(path)
        if target == expected_target:
            return
        if target.startswith(CURRENT_LINK) or not path.exists():
            path.unlink()  # our link, damaged (cut short, dangling): made again after the swap
            return
    elif not path.exists():
        return
    elif path.is_file() and path.stat().st_size == 0:
        path.unlink()
        return
    elif path.is_dir() and not any(path.iterdir()):
        path.rmdir()
        return
    raise OutputNotWritable(
        f"{path} already exists and was not written by missions; nothing was deleted. "
        "Move it away, or choose another --out folder."
    )


def _check_layout(out: Path) -> None:
    current = out / CURRENT_LINK
    if current.exists() and not current.is_symlink():
        raise OutputNotWritable(
            f"{current} exists and is not a link to a release; nothing was deleted. "
            "Move it away, or choose another --out folder."
        )
    releases = out / RELEASES_DIR
    if releases.exists() and not releases.is_dir():
        raise OutputNotWritable(f"{releases} is not a folder; move it away or choose another --out.")
    current_release(out)  # never publish over a void: .current missing or dangling is refused
    for name in CONTRACT_PATHS:
        _make_way(out / name, f"{CURRENT_LINK}/{name}")


def replace_symlink(link: Path, target: str) -> None:
    """Point `link` at `target` atomically: readers see the old target or the new, never neither."""
    tmp = link.with_name(f"{link.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(target, tmp)
    try:
        os.replace(tmp, link)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _link_contract_paths(out: Path) -> None:
    for name in CONTRACT_PATHS:
        link = out / name
        if not link.is_symlink():
            replace_symlink(link, f"{CURRENT_LINK}/{name}")
    writers.fsync_dir(out)


def _current_name(out: Path) -> str | None:
    try:
        return Path(os.readlink(out / CURRENT_LINK)).name
    except OSError:
        return None


def _new_release_id(releases: Path) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    base = f"{stamp}-{os.getpid()}"
    release_id, n = base, 0
    while (releases / release_id).exists() or (releases / f"{release_id}{PARTIAL_SUFFIX}").exists():
        n += 1
        release_id = f"{base}-{n}"
    return release_id


def _prune(releases: Path, keep: set[str]) -> None:
    """Remove every release but the kept ones (the current and the previous one, which readers may
    still hold open) and those a reader holds (`holding`), and partial builds left by killed
    runs.

    Only called under the lock, so no other run is building in there.
    """
    for entry in releases.iterdir():
        if entry.name in keep:
            continue
        if entry.is_dir() and not entry.is_symlink():
            if not in_use(entry):
                shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                entry.unlink()


@contextlib.contextmanager
def holding(release: Path) -> Iterator[None]:
    """Keep `release` from being pruned while the block runs (a shared flock on its folder:
    `missions browse` serves a release file by file, and may outlive two publishes)."""
    fd = os.open(release, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)


def in_use(release: Path) -> bool:
    """Whether a reader holds `release` (see `holding`)."""
    try:
        fd = os.open(release, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def _prepare_frames(frames: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    unknown = set(frames) - {t.name for t in TABLES}
    if unknown:
        raise ValueError(f"tables not in the schema: {', '.join(sorted(unknown))}")
    missing = [t.name for t in TABLES if t.name not in frames]
    if missing:
        raise ValueError(f"tables missing from the release: {', '.join(missing)}")
    prepared = {t.name: conform_frame(t.name, frames[t.name], fill_missing=False) for t in TABLES}
    doc_ids = prepared["documents"]["doc_id"]
    if doc_ids.isna().any() or doc_ids.duplicated().any():
        raise ValueError("documents.doc_id must be present and unique in a release")
    return prepared


def publish_release(
    out_dir: StrPath,
    frames: Mapping[str, pd.DataFrame],
    pipeline_version: str,
    extra_manifest: Mapping[str, Any] | None = None,
    *,
    report: ReportWriter,
    lock: FolderLock | None = None,
    archive: Mapping[str, Path] | None = None,
) -> Path:
    """Write `frames` (the whole cumulative dataset) and its QA report (`report`) as a new
    release and make it current.

    The release is built and fsynced in DIR/.releases/<id>.partial/, renamed to <id>/, then
    DIR/.current is swapped to it atomically; the contract paths (DIR/missions.sqlite, …) are
    links through .current. `archive`: each archival file the tables name (`archive_names`)
    → the file to put there. The previous release is kept, older ones pruned. Under `lock` when
    the caller holds DIR's lock, else under a lock taken for the publish. Returns the release
    folder. Raises OutputNotWritable (the previous release stays current) when writing fails.
    """
    extra = dict(extra_manifest or {})
    clash = MANIFEST_KEYS & set(extra)
    if clash:
        raise ValueError(f"extra_manifest may not override {', '.join(sorted(clash))}")
    json.dumps(extra)  # fail before writing anything if it cannot be serialised
    prepared = _prepare_frames(frames)
    files = dict(archive or {})
    unnamed = set(archive_names(prepared)) ^ set(files)
    if unnamed:
        raise ValueError(f"archival files and the tables disagree: {sorted(unnamed)[:3]}")
    out = check_writable(out_dir)
    with held_or_acquired(out, lock):
        _check_layout(out)
        return _publish_locked(out, prepared, pipeline_version, extra, report, files)


def _publish_locked(out: Path, frames: dict[str, pd.DataFrame], pipeline_version: str,
                    extra: dict[str, Any], report: ReportWriter,
                    archive: Mapping[str, Path]) -> Path:
    releases = out / RELEASES_DIR
    previous = _current_name(out)
    try:
        releases.mkdir(exist_ok=True)
        release_id = _new_release_id(releases)
    except OSError as exc:
        raise OutputNotWritable(
            f"Cannot create {releases} ({reason_of(exc)}); fix the permissions of {out} "
            "or choose another --out folder."
        ) from exc
    staging = releases / f"{release_id}{PARTIAL_SUFFIX}"
    final = releases / release_id
    head = {
        "schema_version": SCHEMA_VERSION,
        "pipeline_version": pipeline_version,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "release": release_id,
    }
    try:
        staging.mkdir()
        _write_release(staging, frames, head, extra, report, archive)
        os.rename(staging, final)
        writers.fsync_dir(releases)
        replace_symlink(out / CURRENT_LINK, f"{RELEASES_DIR}/{release_id}")
        writers.fsync_dir(out)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if _current_name(out) != release_id:
            shutil.rmtree(final, ignore_errors=True)
        if isinstance(exc, OSError | sqlite3.OperationalError):
            still = "the previous release is still the current one" if previous else (
                "nothing was published"
            )
            raise OutputNotWritable(
                f"Could not write a release into {out} ({reason_of(exc)}); {still}. "
                "Free some disk space or fix the folder's permissions, then run again."
            ) from exc
        raise
    try:
        _link_contract_paths(out)
    except OSError as exc:
        raise OutputNotWritable(
            f"The release {final} is current but the links {', '.join(CONTRACT_PATHS)} in {out} "
            f"could not be made ({reason_of(exc)}); fix the folder's permissions and run again."
        ) from exc
    _prune(releases, {n for n in (release_id, previous) if n})
    return final
