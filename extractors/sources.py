"""Input files: finding them, content-addressing them, and typing them by signature."""
from __future__ import annotations

import fnmatch
import hashlib
import os
import stat
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from extractors.filetypes import refusal
from extractors.inbox import (
    DOWNLOAD_NOTE,
    IGNORE_FILE,
    RELEASE_NOTE,
    download_in_progress,
    inherited_patterns,
    is_release_folder,
    junk_reason,
    read_patterns,
)
from models.errors import ChangedWhileRead, DamagedFile, NotARegularFile, UnsupportedFile
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
    if head and (utf16_without_bom(head) or _looks_like_text(head)):
        return "text"
    return None


TEXT_SHARE = 0.75  # letters, digits and spaces in text (French prose: > 0.95; random bytes: < 0.7)


def is_prose(text: str) -> bool:
    """Whether decoded bytes read as text rather than binary garbage: almost no control
    characters, and mostly letters, digits and spaces."""
    if not text:
        return False
    controls = sum(1 for c in text if c < " " and c not in "\t\n\f\r")
    texty = sum(1 for c in text if c.isalnum() or c.isspace())
    return controls <= len(text) * 0.01 and texty >= len(text) * TEXT_SHARE


def utf16_without_bom(data: bytes) -> str | None:
    """`utf-16-le` or `utf-16-be` when `data` is UTF-16 text without a byte-order mark (French
    text is almost all below U+0100, so one byte of each pair is zero), else None."""
    pairs = len(data) // 2
    if pairs < 4:
        return None
    even, odd = data[0:2 * pairs:2].count(0), data[1:2 * pairs:2].count(0)
    if odd >= 0.9 * pairs and even <= 0.05 * pairs:
        encoding = "utf-16-le"
    elif even >= 0.9 * pairs and odd <= 0.05 * pairs:
        encoding = "utf-16-be"
    else:
        return None
    text = data[:2 * pairs].decode(encoding, errors="replace")
    return encoding if is_prose(text) else None


def _looks_like_text(head: bytes) -> bool:
    """Single-byte or UTF-8 text: no NUL, and once decoded, prose rather than garbage."""
    if b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3 and exc.reason == "unexpected end of data":
            text = head[:exc.start].decode("utf-8")  # a character cut by the 8 KiB head
        else:
            from charset_normalizer import from_bytes

            best = from_bytes(head, cp_isolation=SINGLE_BYTE_ENCODINGS).best()
            if best is None:
                return False
            text = head.decode(best.encoding, errors="replace")
    return is_prose(text)


SINGLE_BYTE_ENCODINGS = ["cp1252", "latin_1", "iso8859_15", "mac_roman", "cp850"]


