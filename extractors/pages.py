"""Reading a document's pages: PDF text layers, rasterised PDF pages, image frames, legacy text."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

import pypdfium2 as pdfium
from charset_normalizer import from_bytes
from PIL import Image, ImageSequence

from extractors.marktext import read_mark_text, text_layer_numbers
from extractors.ocr import OcrSettings, ocr_page
from extractors.pageimage import StraightPage, to_rgb
from extractors.regions import REGIONS_VERSION, find_colour_regions
from extractors.sources import HEAD_BYTES, SINGLE_BYTE_ENCODINGS, utf16_without_bom
from models.errors import DamagedFile, EncryptedFile, PageError, UnsupportedFile
from models.records import ColourRegion, Line, Page, SourceDocument, Word

RASTER_DPI = 300
COLOUR_DPI = 100  # text-layer pages are rendered at this dpi to see their coloured marks
MAX_PAGE_PIXELS = 80_000_000  # ~ A2 at 300 dpi; bigger pages are read at a lower dpi
MAX_COLOUR_PIXELS = 8_000_000  # the colour look at a text-layer page
MAX_PAGES = 2000  # pages (frames, form-feed pages) one document may have; more is refused
MIN_TEXT_CHARS = 20  # fewer characters than this in a PDF text layer means "scanned page"
A4_WIDTH_IN = 8.27
VIEW_WIDTH = 1240  # a scanned page is also kept deskewed at about this width (~150 dpi on A4)
Image.MAX_IMAGE_PIXELS = MAX_PAGE_PIXELS * 2  # Pillow raises DecompressionBombError beyond


@dataclass(frozen=True)
class PageJob:
    """One unit of page work: which page of which file, and how to read it."""

    doc_id: str
    path: str
    file_type: str
    index: int  # 0-based page or frame
    how: str  # where its text comes from: text-layer | raster (a PDF page) | image | legacy

    @property
    def page_no(self) -> int:
        return self.index + 1

    @property
    def method(self) -> str:
        """The page's `Page.method` (the `pages` table's word): text-layer, ocr or legacy-text."""
        return {"text-layer": "text-layer", "legacy": "legacy-text"}.get(self.how, "ocr")

    def cache_key(self, settings: OcrSettings) -> str:
        """The page cache's key for this page read with `settings` (see flows/pagecache.py); it
        names the OCR engine that reads it (`OcrSettings.key`), so recorded and real readings
        never stand for each other."""
        return f"{self.how}-{settings.key()}-regions{REGIONS_VERSION}"


def plan_pages(source: SourceDocument) -> list[PageJob]:
    """The page jobs of a document; raises a quarantine error when the file can't be opened."""
    def job(i: int, how: str) -> PageJob:
        return PageJob(source.doc_id, source.path, source.file_type, i, how)

    if source.file_type == "text":
        return [job(0, "legacy")]
    if source.file_type == "pdf":
        return [job(i, how) for i, how in enumerate(_pdf_page_methods(source))]
    try:
        with Image.open(source.path) as img:
            n = getattr(img, "n_frames", 1)
    except Image.DecompressionBombError as exc:
        raise DamagedFile(f"{source.source_name}: the image declares {exc} — refusing to decode "
                          "it; re-export the scan at a normal size.") from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise DamagedFile(f"{source.source_name}: the {source.file_type.upper()} file is damaged "
                          f"and cannot be opened ({exc}); re-scan or re-export it.") from exc
    check_page_count(source, n)
    return [job(i, "image") for i in range(n)]


def check_page_count(source: SourceDocument, n: int) -> None:
    """UnsupportedFile when the document has more than MAX_PAGES pages (a limit, so that one
    file cannot hold the run for hours: work grows with the pages)."""
    if n > MAX_PAGES:
        raise UnsupportedFile(f"{source.source_name}: the document has {n:,} pages, more than the "
                              f"{MAX_PAGES:,} a document may have; split it into smaller files.")


