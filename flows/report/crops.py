"""Crops of source pages for the QA report: each page as it was read (its view kept by the reader,
or re-rendered once), cut into small JPEG data URIs around the boxes asked for, and kept in a
cache beside the release."""
from __future__ import annotations

import base64
import contextlib
import io
import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageSequence

from flows.pipeline.pagecache import PageCache, geometry_key
from models.records import DocumentResult

CROP_VERSION = 2  # part of every cache key: bump when crops are made differently
WORK_WIDTH = 1100  # pages are brought to this width before they are deskewed and cut
CROP_WIDTH = 760  # a crop is at most this wide in the report (pixels)
JPEG_QUALITY = 62
MAX_RENDER_PIXELS = 24_000_000  # what re-rendering a page for crops may decode in this process
MAX_VIEW_SIDE = 8_000  # a kept view larger than this is not one the reader made: not used
DATA_URI = re.compile(r"data:image/jpeg;base64,[A-Za-z0-9+/]+={0,2}")
PAD_INCH = 0.08  # space kept above and below a box
LEFT_INCH = 0.6  # space kept left of a box (a number standing before the title)


@dataclass(frozen=True)
class PageGeometry:
    """How a page was read: what its boxes refer to (the `pages` row)."""

    page: int
    width_px: int
    height_px: int
    dpi: int
    skew_degrees: float = 0.0
    rotation: int = 0

    def key(self) -> str:
        return geometry_key(self.width_px, self.height_px, self.dpi, self.skew_degrees,
                            self.rotation)


@dataclass(frozen=True)
class CropRequest:
    """A band of a page to show: the box's lines from just left of the box to the page's right
    edge (the status mark stands on the measure's line, or in a column to its right)."""

    page: int
    bbox: tuple[float, float, float, float]

    def key(self, geometry: PageGeometry) -> str:
        box = ",".join(str(round(v)) for v in self.bbox)
        return f"v{CROP_VERSION}:{self.page}:{box}:{geometry.key()}"


def parse_bbox(text: Any) -> tuple[float, float, float, float] | None:
    if not isinstance(text, str) or text.count(",") != 3:
        return None
    try:
        x0, y0, x1, y1 = (float(v) for v in text.split(","))
    except ValueError:
        return None
    return (x0, y0, x1, y1)


def source_problem(path: Path | None) -> str | None:
    """Why a document's pages cannot be rendered again from its source (None when they can):
    `path` is where the run found its bytes, hashed then (None: the run did not see the file)."""
    if path is None:
        return ("the source file is not among this run's inputs (moved, or not given this "
                "time); no crops")
    if not path.is_file():
        return f"the source file {path} is gone (moved or deleted); no crops"
    return None


def render_scale(w_pt: float, h_pt: float, geometry: PageGeometry) -> float:
    """pdfium's scale for a page of w_pt × h_pt points: the page's dpi, but never more than
    the report needs (WORK_WIDTH across, once turned) nor MAX_RENDER_PIXELS in all, so that a
    giant page (30000 pt a side) costs this process a few MB, not gigabytes."""
    across = h_pt if geometry.rotation in (90, 270) else w_pt
    scale = min(geometry.dpi / 72, WORK_WIDTH / max(across, 1.0))
    return min(scale, math.sqrt(MAX_RENDER_PIXELS / max(w_pt * h_pt, 1.0)))


def render_page(path: Path, file_type: str, geometry: PageGeometry) -> Image.Image:
    """The page as its boxes see it, brought to WORK_WIDTH: rendered (pdfium, at most
    WORK_WIDTH across) or decoded (the image frame, at most MAX_RENDER_PIXELS), turned by its
    rotation, then deskewed like the OCR did."""
    if file_type == "pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(path))
        try:
            page = pdf[geometry.page - 1]
            img = page.render(scale=render_scale(*page.get_size(), geometry)).to_pil()
        finally:
            pdf.close()
    else:
        with Image.open(path) as frames:
            frame = next(f for i, f in enumerate(ImageSequence.Iterator(frames))
                         if i == geometry.page - 1)
            if frame.width * frame.height > MAX_RENDER_PIXELS:
                raise ValueError(f"a frame of {frame.width}×{frame.height} px is more than this "
                                 f"report decodes ({MAX_RENDER_PIXELS // 10**6} Mpx) and it kept "
                                 "no view of it")
            img = _to_rgb(frame)
    img = img.convert("RGB")
    if geometry.rotation:
        # `rotation`: clockwise quarter-turns applied before reading (PIL turns anticlockwise).
        img = img.rotate(-geometry.rotation, expand=True)
    img = _to_work_width(img)
    if geometry.skew_degrees and abs(geometry.skew_degrees) >= 0.15:
        img = img.rotate(-geometry.skew_degrees, resample=Image.Resampling.BICUBIC,
                         fillcolor="white")
    return img


def _to_work_width(img: Image.Image) -> Image.Image:
    """The image brought down to WORK_WIDTH pixels wide (a narrower one is left as it is)."""
    if img.width <= WORK_WIDTH:
        return img
    return img.resize((WORK_WIDTH, max(1, round(img.height * WORK_WIDTH / img.width))),
                      Image.Resampling.LANCZOS, reducing_gap=2.0)


def _to_rgb(frame: Image.Image) -> Image.Image:
    from extractors.pageimage import to_rgb

    return to_rgb(frame)


