"""Tesseract OCR of one page image: deskew, words with boxes and confidences, lines."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pytesseract
from PIL import Image

from extractors.layout import attach_hanging_numbers
from models.errors import MissingDependency, PageError
from models.records import Line, Page, Word

LANG = "fra"
PSM = 3
PAGE_TIMEOUT_S = 180


@dataclass(frozen=True)
class OcrSettings:
    """Everything that changes what tesseract returns; part of the OCR cache key."""

    lang: str = LANG
    psm: int = PSM
    deskew: bool = True

    def key(self) -> str:
        return f"{self.lang}-psm{self.psm}-deskew{int(self.deskew)}-tess{tesseract_version()}"


DEFAULT_OCR = OcrSettings()


@lru_cache(maxsize=1)
def tesseract_version() -> str:
    return str(pytesseract.get_tesseract_version())


def check_tesseract(lang: str = LANG) -> str:
    """Fail early, before any work, when tesseract or its language data is missing."""
    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        raise MissingDependency(
            "tesseract is not installed or not on PATH; install Debian's tesseract-ocr and "
            "tesseract-ocr-fra (the README's set-up command does it)."
        )
    try:
        langs = set(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractError, OSError, subprocess.SubprocessError) as exc:
        raise MissingDependency(f"tesseract does not run ({exc}); reinstall tesseract-ocr.") from exc
    if lang not in langs:
        raise MissingDependency(
            f"tesseract has no '{lang}' language data (it has: {', '.join(sorted(langs)) or 'none'}); "
            "install Debian's tesseract-ocr-fra."
        )
    return tesseract_version()


def to_rgb(img: Image.Image) -> Image.Image:
    """Any Pillow image (16-bit, CMYK, palette, alpha) as 8-bit RGB on white."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(img, dtype=np.float64)
        top = arr.max() or 1.0
        img = Image.fromarray((arr * (255.0 / top)).astype(np.uint8), mode="L")
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, rgba)
    return img.convert("RGB")


def estimate_skew(gray: Image.Image, max_deg: float = 5.0) -> float:
    """Skew of the text lines in degrees (counter-clockwise positive), by projection profile."""
    small = gray.copy()
    small.thumbnail((900, 900))
    arr = np.asarray(small, dtype=np.uint8)
    ink = arr < min(160, int(arr.mean()) - 30)
    if ink.sum() < 200:
        return 0.0
    mask = Image.fromarray((ink * 255).astype(np.uint8))

    def score(angle: float) -> float:
        rows = np.asarray(mask.rotate(angle, resample=Image.Resampling.NEAREST), dtype=np.float64)
        profile = rows.sum(axis=1)
        return float(np.square(np.diff(profile)).sum())

    best = max(np.arange(-max_deg, max_deg + 1e-9, 0.5), key=score)
    fine = np.arange(best - 0.5, best + 0.5 + 1e-9, 0.1)
    best = max(fine, key=score)
    return -round(float(best), 2)


def deskew(img: Image.Image) -> tuple[Image.Image, float]:
    skew = estimate_skew(img.convert("L"))
    if abs(skew) < 0.15:
        return img, 0.0
    return img.rotate(-skew, resample=Image.Resampling.BICUBIC, fillcolor="white"), skew


def ocr_page(img: Image.Image, page_no: int, dpi: int, settings: OcrSettings = DEFAULT_OCR,
             timeout: float = PAGE_TIMEOUT_S) -> tuple[Page, Image.Image]:
    """OCR one page image; returns the page and the (deskewed, RGB) image its boxes refer to."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    rgb = to_rgb(img)
    skew = 0.0
    if settings.deskew:
        rgb, skew = deskew(rgb)
    gray = rgb.convert("L")
    with tempfile.TemporaryDirectory(prefix="missions-ocr-") as tmp:
        bmp = os.path.join(tmp, "page.bmp")
        gray.save(bmp, format="BMP")  # BMP: encoding is ~free, unlike PNG
        try:
            data = pytesseract.image_to_data(
                bmp, lang=settings.lang, config=f"--psm {settings.psm} --dpi {dpi}",
                output_type=pytesseract.Output.DICT, timeout=timeout,
            )
        except RuntimeError as exc:  # pytesseract raises RuntimeError on timeout
            raise PageError(f"tesseract took longer than {timeout:.0f} s on this page") from exc
        except pytesseract.TesseractError as exc:
            raise PageError(f"tesseract failed on this page: {exc.message.strip()[:200]}") from exc
    lines = attach_hanging_numbers(lines_from_tesseract(data), rgb.width)
    confs = [w.conf for ln in lines for w in ln.words if w.conf is not None]
    page = Page(
        page=page_no, method="ocr", lines=tuple(lines), width_px=rgb.width, height_px=rgb.height,
        dpi=dpi, mean_confidence=round(float(np.mean(confs)), 2) if confs else None,
        skew_degrees=skew, rotation=0,
    )
    return page, rgb


def lines_from_tesseract(data: dict[str, list]) -> list[Line]:
    """Group tesseract's words into lines in its reading order; blocks/paragraphs mark breaks."""
    groups: dict[tuple[int, int, int], list[Word]] = {}
    order: list[tuple[int, int, int]] = []
    for i, text in enumerate(data["text"]):
        text = (text or "").strip()
        conf = float(data["conf"][i])
        if not text or conf < 0:
            continue
        key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
        x, y = float(data["left"][i]), float(data["top"][i])
        word = Word(text=text, bbox=(x, y, x + float(data["width"][i]), y + float(data["height"][i])),
                    conf=conf)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(word)
    lines: list[Line] = []
    prev: tuple[int, int, int] | None = None
    for key in order:
        words = groups[key]
        bbox = (min(w.bbox[0] for w in words), min(w.bbox[1] for w in words),  # type: ignore[index]
                max(w.bbox[2] for w in words), max(w.bbox[3] for w in words))  # type: ignore[index]
        conf = float(np.mean([w.conf for w in words]))
        para_break = prev is not None and key[:2] != prev[:2]
        lines.append(Line(text=" ".join(w.text for w in words), bbox=bbox, conf=round(conf, 2),
                          para_break=para_break, words=tuple(words)))
        prev = key
    return lines
