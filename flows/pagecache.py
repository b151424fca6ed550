"""A store of pages already read, under DIR/.cache, keyed by file hash, page and OCR settings."""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from models.records import ColourRegion, DigitReading, Line, Page, Word

CACHE_FORMAT = 3  # 2: pages carry their coloured regions; 3: digits read by each region


class PageCache:
    """One JSON file per page read; written atomically, so a crash never leaves half a record.

    The key holds everything that changes what reading returns (file sha256, page, method,
    OCR language/psm/deskew and tesseract version), not the rules version: a rules change
    re-extracts from these pages without OCR.
    """

    def __init__(self, out_dir: Path) -> None:
        self.root = Path(out_dir) / ".cache" / "pages"

    def _path(self, doc_id: str, page_no: int, key: str) -> Path:
        return self.root / doc_id[:2] / doc_id / f"{page_no:05d}-{key}.json"

    def get(self, doc_id: str, page_no: int, key: str) -> Page | None:
        path = self._path(doc_id, page_no, key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if data.get("format") != CACHE_FORMAT:
            return None
        try:
            return page_from_json(data["page"])
        except (KeyError, TypeError, ValueError):
            return None

    def view_path(self, doc_id: str, page_no: int, geometry: str) -> Path:
        """Where the page's view (as read: turned, deskewed, ~150 dpi JPEG) is kept; `geometry`
        is `geometry_key` of the reading, so a view always matches the boxes it is cut for."""
        return self.root / doc_id[:2] / doc_id / f"{page_no:05d}-view-{geometry}.jpg"

    def put_view(self, doc_id: str, page_no: int, geometry: str, jpeg: bytes) -> None:
        _write_atomically(self.view_path(doc_id, page_no, geometry), jpeg)

    def put(self, doc_id: str, page_no: int, key: str, page: Page) -> None:
        if page.error is not None:
            return  # failures are not cached: a later run tries again
        payload = json.dumps({"format": CACHE_FORMAT, "page": asdict(page)}, ensure_ascii=False)
        _write_atomically(self._path(doc_id, page_no, key), payload.encode("utf-8"))


def _write_atomically(path: Path, data: bytes) -> None:
    """Write beside, then rename: a reader or a crash never sees half an entry. A cache that
    cannot be written only costs time, except a folder that cannot be made (OSError)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)


def geometry_key(width_px: int, height_px: int, dpi: int, skew_degrees: float,
                 rotation: int) -> str:
    """How a page was read, as text: what its boxes refer to."""
    return f"{width_px}x{height_px}@{dpi}s{skew_degrees:g}r{rotation}"


def _bbox(v: Any) -> tuple[float, float, float, float] | None:
    return tuple(v) if v is not None else None  # type: ignore[return-value]


def page_from_json(d: dict[str, Any]) -> Page:
    lines = tuple(
        Line(text=ln["text"], bbox=_bbox(ln["bbox"]), conf=ln["conf"], para_break=ln["para_break"],
             words=tuple(Word(text=w["text"], bbox=_bbox(w["bbox"]), conf=w["conf"])
                         for w in ln["words"]), raw_text=ln.get("raw_text"))
        for ln in d["lines"]
    )
    regions = tuple(
        ColourRegion(bbox=_bbox(r["bbox"]), rgb=tuple(r["rgb"]),  # type: ignore[arg-type]
                     lab=tuple(r["lab"]), area=r["area"], fill=r["fill"],  # type: ignore[arg-type]
                     readings=tuple(DigitReading(**d) for d in r["readings"]), label=r["label"])
        for r in d["regions"]
    )
    return Page(page=d["page"], method=d["method"], lines=lines, width_px=d["width_px"],
                height_px=d["height_px"], dpi=d["dpi"], mean_confidence=d["mean_confidence"],
                skew_degrees=d["skew_degrees"], rotation=d["rotation"], error=d["error"],
                regions=regions)
