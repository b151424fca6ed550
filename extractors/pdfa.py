"""A searchable PDF/A-2b of a document read by OCR: its original page images, untouched, with
tesseract's invisible text page from the same OCR pass placed over each (pikepdf, img2pdf)."""
from __future__ import annotations

import gc
import io
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import img2pdf
import numpy as np
import pikepdf
from pikepdf.pdfa import save as save_pdfa

from models.records import Page

FLAVOUR = "2b"
_VIEWER_EFFECTS = ("/Trans", "/Dur", "/PresSteps", "/AA")  # page keys PDF/A refuses or frowns on
_SHOWS_GLYPHS = {"Tj", "TJ", "'", '"'}


class NotArchivable(ValueError):
    """The document's pages cannot be put in a PDF/A as they are; the sentence says why."""


def _rotation_about(degrees: float, cx: float, cy: float) -> np.ndarray:
    """OpenCV's getRotationMatrix2D(centre, degrees, 1) as a 3×3 (pixels, y down)."""
    t = math.radians(degrees)
    a, b = math.cos(t), math.sin(t)
    return np.array([[a, b, (1 - a) * cx - b * cy], [-b, a, b * cx + (1 - a) * cy], [0, 0, 1.0]])


def text_matrix(page: Page, text_size: tuple[float, float], box: Sequence[float]) -> list[float]:
    """The `cm` that lays tesseract's text page (points, y up, of the turned and deskewed image
    it read) over a PDF page whose `box` (x0, y0, x1, y1 in user space) shows the original
    image, upright as scanned."""
    wt, ht = float(page.width_px or 0), float(page.height_px or 0)  # the page as read
    turn = page.rotation % 360
    w0, h0 = (ht, wt) if turn in (90, 270) else (wt, ht)  # the image as scanned
    k = wt / text_size[0]  # text-page points -> pixels of the page as read
    text_to_px = np.array([[k, 0, 0], [0, -k, ht], [0, 0, 1.0]])
    unskew = _rotation_about(page.skew_degrees or 0.0, wt / 2, ht / 2)
    unturn = {0: np.eye(3),  # pixels of the turned page -> pixels of the image as scanned
              90: np.array([[0, 1.0, 0], [-1.0, 0, h0], [0, 0, 1]]),
              180: np.array([[-1.0, 0, w0], [0, -1.0, h0], [0, 0, 1]]),
              270: np.array([[0, -1.0, w0], [1.0, 0, 0], [0, 0, 1]])}[turn]
    x0, y0, x1, y1 = (float(v) for v in box)
    px_to_page = np.array([[(x1 - x0) / w0, 0, x0], [0, -(y1 - y0) / h0, y1], [0, 0, 1.0]])
    m = px_to_page @ unturn @ unskew @ text_to_px
    return [m[0, 0], m[1, 0], m[0, 1], m[1, 1], m[0, 2], m[1, 2]]


def _drop_empty_text(pdf: pikepdf.Pdf, page: pikepdf.Page) -> None:
    """Remove text objects that show no glyph (`BT /F1 12 Tf ET`, a producer's leftover that
    names a font it never embedded), then the resources nothing uses any more."""
    kept: list = []
    block: list | None = None
    dropped = False
    for operands, op in pikepdf.parse_content_stream(page):
        name = str(op)
        if name == "BT":
            block = [(operands, op)]
        elif block is not None:
            block.append((operands, op))
            if name == "ET":
                if any(str(o) in _SHOWS_GLYPHS for _, o in block):
                    kept.extend(block)
                else:
                    dropped = True
                block = None
        else:
            kept.append((operands, op))
    if dropped:
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(kept))
        page.remove_unreferenced_resources()


def _open_source(path: Path, file_type: str) -> pikepdf.Pdf:
    """The document's pages with their images as they are in the file: a PDF's page objects
    (image streams copied raw), or img2pdf's pages for an image file (JPEG, PNG and CCITT
    bytes embedded as they are; other TIFF frames decoded and Flate-compressed, losslessly)."""
    if file_type == "pdf":
        return pikepdf.open(path)
    try:  # EXIF orientation ignored, as the reading does
        return pikepdf.open(io.BytesIO(img2pdf.convert(_frames(path, file_type),
                                                       rotation=img2pdf.Rotation.none)))
    except Exception as exc:  # img2pdf refuses alpha channels, odd modes: said, not raised
        raise NotArchivable(f"its image cannot be wrapped in a PDF as it is ({exc})") from exc


