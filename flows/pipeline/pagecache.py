"""A store of pages already read, under DIR/.cache, keyed by file hash, page and OCR settings."""
from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from flows.release.layout import PAGE_CACHE
from models.records import ColourRegion, DigitReading, Line, Page, Word

CACHE_FORMAT = 6  # 2: pages carry their coloured regions; 3: digits read by each region;
# 4: OCR'd pages carry their ALTO and text-only PDF page (the archival outputs, without OCR);
# 5: and the rules erased before OCR; 6: the words printed inside each region
log = logging.getLogger("missions")


class PageCache:
    """One JSON file per page read; written atomically, so a crash never leaves half a record.

    The key holds everything that changes what reading returns (file sha256, page, method,
    OCR language/psm/deskew and the OCR engine's identity: tesseract's version, marked when the
    outputs are replayed from recordings), not the rules version: a rules change
    re-extracts from these pages without OCR.
    """

    def __init__(self, out_dir: Path) -> None:
        self.root = Path(out_dir) / PAGE_CACHE

    def _path(self, doc_id: str, page_no: int, key: str) -> Path:
        return self.root / doc_id[:2] / doc_id / f"{page_no:05d}-{key}.json"

    def get(self, doc_id: str, page_no: int, key: str) -> Page | None:
        """The page kept for this key, or None (a miss: the page is read again) when there is
        none or the entry is not a page record of this page (checked field by field; said
        under -v)."""
        path = self._path(doc_id, page_no, key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            return _miss(path, f"unreadable ({type(exc).__name__})")
        if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
            return _miss(path, "not a page record of this cache format")
        try:
            page = page_from_json(data["page"])
        except (KeyError, TypeError, ValueError) as exc:  # any other shape: read it again
            return _miss(path, f"{type(exc).__name__}: {str(exc)[:120]}")
        if page.page != page_no:
            return _miss(path, f"it holds page {page.page}")
        return page

    def view_path(self, doc_id: str, page_no: int, geometry: str) -> Path:
        """Where the page's view (as read: turned, deskewed, ~150 dpi JPEG) is kept; `geometry`
        is `geometry_key` of the reading, so a view always matches the boxes it is cut for."""
        return self.root / doc_id[:2] / doc_id / f"{page_no:05d}-view-{geometry}.jpg"

    def put_view(self, doc_id: str, page_no: int, geometry: str, jpeg: bytes) -> None:
        _keep(self.view_path(doc_id, page_no, geometry), jpeg)

    def put(self, doc_id: str, page_no: int, key: str, page: Page) -> None:
        if page.error is not None:
            return  # failures are not cached: a later run tries again
        payload = json.dumps({"format": CACHE_FORMAT, "page": page_to_json(page)},
                             ensure_ascii=False)
        _keep(self._path(doc_id, page_no, key), payload.encode("utf-8"))


def write_atomically(path: Path, data: bytes) -> None:
    """Write beside, then rename: a reader or a crash never sees half a file (the page cache's
    entries, the archive's files under .cache/archive). Raises what writing raises, the
    temporary file gone."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _keep(path: Path, data: bytes) -> None:
    """A cache entry written atomically. A cache that cannot be written only costs time,
    except a folder that cannot be made (OSError)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        write_atomically(path, data)


def geometry_key(width_px: int, height_px: int, dpi: int, skew_degrees: float,
                 rotation: int) -> str:
    """How a page was read, as text: what its boxes refer to."""
    return f"{width_px}x{height_px}@{dpi}s{skew_degrees:g}r{rotation}"


def _miss(path: Path, why: str) -> None:
    log.info("page cache entry %s is not usable (%s); reading the page again", path, why)


def _is(value: Any, *types: type) -> Any:
    """`value` when it has one of `types` (a bool is not a number), else TypeError."""
    if isinstance(value, bool) and bool not in types:
        raise TypeError(f"{value!r} is not a {types[0].__name__}")
    if not isinstance(value, types):
        raise TypeError(f"{type(value).__name__} {str(value)[:40]!r} where a "
                         f"{'/'.join(t.__name__ for t in types)} belongs")
    return value


def _opt(value: Any, *types: type) -> Any:
    return None if value is None else _is(value, *types)


def _bbox(v: Any) -> tuple[float, float, float, float] | None:
    if v is None:
        return None
    _is(v, list)
    if len(v) != 4:
        raise ValueError(f"a box of {len(v)} values")
    return tuple(float(_is(x, int, float)) for x in v)  # type: ignore[return-value]


def _box(v: Any) -> tuple[float, float, float, float]:
    box = _bbox(v)
    if box is None:
        raise ValueError("a rule without a box")
    return box


def _triple(v: Any) -> tuple[float, float, float]:
    if len(_is(v, list)) != 3:
        raise ValueError(f"a colour of {len(v)} values")
    return tuple(float(_is(x, int, float)) for x in v)  # type: ignore[return-value]


def _word(w: Any) -> Word:
    _is(w, dict)
    return Word(text=_is(w["text"], str), bbox=_bbox(w["bbox"]), conf=_opt(w["conf"], int, float))


def _line(ln: Any) -> Line:
    _is(ln, dict)
    return Line(text=_is(ln["text"], str), bbox=_bbox(ln["bbox"]),
                conf=_opt(ln["conf"], int, float), para_break=_is(ln["para_break"], bool),
                words=tuple(_word(w) for w in _is(ln["words"], list)),
                raw_text=_opt(ln.get("raw_text"), str))


def _region(r: Any) -> ColourRegion:
    _is(r, dict)
    bbox = _bbox(r["bbox"])
    if bbox is None:
        raise ValueError("a region without a box")
    return ColourRegion(bbox=bbox, rgb=_triple(r["rgb"]), lab=_triple(r["lab"]),
                        area=float(_is(r["area"], int, float)), fill=float(_is(r["fill"], int, float)),
                        readings=tuple(_reading(d) for d in _is(r["readings"], list)),
                        label_right=_opt(r["label_right"], str),
                        label_left=_opt(r["label_left"], str),
                        label_in=_opt(r["label_in"], str))


def _reading(d: Any) -> DigitReading:
    _is(d, dict)
    return DigitReading(place=_is(d["place"], str), number=_is(d["number"], int),
                        conf=float(_is(d["conf"], int, float)),
                        prefix=_is(d.get("prefix", ""), str))


def page_to_json(page: Page) -> dict[str, Any]:
    """A Page as the JSON `page_from_json` reads (its text-only PDF page in base64)."""
    record = asdict(page)
    if page.text_pdf is not None:
        record["text_pdf"] = base64.b64encode(page.text_pdf).decode("ascii")
    return record


def page_from_json(d: dict[str, Any]) -> Page:
    """A Page from its cached JSON; ValueError (or KeyError, TypeError) for anything that is not
    exactly the shape `PageCache.put` writes."""
    _is(d, dict)
    return Page(page=_is(d["page"], int), method=_is(d["method"], str),
                lines=tuple(_line(ln) for ln in _is(d["lines"], list)),
                width_px=_opt(d["width_px"], int), height_px=_opt(d["height_px"], int),
                dpi=_opt(d["dpi"], int), mean_confidence=_opt(d["mean_confidence"], int, float),
                skew_degrees=_opt(d["skew_degrees"], int, float), rotation=_is(d["rotation"], int),
                error=_opt(d["error"], str), regions=tuple(_region(r) for r in _is(d["regions"], list)),
                alto=_opt(d["alto"], str), ocr_scale=_is(d["ocr_scale"], int),
                rules=tuple(_box(b) for b in _is(d["rules"], list)),
                text_pdf=None if d["text_pdf"] is None else base64.b64decode(
                    _is(d["text_pdf"], str), validate=True))