def _pdf_page_methods(source: SourceDocument) -> list[str]:
    try:
        pdf = pdfium.PdfDocument(source.path)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise EncryptedFile(f"{source.source_name}: the PDF is password-protected; ask for an "
                                "unprotected copy.") from exc
        raise DamagedFile(f"{source.source_name}: the PDF is damaged or truncated and cannot be "
                          f"opened ({exc}); re-scan or re-export it.") from exc
    try:
        if len(pdf) == 0:
            raise DamagedFile(f"{source.source_name}: the PDF has no pages; re-export it.")
        check_page_count(source, len(pdf))
        methods = []
        for i in range(len(pdf)):
            page = pdf[i]
            try:
                text = page.get_textpage().get_text_range()
            except pdfium.PdfiumError:
                text = ""
            chars = len(re.sub(r"\s", "", text))
            methods.append("text-layer" if chars >= MIN_TEXT_CHARS else "raster")
            page.close()
        return methods
    finally:
        pdf.close()


def read_page(job: PageJob, settings: OcrSettings) -> tuple[Page, Image.Image | None]:
    """Read one page by its job; a page that fails comes back as a Page with `error` set.

    The page's coloured blobs (status marks, legend swatches) are found here, while its
    image is in memory, and kept with the page. Also returned: for a scanned page, the page
    as it was read (turned, deskewed) at about VIEW_WIDTH pixels, for the report's crops.
    """
    try:
        if job.how == "text-layer":
            page = read_text_layer(job)
            regions = text_layer_numbers(text_layer_regions(job), page.lines)
            return replace(page, regions=regions), None
        if job.how == "raster":
            img, dpi = rasterise_pdf_page(job)
        else:
            img, dpi = load_image_frame(job)
        page, straight = ocr_page(img, job.page_no, dpi, settings)
        view, factor = page_view(straight)
        found = find_colour_regions(view, max(1, round(dpi / factor)), scale=factor,
                                    rules=page.rules)
        regions = read_mark_text(straight, found, dpi, settings.lang, page.lines)
        return replace(page, regions=regions), view
    except PageError as exc:
        return Page(page=job.page_no, method=job.method, lines=(), error=str(exc)), None