def _frames(path: Path, file_type: str) -> str | list[bytes]:
    """What img2pdf is given: the file itself, whose bytes it embeds as they are; or, for a TIFF
    whose frames it would decode (LZW, JPEG-in-TIFF, uncompressed), each frame as a PNG made
    here with fast compression — lossless all the same, and about 3× quicker than img2pdf's own
    (zlib's default level: 1.6 s for two noisy 200-dpi frames)."""
    if file_type != "tiff":
        return str(path)
    from PIL import Image, ImageSequence

    try:
        with Image.open(path) as img:
            frames = []
            for frame in ImageSequence.Iterator(img):
                if frame.info.get("compression") in ("group3", "group4"):
                    return str(path)  # CCITT: embedded as it is
                out = io.BytesIO()
                dpi = frame.info.get("dpi")
                frame.save(out, format="PNG", compress_level=1,
                           **({"dpi": tuple(float(v) for v in dpi)} if dpi else {}))
                frames.append(out.getvalue())
            return frames
    except (OSError, ValueError):
        return str(path)  # a mode PNG cannot hold (CMYK): img2pdf decides


def searchable_pdfa(path: Path, file_type: str, pages: Sequence[Page], dest: Path, *,
                    title: str, source_name: str) -> None:
    """Write the PDF/A-2b of the document at `path` (its read `pages`, all of them) to `dest`:
    each OCR'd page gets its text page, invisible, over its image, and its quarter turn as
    /Rotate; other pages are kept as they are. Validated as written (pikepdf's PDF/A checker):
    NotArchivable, and nothing at `dest`, when it does not pass."""
    ordered = sorted(pages, key=lambda p: p.page)
    # The source stays open until the save: pikepdf copies its streams' bytes then.
    with _open_source(path, file_type) as src, pikepdf.new() as out:
        if len(src.pages) != len(ordered):
            raise NotArchivable(f"it has {len(src.pages)} pages, {len(ordered)} were read")
        for page in src.pages:
            if int(page.obj.get("/Rotate", 0)) % 360:
                raise NotArchivable("a page carries its own /Rotate (not handled yet)")
            out.pages.append(page)
        for page, base in zip(ordered, out.pages, strict=True):
            for key in _VIEWER_EFFECTS:
                if key in base.obj:
                    del base.obj[key]
            if page.text_pdf is None:
                continue
            _drop_empty_text(out, base)
            with pikepdf.open(io.BytesIO(page.text_pdf)) as txt:
                media = [float(v) for v in txt.pages[0].mediabox]
                form = out.copy_foreign(txt.pages[0].as_form_xobject())
            cm = text_matrix(page, (media[2] - media[0], media[3] - media[1]), base.cropbox)
            name = base.add_resource(form, pikepdf.Name.XObject, prefix="OCR")
            # a newline first: the stream before may end without one ("…Do\nQ"), and readers
            # that join content streams as they are would read "Qq"
            ops = f"\nq {' '.join(f'{v:.6f}' for v in cm)} cm {name} Do Q\n".encode()
            base.contents_add(pikepdf.Stream(out, ops), prepend=False)
            if page.rotation % 360:
                base.obj.Rotate = page.rotation % 360
        with out.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:title"] = title
            meta["dc:source"] = source_name
        _save_checked(out, dest)


def _save_checked(pdf: pikepdf.Pdf, dest: Path) -> None:
    """pikepdf's save-and-validate, tried twice. Its content checker fails a stream on *any*
    Python warning raised while it parses (it records them process-wide), so a warning of
    another thread's, or a ResourceWarning from a file the collector finalises meanwhile, fails
    a valid file at random (seen: « content stream: unclosed file <_io.TextIOWrapper …> »).
    The collector is held off while it runs, and a failure is checked once more: a file that
    does not conform fails again, the same way."""
    for attempt in (1, 2):
        try:
            with collector_paused():
                save_pdfa(pdf, dest, FLAVOUR, output_intent="sRGB")
            return
        except pikepdf.pdfa.PdfaError as exc:
            if attempt == 2:
                raise NotArchivable(f"it does not pass as PDF/A-{FLAVOUR} "
                                    f"({str(exc)[:300]})") from exc


@contextmanager
def collector_paused() -> Iterator[None]:
    """The garbage collector held off for the block: what it would finalise (a file left open,
    with its ResourceWarning) is not finalised during pikepdf's PDF/A check, but after it. (Not
    collected first: a full collection of a run's heap cost 0.3 s a document, and left the
    block no safer — what is freed by its last reference is finalised at once either way.)"""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