_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable_name(name: str) -> str:
    """A file name as text that prints on one line and encodes as UTF-8 (idempotent).

    Bytes that are not UTF-8 (names from old systems) become `\\xe9`-style escapes; control
    characters (a newline, an escape sequence) become `\\n`, `\\x1b`; everything else is kept.
    """
    try:
        text = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        text = name.encode("utf-8", "backslashreplace").decode("utf-8")
    if text.isprintable():
        return text
    return "".join(
        c if c.isprintable() else _ESCAPES.get(c) or (
            f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")
        for c in text
    )


def _open_regular(path: Path, name: str) -> int:
    """An fd on the file, refusing what is not a regular file without blocking on it (a pipe)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except FileNotFoundError as exc:
        raise NotARegularFile(f"{name}: the file is gone (deleted, moved, or a broken link); "
                              "put it back or remove the link, then run again.") from exc
    except OSError as exc:
        raise DamagedFile(f"{name}: cannot be read ({exc.strerror}); check its permissions.") from exc
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise NotARegularFile(f"{name}: not a regular file (a folder, pipe, socket or device); "
                              "only files are read: remove it from the folder.")
    return fd


def _hash_fd(fd: int) -> tuple[str, bytes, int]:
    digest = hashlib.sha256()
    head = b""
    size = 0
    with os.fdopen(fd, "rb", closefd=False) as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            if size < HEAD_BYTES:
                head = (head + chunk)[:HEAD_BYTES]
            size += len(chunk)
            digest.update(chunk)
    return digest.hexdigest(), head, size


def sha256_file(path: Path) -> str:
    fd = _open_regular(path, printable_name(str(path)))
    try:
        return _hash_fd(fd)[0]
    finally:
        os.close(fd)


def read_source(path: Path, source_name: str | None = None) -> SourceDocument:
    """Hash and type one file; raises UnsupportedFile / DamagedFile / NotARegularFile naming it.

    The hash, the size and the signature come from one pass over one open file, so they agree
    even if the file is being replaced meanwhile (`check_unchanged` catches that afterwards).
    """
    name = printable_name(source_name or str(path))
    fd = _open_regular(path, name)
    try:
        doc_id, head, size = _hash_fd(fd)
    except OSError as exc:
        raise DamagedFile(f"{name}: cannot be read ({exc.strerror}); check the disk or copy it "
                          "again.") from exc
    finally:
        os.close(fd)
    if size == 0:
        raise UnsupportedFile(f"{name}: the file is empty (0 bytes); re-scan or re-export it.")
    kind = detect_type(head)
    if kind is None:
        raise UnsupportedFile(refusal(name, head, path.suffix))
    return SourceDocument(doc_id=doc_id, path=str(path), source_name=name, file_type=kind,
                          size=size)


def check_unchanged(source: SourceDocument) -> None:
    """Raise ChangedWhileRead unless the file still has the bytes it was identified by."""
    try:
        now = sha256_file(Path(source.path))
    except (NotARegularFile, DamagedFile, OSError) as exc:
        raise ChangedWhileRead(f"{source.source_name}: the file disappeared or was replaced while "
                               "being read; run again when it is in place.") from exc
    if now != source.doc_id:
        raise ChangedWhileRead(f"{source.source_name}: the file changed while being read; run "
                               "again when the copy is complete.")


@dataclass(frozen=True)
class FoundFile:
    """One entry found under the given paths: a file to read, an ignored one, or a problem."""

    path: Path
    name: str  # printable_name of the path as given / found
    ignored: bool = False  # hidden, listed in a .missionsignore, junk, a download, our output
    problem: str | None = None  # why it is not read (a link out of the folder, a broken link)
    note: str | None = None  # why it is ignored, said on a line (junk, a download, our output)


def _skipped(path: Path, name: str, patterns: tuple[str, ...], folder: bool = False,
             outputs: Collection[Path] = (), named: bool = False) -> FoundFile | None:
    """The entry as ignored (with the line to say, for what is not ours to judge silently), or
    None when it is to be read."""
    base = path.name
    if folder and _resolved(path) in outputs:
        return FoundFile(path, name, ignored=True)  # this run's own --out: counted, not said
    if folder and is_release_folder(path):
        return FoundFile(path, name, ignored=True, note=RELEASE_NOTE)
    junk = junk_reason(base)
    if junk is not None:
        return FoundFile(path, name, ignored=True, note=junk)
    if not folder and download_in_progress(base):
        return FoundFile(path, name, ignored=True, note=DOWNLOAD_NOTE)
    if (base.startswith(".") and not named) or _matches(base + "/" if folder else base, patterns):
        return FoundFile(path, name, ignored=True)
    return None


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def scan_inputs(paths: Iterable[Path], outputs: Collection[Path] = ()) -> Iterator[FoundFile]:
    """Every entry under the given paths (folders recursed, sorted), each accounted for.

    A folder's `.missionsignore` lists glob patterns (one a line) of files that are not
    documents (scripts, notes, expected records); those come back with ignored=True so the
    run can count them rather than drop them silently; the `.missionsignore` files of the
    folders above a path apply too. Hidden files and folders (a name starting with a dot,
    `.missionsignore` itself aside) and ignored folders come back ignored too, one entry each,
    and are not looked into; so do OS and application junk, downloads in progress, and release
    folders of ours (`outputs`, resolved, and any folder laid out as a release), each with a
    `note` saying why. Paths named on the command line are read as given, links included.
    Inside a folder, a link to a file in the same folder tree is read (it is one more name for
    that file); a link that leads out of the tree, a broken link, a link to a folder and a
    folder that cannot be listed come back with a `problem`.
    """
    outputs = {_resolved(Path(o)) for o in outputs}
    for root in paths:
        above = inherited_patterns(root)
        name = printable_name(str(root))
        if not root.is_dir():
            skipped = None if root.is_symlink() else _skipped(root, name, above, named=True)
            yield skipped or FoundFile(root, name)
            continue
        if _resolved(root) in outputs or is_release_folder(root):
            yield FoundFile(root, name, ignored=True, note=RELEASE_NOTE)
            continue
        top = root.resolve()
        patterns_by_dir: dict[str, tuple[str, ...]] = {}
        unlisted: list[OSError] = []
        for dirpath, dirnames, filenames in os.walk(root, onerror=unlisted.append):
            yield from _unlisted(unlisted)
            parent = patterns_by_dir.get(str(Path(dirpath).parent), above)
            patterns = read_patterns(Path(dirpath), parent)
            patterns_by_dir[dirpath] = patterns
            kept = []
            for d in sorted(dirnames):
                full = Path(dirpath) / d
                skipped = _skipped(full, printable_name(str(full)), patterns, folder=True,
                                   outputs=outputs)
                if skipped is not None:
                    yield skipped
                else:
                    kept.append(d)
            dirnames[:] = [d for d in kept if not (Path(dirpath) / d).is_symlink()]
            for d in kept:
                full = Path(dirpath) / d
                if full.is_symlink():
                    name = printable_name(str(full))
                    yield FoundFile(full, name, problem=(
                        f"{name}: a link to a folder ({printable_name(os.readlink(full))}); links "
                        "to folders are not followed: name the folder on the command line, or "
                        "copy it in."))
            for fname in sorted(filenames):
                if fname == IGNORE_FILE:
                    continue  # the folder's own instructions, not an entry of the inbox
                full = Path(dirpath) / fname
                name = printable_name(str(full))
                skipped = _skipped(full, name, patterns)
                if skipped is not None:
                    yield skipped
                    continue
                problem = _link_problem(full, top, name) if full.is_symlink() else None
                yield FoundFile(full, name, problem=problem)
        yield from _unlisted(unlisted)


def _unlisted(errors: list[OSError]) -> Iterator[FoundFile]:
    """Folders os.walk could not list, as entries with their problem (then forgotten)."""
    while errors:
        exc = errors.pop(0)
        name = printable_name(str(exc.filename))
        yield FoundFile(Path(str(exc.filename)), name, problem=(
            f"{name}: a folder that cannot be listed ({exc.strerror}); fix its permissions, "
            "then run again."))


def _link_problem(link: Path, top: Path, name: str) -> str | None:
    target = printable_name(os.readlink(link))
    try:
        resolved = link.resolve(strict=True)
    except (OSError, RuntimeError):
        return (f"{name}: a broken link (to {target}, which does not exist); remove it, or copy "
                "the file into the folder.")
    if not resolved.is_relative_to(top):
        return (f"{name}: a link to {printable_name(str(resolved))}, outside {printable_name(str(top))}; "
                "links out of the folder are not followed: copy the file into the folder instead.")
    return None


def find_inputs(paths: Iterable[Path]) -> Iterator[tuple[Path, str, bool]]:
    """(path, name, ignored) for every readable entry of `scan_inputs` (problems left out)."""
    for found in scan_inputs(paths):
        if found.problem is None:
            yield found.path, found.name, found.ignored


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(name, pat) for pat in patterns)