def page_view(straight: StraightPage) -> tuple[Image.Image, int]:
    """The deskewed page reduced to about VIEW_WIDTH pixels wide, and the reduction factor."""
    factor = max(1, straight.width // VIEW_WIDTH)
    return straight.reduced(factor), factor


def read_text_layer(job: PageJob) -> Page:
    import pdfplumber  # here, not at import: only the readers open text layers (preloaded there)

    try:
        with pdfplumber.open(job.path) as pdf:
            pl_page = pdf.pages[job.index]
            raw = pl_page.extract_text_lines(layout=False, strip=True, return_chars=False)
            width, height = round(pl_page.width), round(pl_page.height)
            words = pl_page.extract_words(use_text_flow=True)
    except Exception as exc:  # pdfminer raises many kinds on damaged pages
        raise PageError(f"the text layer of page {job.page_no} cannot be read ({exc})") from exc
    if width < 1 or height < 1:
        raise PageError(f"page {job.page_no} has no area ({width}×{height} pt); re-export the PDF")
    heights = sorted(r["bottom"] - r["top"] for r in raw) or [10.0]
    median_h = heights[len(heights) // 2]
    lines: list[Line] = []
    prev_bottom: float | None = None
    for r in raw:
        bbox = (float(r["x0"]), float(r["top"]), float(r["x1"]), float(r["bottom"]))
        line_words = tuple(
            Word(text=w["text"], bbox=(float(w["x0"]), float(w["top"]), float(w["x1"]), float(w["bottom"])))
            for w in words
            if w["top"] >= bbox[1] - 1 and w["bottom"] <= bbox[3] + 1
            and w["x0"] >= bbox[0] - 1 and w["x1"] <= bbox[2] + 1
        )
        gap = (bbox[1] - prev_bottom) if prev_bottom is not None else 0.0
        lines.append(Line(text=r["text"], bbox=bbox, para_break=gap > 0.9 * median_h,
                          words=line_words))
        prev_bottom = bbox[3]
    return Page(page=job.page_no, method="text-layer", lines=tuple(lines), width_px=width,
                height_px=height, dpi=72)


def capped_dpi(w_pt: float, h_pt: float, dpi: float, max_pixels: float) -> float:
    """`dpi`, lowered so that a w_pt × h_pt page renders to at most `max_pixels`."""
    pixels = (w_pt / 72 * dpi) * (h_pt / 72 * dpi)
    return dpi * math.sqrt(max_pixels / pixels) if pixels > max_pixels else float(dpi)


def text_layer_regions(job: PageJob) -> tuple[ColourRegion, ...]:
    """Coloured blobs of a text-layer page, rendered at COLOUR_DPI, boxes in PDF points."""
    try:
        pdf = pdfium.PdfDocument(job.path)
        try:
            page = pdf[job.index]
            w_pt, h_pt = page.get_size()
            # A giant page is looked at coarser: at most ~8 Mpx, like an A1 sheet at 100 dpi.
            dpi = capped_dpi(w_pt, h_pt, COLOUR_DPI, MAX_COLOUR_PIXELS)
            img = page.render(scale=dpi / 72).to_pil()
        finally:
            pdf.close()
    except pdfium.PdfiumError:
        return ()  # no colour evidence: statuses stay unread, the text is still read
    return find_colour_regions(img, max(1, round(dpi)), scale=72 / dpi)


def rasterise_pdf_page(job: PageJob) -> tuple[Image.Image, int]:
    try:
        pdf = pdfium.PdfDocument(job.path)
        try:
            page = pdf[job.index]
            w_pt, h_pt = page.get_size()
            if w_pt <= 1 or h_pt <= 1:
                raise PageError(f"page {job.page_no} has no area ({w_pt:.0f}×{h_pt:.0f} pt)")
            dpi = max(36, int(capped_dpi(w_pt, h_pt, RASTER_DPI, MAX_PAGE_PIXELS)))
            img = page.render(scale=dpi / 72).to_pil()
            img.load()
            return img, dpi
        finally:
            pdf.close()
    except pdfium.PdfiumError as exc:
        raise PageError(f"page {job.page_no} cannot be rendered ({exc})") from exc


def load_image_frame(job: PageJob) -> tuple[Image.Image, int]:
    try:
        with Image.open(job.path) as img:
            frame = next(f for i, f in enumerate(ImageSequence.Iterator(img)) if i == job.index)
            dpi = _image_dpi(frame)
            out = to_rgb(frame)
            out.load()
            return out, dpi
    except Image.DecompressionBombError as exc:
        raise PageError(f"frame {job.page_no} is too large to decode ({exc})") from exc
    except (OSError, ValueError, SyntaxError, StopIteration) as exc:
        raise PageError(f"frame {job.page_no} is damaged and cannot be decoded ({exc})") from exc


def _image_dpi(img: Image.Image) -> int:
    dpi = img.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        value = 0.0
    if 50 <= value <= 1200:
        return round(value)
    # No usable dpi: assume the scan is an A4 page across its shorter side.
    return max(50, min(600, round(min(img.size) / A4_WIDTH_IN)))


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode legacy OCR text: BOMs, UTF-16 without one, strict UTF-8, then a detected single-byte
    encoding."""
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, errors="replace"), enc
    utf16 = utf16_without_bom(data[:HEAD_BYTES])
    if utf16 is not None:
        return data.decode(utf16, errors="replace"), utf16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data, cp_isolation=SINGLE_BYTE_ENCODINGS).best()
    encoding = best.encoding if best is not None else "cp1252"
    return data.decode(encoding, errors="replace"), encoding


def read_legacy_text(source: SourceDocument) -> list[Page]:
    """A legacy OCR text file as pages (form feeds separate pages; blank lines mark paragraphs)."""
    with open(source.path, "rb") as fh:
        text, _encoding = decode_text(fh.read())
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    chunks = text.split("\f")
    check_page_count(source, sum(1 for chunk in chunks if not chunk.isspace() and chunk))
    pages: list[Page] = []
    for i, chunk in enumerate(chunks):
        lines: list[Line] = []
        blank = False
        for raw in chunk.split("\n"):
            if not raw.strip():
                blank = True
                continue
            lines.append(Line(text=raw.strip(), bbox=None, para_break=blank and bool(lines)))
            blank = False
        if lines or i == 0:
            pages.append(Page(page=len(pages) + 1, method="legacy-text", lines=tuple(lines)))
    return pages
