"""Input files: finding them, content-addressing them, and typing them by signature."""
from __future__ import annotations

import fnmatch
import hashlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from models.errors import DamagedFile, UnsupportedFile
from models.records import SourceDocument

SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"II+\x00", "tiff"),
    (b"MM\x00+", "tiff"),
)
TEXT_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
HEAD_BYTES = 8192


def detect_type(head: bytes) -> str | None:
    """The file type from its first bytes: pdf, png, jpeg, tiff, text, or None when unknown."""
    for magic, kind in SIGNATURES:
        if head.startswith(magic):
            return kind
    if b"%PDF-" in head[:1024]:  # PDFs may carry junk before the header
        return "pdf"
    if head.startswith(TEXT_BOMS):
        return "text"
    if head and _looks_like_text(head):
        return "text"
    return None


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls <= len(head) * 0.01


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_source(path: Path, source_name: str | None = None) -> SourceDocument:
    """Hash and type one file; raises UnsupportedFile / DamagedFile with a message naming it."""
    name = source_name or str(path)
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError as exc:
        raise DamagedFile(f"{name}: cannot be read ({exc.strerror}); check its permissions.") from exc
    if size == 0:
        raise UnsupportedFile(f"{name}: the file is empty (0 bytes); re-scan or re-export it.")
    kind = detect_type(head)
    if kind is None:
        raise UnsupportedFile(
            f"{name}: not a PDF, TIFF, PNG, JPEG or text file (unrecognised signature "
            f"{head[:8].hex()}); convert it to one of these formats."
        )
    return SourceDocument(doc_id=sha256_file(path), path=str(path), source_name=name,
                          file_type=kind, size=size)


IGNORE_FILE = ".missionsignore"


def _ignore_patterns(folder: Path, inherited: tuple[str, ...]) -> tuple[str, ...]:
    marker = folder / IGNORE_FILE
    if not marker.is_file():
        return inherited
    lines = marker.read_text(encoding="utf-8", errors="replace").splitlines()
    own = tuple(ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#"))
    return inherited + own


def find_inputs(paths: Iterable[Path]) -> Iterator[tuple[Path, str, bool]]:
    """Every file under the given paths (folders recursed, sorted): (path, name, ignored).

    A folder's `.missionsignore` lists glob patterns (one a line) of files that are not
    documents (scripts, notes, expected records); those come back with ignored=True so the
    run can count them rather than drop them silently. Hidden files and folders are skipped.
    """
    for root in paths:
        if not root.is_dir():
            yield root, str(root), False
            continue
        patterns_by_dir: dict[str, tuple[str, ...]] = {}
        for dirpath, dirnames, filenames in os.walk(root):
            parent = patterns_by_dir.get(str(Path(dirpath).parent), ())
            patterns = _ignore_patterns(Path(dirpath), parent)
            patterns_by_dir[dirpath] = patterns
            dirnames[:] = sorted(d for d in dirnames
                                 if not d.startswith(".") and not _matches(d + "/", patterns))
            for fname in sorted(filenames):
                if fname.startswith("."):
                    continue
                full = Path(dirpath) / fname
                yield full, str(full), _matches(fname, patterns)


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(name, pat) for pat in patterns)