def cut(img: Image.Image, geometry: PageGeometry, request: CropRequest) -> str:
    """A JPEG data URI of the request's band of the (rendered) page."""
    scale = img.width / geometry.width_px
    pad = PAD_INCH * geometry.dpi
    x0 = max(0, min(img.width - 1, math.floor((request.bbox[0] - LEFT_INCH * geometry.dpi) * scale)))
    y0 = max(0, min(img.height - 1, math.floor((request.bbox[1] - pad) * scale)))
    y1 = min(img.height, math.ceil((request.bbox[3] + pad) * scale))
    band = img.crop((x0, y0, img.width, max(y1, y0 + 1)))
    if band.width > CROP_WIDTH:
        band = band.resize((CROP_WIDTH, max(1, round(band.height * CROP_WIDTH / band.width))),
                           Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    band.save(buf, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


class CropCache:
    """Crops already made, one JSON file per document under `folder` (None: no cache), and the
    page views kept when pages were read (`pages`), cut instead of rendering the page again."""

    def __init__(self, folder: Path | None, pages: PageCache | None = None) -> None:
        self.folder, self.pages = folder, pages

    def view(self, doc_id: str, geometry: PageGeometry) -> Image.Image | None:
        """The page as it was read, brought to WORK_WIDTH, from the view kept then (or None)."""
        if self.pages is None:
            return None
        try:
            with Image.open(self.pages.view_path(doc_id, geometry.page, geometry.key())) as img:
                if max(img.size) > MAX_VIEW_SIDE:
                    return None  # not a view the reader kept: the page is rendered instead
                img = img.convert("RGB")
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
            return None
        return _to_work_width(img)

    def _file(self, doc_id: str) -> Path | None:
        return self.folder / f"{doc_id}.json" if self.folder is not None else None

    def load(self, doc_id: str) -> dict[str, str]:
        """The crops kept for a document: only entries that are JPEG data URIs (anything else
        in the file is a miss, cut again: a value goes into the report's HTML)."""
        file = self._file(doc_id)
        if file is None or not file.is_file():
            return {}
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {k: v for k, v in data.items()
                if isinstance(k, str) and isinstance(v, str) and DATA_URI.fullmatch(v)}

    def save(self, doc_id: str, crops: Mapping[str, str]) -> None:
        file = self._file(doc_id)
        if file is None:
            return
        tmp = file.with_name(f"{file.name}.{os.getpid()}.tmp")
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(dict(crops)), encoding="utf-8")
            os.replace(tmp, file)
        except OSError:  # a cache that cannot be written (a full disk) only costs time next run
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)


def document_crops(path: Path | None, doc_id: str, file_type: str,
                   geometries: Mapping[int, PageGeometry], requests: Sequence[CropRequest],
                   cache: CropCache) -> tuple[dict[CropRequest, str], str | None]:
    """Data URIs for the requests of one document, and a sentence saying why some or all could
    not be made (None: all made). A crop not cached is cut from the page's view kept when it was
    read; a page without one (text layers, older caches) is rendered again, once, from `path`:
    where the run found the document's bytes (see `source_problem`)."""
    cached = cache.load(doc_id)
    out: dict[CropRequest, str] = {}
    todo: dict[int, list[CropRequest]] = {}
    for r in requests:
        geometry = geometries.get(r.page)
        if geometry is None:
            continue
        uri = cached.get(r.key(geometry))
        if uri is not None:
            out[r] = uri
        else:
            todo.setdefault(r.page, []).append(r)
    views = {page: cache.view(doc_id, geometries[page]) for page in todo}
    problem = None if all(v is not None for v in views.values()) else source_problem(path)
    failed: list[str] = []
    for page, page_requests in sorted(todo.items()):
        geometry = geometries[page]
        try:
            img = views[page]
            if img is None:
                if problem is not None or path is None:
                    continue
                img = render_page(path, file_type, geometry)
        except Exception as exc:  # noqa: BLE001 - a page that cannot be rendered again is reported
            failed.append(f"page {page} could not be rendered again ({type(exc).__name__}: {exc})")
            continue
        for r in page_requests:
            out[r] = cut(img, geometry, r)
    if todo:
        cache.save(doc_id, {r.key(geometries[r.page]): uri for r, uri in out.items()})
    return out, ("; ".join(([problem] if problem else []) + failed) or None)


def page_geometries(rows: Sequence[Mapping[str, Any]]) -> dict[int, PageGeometry]:
    """The geometry of each page that has one (rows of the `pages` table, or Page fields)."""
    return {
        int(p["page"]): PageGeometry(int(p["page"]), int(p["width_px"]), int(p["height_px"]),
                                     int(p["dpi"]), float(p["skew_degrees"] or 0.0),
                                     int(p["rotation"] or 0))
        for p in rows if p["width_px"] and p["height_px"] and p["dpi"]
    }


def cut_ahead(result: DocumentResult, out: Path, cache_folder: Path) -> None:
    """Cut the crops of a document just extracted into the report's cache now, while other
    pages are still being read, so that writing the report at the end of the run only
    assembles them (the same requests the report makes: each measure's box, as published).
    Its file has just been found unchanged (the run's second hash): it is not hashed again."""
    if result.state != "published":
        return
    geometries = page_geometries([vars(p) for p in result.pages])
    requests = [CropRequest(m.page, tuple(float(round(v)) for v in m.bbox))  # type: ignore[arg-type]
                for m in result.extraction.measures if m.bbox is not None]
    if requests:
        document_crops(Path(result.source.path), result.source.doc_id, result.source.file_type,
                       geometries, requests, CropCache(cache_folder, PageCache(out)))
