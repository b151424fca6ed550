"""Tesseract on one page image: its settings and time budget, the reading (deskewed; turned and
read again when it stands wrong), its words with boxes and confidences, and its lines."""
from __future__ import annotations

import math
import os
import re
import time
from dataclasses import dataclass

import numpy as np
from PIL import Image

from extractors.alto import page_alto
from extractors.engines import OcrFailed, OcrTimeout, engine, parse_tsv
from extractors.inkcover import (
    LOCAL_GAIN,
    LOCAL_THRESHOLD,
    LOCAL_VERSION,
    UNREAD_SHARE,
    unread_share,
)
from extractors.layout import attach_hanging_numbers
from extractors.orientation import (
    ORIENT_VERSION,
    confident_mass,
    likely_turns,
    looks_misread,
    reads_better,
    sideways_turn,
)
from extractors.pageimage import (
    DESKEW_VERSION,
    MIN_SKEW_DEG,
    UNRULED_VERSION,
    StraightPage,
    estimate_skew,
    rotated,
    to_rgb,
    without_rules,
)
from extractors.pageimage import opencv as _cv2
from models.errors import MissingDependency, PageError
from models.records import Line, Page, Word

# StraightPage and _cv2 are passed on for the marks' text (extractors/marktext.py, marktiles.py,
# marklabels.py) and regions.py, which import them from here (their home: extractors/pageimage.py)
__all__ = ["DEFAULT_OCR", "LANG", "PAGE_TIMEOUT_ENV", "OcrSettings", "StraightPage", "_cv2",
           "check_tesseract", "detect_rotation", "has_osd", "lines_from_tesseract", "ocr_page",
           "page_timeout", "tesseract_version", "upscale_factor"]

LANG = "fra"
PSM = 3
PAGE_TIMEOUT_S = 180
PAGE_TIMEOUT_ENV = "MISSIONS_PAGE_TIMEOUT"  # seconds one page may take; overrides PAGE_TIMEOUT_S
MIN_OSD_CONFIDENCE = 1.0  # tesseract's orientation confidence below which the page is not turned
LOW_DPI = 150  # pages scanned under this dpi are enlarged for tesseract ...
UPSCALE_TO = 200  # ... to about this dpi (part of the OCR cache key)


def page_timeout() -> float:
    """Seconds one page may take to read: $MISSIONS_PAGE_TIMEOUT, else PAGE_TIMEOUT_S."""
    try:
        value = float(os.environ.get(PAGE_TIMEOUT_ENV, ""))
    except ValueError:
        return float(PAGE_TIMEOUT_S)
    return value if value > 0 else float(PAGE_TIMEOUT_S)


@dataclass(frozen=True)
class OcrSettings:
    """Everything that changes what tesseract returns; part of the OCR cache key."""

    lang: str = LANG
    psm: int = PSM
    deskew: bool = True
    orient: bool = True  # detect pages turned 90/180/270 degrees (tesseract OSD) and turn them

    def key(self) -> str:
        deskew = f"v{DESKEW_VERSION}" if self.deskew else "0"
        orient = f"v{ORIENT_VERSION}" if self.orient else "0"
        return (f"{self.lang}-psm{self.psm}-deskew{deskew}-orient{orient}-low{UPSCALE_TO}"
                f"-unruled{UNRULED_VERSION}-local{LOCAL_VERSION}-tess{tesseract_version()}")


DEFAULT_OCR = OcrSettings()


def tesseract_version() -> str:
    """What identifies the OCR engine's answers: tesseract's version (marked when recorded)."""
    return engine().version()


def check_tesseract(lang: str = LANG) -> str:
    """Fail early, before any work, when tesseract or its language data is missing."""
    ocr = engine()
    ocr.check()
    langs = ocr.languages()
    if lang not in langs:
        raise MissingDependency(
            f"tesseract has no '{lang}' language data (it has: {', '.join(sorted(langs)) or 'none'}); "
            "install Debian's tesseract-ocr-fra."
        )
    return tesseract_version()


def has_osd() -> bool:
    """Whether tesseract has its orientation data (Debian's tesseract-ocr-osd)."""
    try:
        return "osd" in engine().languages()
    except MissingDependency:
        return False


