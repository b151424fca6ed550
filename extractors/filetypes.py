"""What a file we do not read is, from its signature, and the fix that makes it readable."""
from __future__ import annotations

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97–2003, Excel, PowerPoint, Outlook .msg
ZIP = (b"PK\x03\x04", b"PK\x05\x06")
IGNORE_HINT = "or, if it is not a document, list it in a .missionsignore file of its folder"

# (signature test, what it is, the fix): the first that matches names the file.
_WORD = ("a Word document", "export it to PDF (File › Save as › PDF)")
_SHEET = ("a spreadsheet", "export the pages to PDF (File › Save as › PDF)")
_SLIDES = ("a presentation", "export it to PDF (File › Save as › PDF)")
_OPEN = ("an OpenDocument file", "export it to PDF (File › Export as PDF)")


def _zip_kind(head: bytes, suffix: str) -> tuple[str, str]:
    if b"word/" in head or suffix == ".docx":
        return _WORD
    if b"xl/" in head or suffix in (".xlsx", ".xlsm"):
        return _SHEET
    if b"ppt/" in head or suffix == ".pptx":
        return _SLIDES
    if b"opendocument" in head or suffix in (".odt", ".ods", ".odp"):
        return _OPEN
    return ("a ZIP archive", "extract its files into the folder, then remove the archive")


def _ole_kind(suffix: str) -> tuple[str, str]:
    if suffix in (".xls",):
        return _SHEET
    if suffix in (".ppt",):
        return _SLIDES
    if suffix == ".msg":
        return ("an Outlook message", "save its attachments into the folder")
    return ("a Word 97–2003 document", _WORD[1])


def identify(head: bytes, suffix: str) -> tuple[str, str] | None:
    """(what the file is, how to make it readable) for formats people drop in an inbox, from
    its first bytes (and its extension where a container holds several formats), or None."""
    suffix = suffix.lower()
    if head.startswith(OLE2):
        return _ole_kind(suffix)
    if head.startswith(ZIP):
        return _zip_kind(head, suffix)
    if head.startswith(b"{\\rtf"):
        return ("an RTF document", _WORD[1])
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypmsf1", b"ftyphevc"):
        return ("a HEIC photo (iPhone)", ("export it as JPEG (or set the phone to « Most "
                "Compatible »)"))
    if head[4:8] == b"ftyp":
        return ("a video or ISO media file", "take a photo or scan of the page instead")
    if head.startswith((b"GIF87a", b"GIF89a", b"BM")) or head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return ("an image in a format not read (GIF, BMP or WebP)", "convert it to PNG or JPEG")
    if head.startswith((b"\x00\x00\x00\x0cjP  ", b"\xffO\xffQ")):
        return ("a JPEG 2000 image", "convert it to TIFF, PNG or JPEG")
    if head.startswith((b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")):
        return ("an archive", "extract its files into the folder, then remove the archive")
    return None


def refusal(name: str, head: bytes, suffix: str) -> str:
    """The sentence for a file whose type is not read: what it is and the fix, when known."""
    known = identify(head, suffix)
    if known is not None:
        what, fix = known
        return f"{name}: {what}, which is not read: {fix}; {IGNORE_HINT}."
    return (f"{name}: not a PDF, TIFF, PNG, JPEG or text file (unrecognised signature "
            f"{head[:8].hex()}); convert it to one of these formats, {IGNORE_HINT}.")
