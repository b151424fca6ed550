"""The release's health: checked against its manifest before anything builds on it, and repaired
where that loses no published row (`missions verify`, and every ingest before it merges)."""
from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from flows.release.layout import (
    CONTRACT_PATHS,
    CURRENT_LINK,
    MANIFEST_KEYS,
    MANIFEST_NAME,
    PAGE_CACHE,
    PARQUET_DIR,
    PARTIAL_SUFFIX,
    RELEASES_DIR,
    REPORT_CACHE,
    SQLITE_NAME,
    FolderLock,
    StrPath,
    acquire_lock,
    complete_releases,
    file_digest,
    published_before,
    release_frames,
)
from flows.release.publish import (
    ReportWriter,
    archive_names,
    publish_release,
    replace_symlink,
    without_archive,
)
from flows.release.tables import conform_frame, empty_frame
from models.errors import BadArguments, OutputNotWritable, ReleaseDamaged
from models.schema import TABLES

log = logging.getLogger("missions")


@dataclass
class Health:
    """What checking a release found and did."""

    out: Path
    release: Path | None = None  # the current release once checked (None: nothing published)
    files_checked: int = 0  # files whose sha256 matched the manifest
    repairs: list[str] = field(default_factory=list)  # what was repaired, one sentence each


@dataclass(frozen=True)
class Examined:
    release: Path
    manifest: dict[str, Any] | None  # None: missing or unreadable
    bad: dict[str, str]  # file -> what is wrong with it
    checked: int