class _Budget:
    """The time left for one page's tesseract calls, and the error when it runs out."""

    def __init__(self, page_no: int, seconds: float) -> None:
        self.page_no, self.seconds = page_no, seconds
        self.deadline = time.monotonic() + seconds

    def left(self) -> float:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise self.exceeded()
        return max(1.0, remaining)

    def exceeded(self) -> PageError:
        return PageError(f"page {self.page_no} took longer than {self.seconds:.0f} s to read and "
                         "was stopped; re-scan it at a lower resolution, or raise "
                         f"{PAGE_TIMEOUT_ENV} (seconds)")


def _run_tesseract(gray: Image.Image, output: str, config: str, lang: str,
                   budget: _Budget) -> bytes:
    """One call of the OCR engine on a grayscale image, within the page's time budget."""
    try:
        return engine().run(gray, lang=lang, config=config, outputs=(output,),
                            timeout=budget.left())[output]
    except OcrTimeout as exc:
        raise budget.exceeded() from exc


def _read_turned(rgb: Image.Image, page_no: int, dpi: int, settings: OcrSettings,
                 budget: _Budget, rotation: int, local: bool = False
                 ) -> tuple[Page, StraightPage, Image.Image]:
    """Tesseract on the page's grayscale, deskewed and its rules erased first (`without_rules`):
    only the gray page is turned in full,
    the colour one is turned piecewise later (`StraightPage`), which costs a fraction. With
    `local`, tesseract thresholds the page tile by tile. Also returns the grayscale page
    tesseract was given (before any enlarging), to judge how much of it was read."""
    gray = rgb.convert("L")
    skew = estimate_skew(gray) if settings.deskew else 0.0
    if abs(skew) < MIN_SKEW_DEG:
        skew = 0.0
    straight, rules = without_rules(rotated(gray, -skew) if skew else gray, dpi)
    # a low-resolution scan is enlarged for tesseract, its boxes brought back
    factor = upscale_factor(dpi)
    read = _read_renderers(straight.resize((straight.width * factor, straight.height * factor),
                                           Image.Resampling.LANCZOS) if factor > 1 else straight,
                           page_no, dpi * factor, settings, budget, local)
    data = parse_tsv(read["tsv"])
    if factor > 1:
        for name in ("left", "top", "width", "height"):
            data[name] = [float(v) / factor for v in data[name]]
    lines = attach_hanging_numbers(lines_from_tesseract(data), rgb.width)
    confs = [w.conf for ln in lines for w in ln.words if w.conf is not None]
    page = Page(
        page=page_no, method="ocr", lines=tuple(lines), width_px=rgb.width, height_px=rgb.height,
        dpi=dpi, mean_confidence=round(float(np.mean(confs)), 2) if confs else None,
        skew_degrees=skew, rotation=rotation, text_pdf=read["pdf"], ocr_scale=factor,
        rules=tuple((float(x0), float(y0), float(x1), float(y1)) for x0, y0, x1, y1 in rules),
        alto=page_alto(read["alto"], read["tsv"], factor, (rgb.width, rgb.height), dpi, skew,
                       rotation),
    )
    return page, StraightPage(rgb, skew), straight


def _read_renderers(image: Image.Image, page_no: int, dpi: int, settings: OcrSettings,
                    budget: _Budget, local: bool = False) -> dict[str, bytes]:
    """The page's words (TSV), ALTO and text-only PDF page from one pass of the OCR engine
    (thresholded tile by tile with `local`)."""
    config = f"--psm {settings.psm} --dpi {dpi} -c textonly_pdf=1"
    if local:
        config += f" {LOCAL_THRESHOLD}"
    try:
        return engine().run(image, lang=settings.lang, config=config,
                            outputs=("tsv", "alto", "pdf"), timeout=budget.left())
    except OcrTimeout as exc:
        raise budget.exceeded() from exc
    except OcrFailed as exc:
        raise PageError(f"tesseract failed on page {page_no} ({exc.message.strip()[:200]}); "
                        "re-scan or re-export it") from exc


