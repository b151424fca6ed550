"""What in an inbox is not a document: OS and application junk, downloads still in progress,
release folders of ours, and the `.missionsignore` files of the folders above the one read."""
from __future__ import annotations

import os
from pathlib import Path

IGNORE_FILE = ".missionsignore"

# Files operating systems and applications leave beside documents (lower-case names).
JUNK_NAMES = {
    "thumbs.db": "a Windows thumbnail cache",
    "ehthumbs.db": "a Windows thumbnail cache",
    "ehthumbs_vista.db": "a Windows thumbnail cache",
    "desktop.ini": "a Windows folder settings file",
    ".ds_store": "a macOS folder settings file",
    ".localized": "a macOS folder name file",
    ".directory": "a KDE folder settings file",
    "icon\r": "a macOS folder icon",
    ".spotlight-v100": "a macOS search index",
    ".trashes": "a macOS trash folder",
    ".fseventsd": "a macOS file-events log",
    ".temporaryitems": "a macOS temporary folder",
    "__macosx": "macOS resource forks left by an unzipped archive",
    "$recycle.bin": "a Windows recycle bin",
    "system volume information": "a Windows system folder",
}
JUNK_SUFFIXES = {
    ".tmp": "a temporary file",
    ".temp": "a temporary file",
    ".swp": "an editor's swap file",
}
DOWNLOAD_SUFFIXES = (".crdownload", ".part", ".partial", ".download", ".opdownload", ".!qb")

# A folder holding a release of ours (flows.release.layout's names: .releases/, the .current
# link, missions.sqlite beside manifest.json); duplicated here because extractors import no flows.
RELEASE_MARKERS = ((".releases",), (".current",), ("missions.sqlite", "manifest.json"))


def junk_reason(name: str) -> str | None:
    """Why an entry named `name` is not a document (and is skipped), or None when it may be one."""
    low = name.lower()
    if low in JUNK_NAMES:
        return f"{JUNK_NAMES[low]}, not a document"
    if low.startswith(("~$", ".~lock.")):
        return "an Office lock file (left while the document is open, or after a crash), not a document"
    if low.startswith("._"):
        return "a macOS resource fork, not a document"
    if low.endswith("~"):
        return "an editor's backup copy, not a document"
    for suffix, what in JUNK_SUFFIXES.items():
        if low.endswith(suffix):
            return f"{what}, not a document"
    return None


def download_in_progress(name: str) -> bool:
    """A browser's or download tool's file still being written (renamed when complete)."""
    return name.lower().endswith(DOWNLOAD_SUFFIXES)


DOWNLOAD_NOTE = "a download not complete yet; it will be read when it is"
RELEASE_NOTE = "a release folder of missions (its output), never read as input"


def is_release_folder(folder: Path) -> bool:
    """Whether `folder` holds a release of ours (its layout, not its name, says so)."""
    try:
        return any(all(os.path.lexists(folder / m) for m in marker) for marker in RELEASE_MARKERS)
    except OSError:
        return False


def inherited_patterns(root: Path) -> tuple[str, ...]:
    """The patterns of the `.missionsignore` files of the folders above `root` (outermost
    first): a run on a sub-folder honours what its parents ignore."""
    try:
        parents = list(root.resolve().parents)
    except (OSError, RuntimeError):
        return ()
    patterns: tuple[str, ...] = ()
    for folder in reversed(parents):
        patterns = read_patterns(folder, patterns)
    return patterns


def read_patterns(folder: Path, inherited: tuple[str, ...]) -> tuple[str, ...]:
    """`inherited` plus the glob patterns of `folder`'s own `.missionsignore` (one a line)."""
    marker = folder / IGNORE_FILE
    try:
        if not marker.is_file():  # none (or a pipe, never opened)
            return inherited
        lines = marker.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:  # unreadable: the folder's files are read (and accounted for)
        return inherited
    own = tuple(ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#"))
    return inherited + own