def _read_manifest(release: Path) -> dict[str, Any] | None:
    try:
        manifest = json.loads((release / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, dict) or not all(
            isinstance(e, dict) and isinstance(e.get("sha256"), str) for e in files.values()):
        return None
    return manifest


def examine(release: Path) -> Examined:
    """Every file of `release` checked against its manifest's sha256 (read-only): the one
    health check, made once per run (see `ensure_release`'s `examined`)."""
    manifest = _read_manifest(release)
    if manifest is None:
        return Examined(release, None, {MANIFEST_NAME: "missing or unreadable"}, 0)
    names = sorted(manifest["files"])
    bad: dict[str, str] = {}
    for name in names:
        file = release / name
        if not file.is_file():
            bad[name] = "missing"
        elif file_digest(file) != manifest["files"][name]["sha256"]:
            bad[name] = "its sha256 differs from the manifest (altered or truncated)"
    return Examined(release, manifest, bad, len(names) - len(bad))


def sqlite_frames(path: Path) -> dict[str, pd.DataFrame]:
    """Every table of the schema from a release's SQLite file (tables it lacks come back empty)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        have = {n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        frames = {}
        for table in TABLES:
            if table.name not in have:
                frames[table.name] = empty_frame(table.name)
                continue
            frame = pd.read_sql_query(f'SELECT * FROM "{table.name}"', con)
            frames[table.name] = conform_frame(table.name, frame)
        return frames
    finally:
        con.close()


def _same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> bool:
    return all(a[t.name].reset_index(drop=True).equals(b[t.name].reset_index(drop=True))
               for t in TABLES)


def _rebuild_source(found: Examined) -> tuple[dict[str, pd.DataFrame], str]:
    """The release's tables from the copy of them that is intact, and which copy that is;
    ReleaseDamaged when no copy can be trusted."""
    where = found.release
    if found.manifest is None:
        # No manifest to check against: SQLite and Parquet are two independent copies of the
        # tables; when both read and agree to the last value, they are what was published.
        try:
            from_sqlite = sqlite_frames(where / SQLITE_NAME)
            from_parquet = release_frames(where)
        except Exception as exc:  # any unreadable copy: refused
            raise ReleaseDamaged(_refusal(found, f"and its tables cannot be read ({exc})")) from exc
        if not _same(from_sqlite, from_parquet):
            raise ReleaseDamaged(_refusal(found, "and its SQLite and Parquet tables differ"))
        return from_sqlite, "its SQLite and Parquet tables (which agree to the last value)"
    if SQLITE_NAME not in found.bad:
        return sqlite_frames(where / SQLITE_NAME), f"its {SQLITE_NAME} (which matches the manifest)"
    if not any(name.startswith(PARQUET_DIR + "/") for name in found.bad):
        return release_frames(where), "its Parquet files (which match the manifest)"
    raise ReleaseDamaged(_refusal(found, "and neither its SQLite file nor its Parquet files are "
                                         "intact"))


def _refusal(found: Examined, why: str) -> str:
    out = found.release.parent.parent
    listed = "; ".join(f"{name}: {what}" for name, what in sorted(found.bad.items())[:6])
    return (f"The current release {found.release.name} in {out} is damaged ({listed}) {why}; "
            "nothing was written over it. Restore the release folder from a backup, then run "
            f"`missions verify --out {out}`.")


def _choose(out: Path) -> Path | None:
    """The current release, or, when DIR/.current is missing, the newest complete release;
    ReleaseDamaged when the one that was current is gone."""
    link = out / CURRENT_LINK
    if link.is_symlink():
        target = os.readlink(link)
        release = out / target
        if release.is_dir():
            return release
        newest = complete_releases(out)
        also = (f"; the newest complete release there is {newest[0].name} (to go back to it, "
                f"losing what {target} added: `ln -sfn {RELEASES_DIR}/{newest[0].name} {link}`)"
                if newest else "")
        raise ReleaseDamaged(f"{link} points to {target}, which is missing: the release it "
                             f"names was deleted or not copied. Restore it from a backup{also}.")
    if link.exists():
        raise OutputNotWritable(f"{link} exists and is not a link to a release; nothing was "
                                "deleted. Move it away, or choose another --out folder.")
    newest = complete_releases(out)
    if newest:
        return newest[0]
    if published_before(out):
        raise ReleaseDamaged(
            f"{out / RELEASES_DIR} holds no release, but {out} has the links to one: the published "
            f"dataset is gone (deleted, or not copied). Restore {out / RELEASES_DIR} from a "
            f"backup; to start a new dataset there instead, remove the links "
            f"{', '.join(CONTRACT_PATHS)} from {out}.")
    return None


def ensure_release(out_dir: StrPath, lock: FolderLock, report: ReportWriter, quiet: bool = False,
                   examined: Examined | None = None) -> Health:
    """Check the release in `out_dir` before anything builds on it, under the caller's `lock`.

    DIR/.current missing: the newest complete release is made current again. A file that does
    not match the manifest (missing, truncated, altered): the release is rebuilt, as a new
    release (its QA report written by `report`), from its copy of the tables that does
    (SQLite, else Parquet). A link of DIR missing: made again. What cannot be repaired without
    losing a published row raises ReleaseDamaged (exit 5) and nothing is written. `examined`:
    the current release, already examined by the caller in this run (not hashed again).
    """
    out = Path(out_dir)
    lock.check(out)
    health = Health(out)
    release = _choose(out)
    if release is None:
        return health
    found = examined if examined is not None and examined.release == release else examine(release)
    frames = source = None
    if found.bad:
        frames, source = _rebuild_source(found)
    current = out / CURRENT_LINK
    if not current.is_symlink():
        replace_symlink(current, f"{RELEASES_DIR}/{release.name}")
        health.repairs.append(f"{current} was missing: the newest complete release "
                              f"{release.name} is current again")
    if frames is not None:
        manifest = found.manifest or {}
        extra = {k: v for k, v in manifest.items() if k not in MANIFEST_KEYS}
        version = manifest.get("pipeline_version") or _pipeline_version()
        gone = {n for n in archive_names(frames) if n in found.bad or not (release / n).is_file()}
        frames = without_archive(frames, gone)
        new = publish_release(out, frames, str(version), extra, report=report, lock=lock,
                              archive={n: release / n for n in archive_names(frames)})
        what = ", ".join(f"{n} ({w})" for n, w in sorted(found.bad.items())[:4])
        lost = (f" ({len(gone)} archival file(s) could not be made again: their paths are "
                f"NULL)" if gone else "")
        health.repairs.append(f"release {release.name}: {what}; rebuilt as release {new.name} "
                              f"from {source}{lost}")
        release = new
        found = examine(new)
    health.repairs.extend(_relink(out))
    health.release, health.files_checked = release, found.checked
    for sentence in [] if quiet else health.repairs:
        log.warning("repaired: %s", sentence)
    return health


@dataclass(frozen=True)
class Held:
    """The current release, checked, as a command that publishes over it builds on it."""

    lock: FolderLock
    release: Path
    manifest: dict[str, Any]
    frames: dict[str, pd.DataFrame]


@contextlib.contextmanager
def hold_release(out_dir: StrPath, report: ReportWriter, missing: str) -> Iterator[Held]:
    """For the `with` block: the folder's lock held, its release checked (repaired if need be,
    a rebuilt release's QA report written by `report`), its manifest and tables read; a folder
    with no release yet is refused with BadArguments(`missing`). `missions correct`, `review
    --apply` and `forget` open so."""
    out = Path(out_dir)
    with acquire_lock(out) as lock:
        health = ensure_release(out, lock, report)
        if health.release is None:
            raise BadArguments(missing)
        manifest = json.loads((health.release / MANIFEST_NAME).read_text(encoding="utf-8"))
        yield Held(lock, health.release, manifest, release_frames(health.release))


def _pipeline_version() -> str:
    from extractors.document import pipeline_version

    return pipeline_version()


def _relink(out: Path) -> list[str]:
    """The links DIR/<name> -> .current/<name> that are missing or broken, made again (a path
    holding something else is left alone: publishing refuses it with its own message)."""
    done = []
    for name in CONTRACT_PATHS:
        link, target = out / name, f"{CURRENT_LINK}/{name}"
        if link.is_symlink() and os.readlink(link) == target:
            continue
        if link.is_symlink() and (os.readlink(link).startswith(CURRENT_LINK) or not link.exists()):
            link.unlink()
        if link.exists() or link.is_symlink():
            continue
        replace_symlink(link, target)
        done.append(f"the link {link} was missing or broken: made again")
    return done


LEFTOVERS = (".write-test-*", "*.[0-9]*.tmp")  # in DIR, from killed runs (link swaps)


def remove_leftovers(out: Path) -> list[str]:
    """Temporary files that killed runs left (under the lock: no run is writing them now):
    unfinished release builds, link swaps, write probes, cache entries half written."""
    found: list[Path] = []
    for pattern in LEFTOVERS:
        found += [p for p in out.glob(pattern) if p.is_symlink() or p.is_file()]
    found += [p for p in (out / RELEASES_DIR).glob(f"*{PARTIAL_SUFFIX}")]
    found += [p for p in (out / REPORT_CACHE).glob("*.tmp") if p.is_file()]
    found += [p for p in (out / PAGE_CACHE).glob("*/*/.tmp-*") if p.is_file()]
    found = list(dict.fromkeys(found))
    for path in found:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return [str(p.relative_to(out)) for p in found]


def verify_report(out_dir: StrPath, report: ReportWriter) -> str:
    """`missions verify`: the release's health, after repairing what can be repaired safely
    (under the folder's lock; a rebuilt release gets its QA report from `report`).
    ReleaseDamaged (exit 5) when it cannot be."""
    out = Path(out_dir)
    if not out.is_dir():
        raise ReleaseDamaged(f"{out} is not a folder: there is no release to verify.")
    with acquire_lock(out) as lock:
        health = ensure_release(out, lock, report, quiet=True)
        left = remove_leftovers(out)
    lines = [f"missions: {what}" for what in health.repairs]
    if left:
        lines.append(f"missions: removed {len(left)} temporary file(s) left by interrupted runs "
                     f"({', '.join(left[:3])}{', …' if len(left) > 3 else ''})")
    if health.release is None:
        lines.append(f"missions: no release in {out} yet (nothing to verify)")
        return "\n".join(lines)
    manifest = _read_manifest(health.release) or {}
    counts = _row_counts(health.release / SQLITE_NAME)
    expected = manifest.get("row_counts", {})
    differ = [t for t, n in expected.items() if counts.get(t) != n]
    if differ:
        raise ReleaseDamaged(f"{health.release / SQLITE_NAME} holds other row counts than its "
                             f"manifest ({', '.join(differ)}); restore it from a backup.")
    others = [r for r in complete_releases(out) if r != health.release]
    older = "; ".join(f"{r.name}: {'intact' if not examine(r).bad else 'damaged'}" for r in others)
    verdict = "repaired" if health.repairs else "healthy"
    lines.append(
        f"missions: release {health.release.name} in {out} is {verdict}: {health.files_checked} "
        f"files match the manifest's sha256, SQLite integrity ok, rows as the manifest says "
        f"({', '.join(f'{t} {n}' for t, n in expected.items() if n)})"
        + (f"; older release(s) kept: {older}" if older else ""))
    return "\n".join(lines)


def _row_counts(path: Path) -> dict[str, int]:
    """Rows per table of a release's SQLite file, after SQLite's own integrity check."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        check = con.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise ReleaseDamaged(f"{path} fails SQLite's integrity check ({check}); restore it "
                                 "from a backup.")
        return {t.name: con.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0]
                for t in TABLES
                if con.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                               (t.name,)).fetchone()}
    finally:
        con.close()


def verify_release(release: StrPath) -> list[str]:
    """Problems found when checking a release folder's files against its manifest (empty: none)."""
    folder = Path(release)
    manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    problems: list[str] = []
    for name, entry in manifest["files"].items():
        file = folder / name
        if not file.is_file():
            problems.append(f"{name}: missing")
        elif file_digest(file) != entry["sha256"]:
            problems.append(f"{name}: sha256 differs from the manifest")
    return problems