def upscale_factor(dpi: int) -> int:
    """How much a page scanned at `dpi` is enlarged for tesseract: text under ~150 dpi has
    letters too small for it (a 10 pt x-height is 7 pixels at 100 dpi), so it is read at
    about UPSCALE_TO dpi; 1 for other pages."""
    return math.ceil(UPSCALE_TO / dpi) if dpi < LOW_DPI else 1


def detect_rotation(rgb: Image.Image, budget: _Budget, factor: int = 1) -> int:
    """Clockwise quarter turn (0, 90, 180, 270) that sets the page upright, by tesseract OSD.

    0 when tesseract cannot tell (too little text, or no `osd` data installed).
    """
    try:
        gray = rgb.convert("L")
        if factor > 1:  # a low-resolution scan, enlarged as for reading it
            gray = gray.resize((gray.width * factor, gray.height * factor),
                               Image.Resampling.LANCZOS)
        osd = _run_tesseract(gray, "osd", "", "osd", budget).decode("utf-8")
    except (OcrFailed, UnicodeDecodeError):
        return 0
    turn = re.search(r"Rotate:\s*(\d+)", osd)
    conf = re.search(r"Orientation confidence:\s*([\d.]+)", osd)
    if not turn or not conf or float(conf.group(1)) < MIN_OSD_CONFIDENCE:
        return 0
    value = int(turn.group(1)) % 360
    return value if value in (90, 180, 270) else 0


def ocr_page(img: Image.Image, page_no: int, dpi: int, settings: OcrSettings = DEFAULT_OCR,
             timeout: float | None = None) -> tuple[Page, StraightPage]:
    """OCR one page image; returns the page and the (turned, deskewed) page its boxes refer to.

    A page whose words stand taller than wide was read sideways, however confidently: it is
    turned the way its words run and read again (no extra call for an upright page). A page
    read with low confidence (or not at all, though it has ink) is checked for a quarter or
    half turn with tesseract's orientation detection (when it cannot tell, the turns its ink's
    lines allow are tried). A turned page is read again and the better reading kept
    (`Page.rotation` = the clockwise turn applied). A reading that left much of the page's text
    out (`extractors/inkcover.py`: grey text on a tinted panel, a shaded photo)
    is read again with a threshold set tile by tile, and that reading kept when it holds clearly
    more confidently read text. Every tesseract call of the page shares one time budget
    (`timeout`, default `page_timeout()`); PageError when it runs out.
    """
    budget = _Budget(page_no, page_timeout() if timeout is None else timeout)
    rgb = to_rgb(img)
    page, used, straight = _read_turned(rgb, page_no, dpi, settings, budget, rotation=0)
    source = rgb
    if settings.orient:
        page, used, straight, source = _orient(page, used, straight, rgb, page_no, dpi,
                                               settings, budget)
    if unread_share(straight, dpi, page.lines) > UNREAD_SHARE:
        again, again_used, _straight = _read_turned(source, page_no, dpi, settings, budget,
                                                    rotation=page.rotation, local=True)
        if confident_mass(again) > LOCAL_GAIN * confident_mass(page):
            page, used = again, again_used
    return page, used


def _orient(page: Page, used: StraightPage, straight: Image.Image, rgb: Image.Image,
            page_no: int, dpi: int, settings: OcrSettings, budget: _Budget
            ) -> tuple[Page, StraightPage, Image.Image, Image.Image]:
    """The reading of the page turned the way it stands (see `ocr_page`), with the grayscale
    page tesseract was given and the page image it was read from."""
    source = rgb
    misread = looks_misread(page, rgb)
    sideways = 0 if misread else sideways_turn(page)  # words run the right way only if read well
    turn = sideways or (detect_rotation(rgb, budget, upscale_factor(dpi)) if misread else 0)
    turns = [turn] if turn else (likely_turns(rgb) if misread else [])
    for turn in turns:  # OSD could not tell (too little text at this resolution): try them
        turned = rgb.rotate(-turn, expand=True)  # PIL turns counter-clockwise
        again, again_used, again_straight = _read_turned(turned, page_no, dpi, settings,
                                                         budget, rotation=turn)
        if reads_better(again, page, sideways=bool(sideways)):
            page, used, straight, source = again, again_used, again_straight, turned
    return page, used, straight, source


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
