"""Tesseract OCR of one page image: orientation, deskew, words with boxes and confidences, lines."""
from __future__ import annotations

import itertools
import math
import os
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType

import numpy as np
from PIL import Image

from extractors.alto import page_alto
from extractors.engines import OcrFailed, OcrTimeout, engine, parse_tsv
from extractors.layout import attach_hanging_numbers
from models.errors import MissingDependency, PageError
from models.records import Line, Page, Word

LANG = "fra"
PSM = 3
PAGE_TIMEOUT_S = 180
PAGE_TIMEOUT_ENV = "MISSIONS_PAGE_TIMEOUT"  # seconds one page may take; overrides PAGE_TIMEOUT_S
MISREAD_CONFIDENCE = 70.0  # below this mean word confidence, check the page's orientation
MIN_OSD_CONFIDENCE = 1.0  # tesseract's orientation confidence below which the page is not turned
LOW_DPI = 150  # pages scanned under this dpi are enlarged for tesseract ...
UPSCALE_TO = 200  # ... to about this dpi (part of the OCR cache key)
ORIENT_VERSION = 2  # bump when the orientation check changes what is read (2: sideways words)
SIDEWAYS_SHARE = 0.4  # this share of a page's words standing taller than wide: read sideways
MIN_SIDEWAYS_WORDS = 5  # ... counted over words of 3+ letters, at least this many of them


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
                f"-tess{tesseract_version()}")


DEFAULT_OCR = OcrSettings()
DESKEW_VERSION = 3  # bump when the deskew changes the image tesseract sees (3: OpenCV, grayscale)
MIN_SKEW_DEG = 0.15  # a page leaning less than this is read as it is


@lru_cache(maxsize=1)
def _cv2() -> ModuleType:
    """OpenCV on first use: only the readers turn pages (it is preloaded there), and with one
    thread, since there is one page per core already (its own threads would only contend)."""
    import cv2

    cv2.setNumThreads(1)
    return cv2


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
    small.thumbnail((700, 700))
    arr = np.asarray(small, dtype=np.uint8)
    ink = arr < min(160, int(arr.mean()) - 30)
    if ink.sum() < 200:
        return 0.0
    mask = ink.astype(np.uint8)
    h, w = mask.shape
    cv2 = _cv2()

    def score(angle: float) -> float:
        turned = cv2.warpAffine(mask, _rotation(angle, (w / 2, h / 2)), (w, h),
                                flags=cv2.INTER_NEAREST)
        profile = turned.sum(axis=1, dtype=np.float64)
        return float(np.square(np.diff(profile)).sum())

    best = max(np.arange(-max_deg, max_deg + 1e-9, 1.0), key=score)
    fine = np.arange(best - 0.6, best + 0.6 + 1e-9, 0.1)
    best = max(fine, key=score)
    return -round(float(best), 2)


def _rotation(degrees: float, centre: tuple[float, float]) -> np.ndarray:
    """The affine map of a turn by `degrees` counter-clockwise about `centre` (PIL's convention)."""
    return _cv2().getRotationMatrix2D(centre, degrees, 1.0)


def rotated(img: Image.Image, degrees: float) -> Image.Image:
    """`img.rotate(degrees, BILINEAR, fillcolor=white)` at OpenCV's speed (~4× PIL's here)."""
    arr = np.asarray(img)
    fill = 255 if arr.ndim == 2 else (255,) * arr.shape[2]
    matrix = _rotation(degrees, (img.width / 2, img.height / 2))
    cv2 = _cv2()
    out = cv2.warpAffine(arr, matrix, (img.width, img.height), flags=cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_CONSTANT, borderValue=fill)
    return Image.fromarray(out, mode=img.mode)


class StraightPage:
    """A page image as it would look deskewed, without straightening all of it: pieces are cut
    from the original on demand (`crop`), and a reduced copy is made whole (`reduced`)."""

    def __init__(self, rgb: Image.Image, skew: float) -> None:
        self.rgb, self.skew = rgb, skew
        self.width, self.height = rgb.width, rgb.height
        self._pixels: np.ndarray | None = None  # the page as an array, made on the first cut

    def _array(self) -> np.ndarray:
        if self._pixels is None:
            self._pixels = np.asarray(self.rgb)
        return self._pixels

    def crop(self, box: tuple[int, int, int, int]) -> Image.Image:
        """The box of the deskewed page (page pixels), as an RGB image."""
        x0, y0, x1, y1 = box
        size = (max(1, x1 - x0), max(1, y1 - y0))
        if not self.skew:
            return self.rgb.crop(box)
        matrix = _rotation(-self.skew, (self.width / 2, self.height / 2))
        matrix[:, 2] -= (x0, y0)
        cv2 = _cv2()
        out = cv2.warpAffine(self._array(), matrix, size, flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_CONSTANT, borderValue=(255, 255, 255))
        return Image.fromarray(out, mode="RGB")

    def reduced(self, factor: int) -> Image.Image:
        """The deskewed page at 1/factor of its size (box-averaged, then turned)."""
        small = self.rgb.reduce(factor) if factor > 1 else self.rgb
        return rotated(small, -self.skew) if self.skew else small


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
                 budget: _Budget, rotation: int) -> tuple[Page, StraightPage]:
    """Tesseract on the page's grayscale, deskewed first: only the gray page is turned in full,
    the colour one is turned piecewise later (`StraightPage`), which costs a fraction."""
    gray = rgb.convert("L")
    skew = estimate_skew(gray) if settings.deskew else 0.0
    if abs(skew) < MIN_SKEW_DEG:
        skew = 0.0
    straight = rotated(gray, -skew) if skew else gray
    factor = upscale_factor(dpi)
    if factor > 1:  # a low-resolution scan is enlarged for tesseract, its boxes brought back
        straight = straight.resize((straight.width * factor, straight.height * factor),
                                   Image.Resampling.LANCZOS)
    read = _read_renderers(straight, page_no, dpi * factor, settings, budget)
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
        alto=page_alto(read["alto"], read["tsv"], factor, (rgb.width, rgb.height), dpi, skew,
                       rotation),
    )
    return page, StraightPage(rgb, skew)


def _read_renderers(image: Image.Image, page_no: int, dpi: int, settings: OcrSettings,
                    budget: _Budget) -> dict[str, bytes]:
    """The page's words (TSV), ALTO and text-only PDF page from one pass of the OCR engine."""
    config = f"--psm {settings.psm} --dpi {dpi} -c textonly_pdf=1"
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


def _confident_mass(page: Page) -> float:
    """How much confidently read text a page holds: the sum of its words' confidences >= 50."""
    return sum(w.conf for ln in page.lines for w in ln.words if w.conf is not None and w.conf >= 50)


def _looks_misread(page: Page, rgb: Image.Image | None) -> bool:
    if page.mean_confidence is not None:
        return page.mean_confidence < MISREAD_CONFIDENCE
    if rgb is None:
        return True
    small = rgb.convert("L")
    small.thumbnail((600, 600))
    return float((np.asarray(small) < 128).mean()) > 0.002  # ink, yet no word read


def _long_words(page: Page) -> list[Word]:
    return [w for ln in page.lines for w in ln.words
            if w.bbox is not None and sum(c.isalpha() for c in w.text) >= 3]


def sideways_turn(page: Page) -> int:
    """The clockwise quarter turn (90 or 270) that sets upright a page tesseract read sideways,
    from the shape of its word boxes alone; 0 when the page reads upright.

    Tesseract reads a page turned a quarter turn as vertical text, often at high confidence:
    its words then stand taller than wide. Along such a line the words run down the page
    (the page was turned clockwise: turn it 270) or up it (turned counter-clockwise: 90) —
    which tells the turn only when the words were read well (a confident reading).
    """
    words = _long_words(page)
    tall = [w for w in words if w.bbox[3] - w.bbox[1] > w.bbox[2] - w.bbox[0]]  # type: ignore[index]
    if len(tall) < MIN_SIDEWAYS_WORDS or len(tall) < SIDEWAYS_SHARE * len(words):
        return 0
    down = up = 0
    for ln in page.lines:
        ys = [(w.bbox[1] + w.bbox[3]) / 2 for w in ln.words if w.bbox is not None]
        for a, b in itertools.pairwise(ys):
            down += b > a
            up += b < a
    if down == up:
        return 0
    return 270 if down > up else 90


def _upright_share(page: Page) -> float:
    """Share of a page's words of 3+ letters that stand wider than tall (1.0 when it has none)."""
    words = _long_words(page)
    if not words:
        return 1.0
    wide = sum(1 for w in words if w.bbox[2] - w.bbox[0] >= w.bbox[3] - w.bbox[1])  # type: ignore[index]
    return wide / len(words)


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
    lines allow are tried). A turned page is read again and the better reading kept (`Page.rotation` = the clockwise turn applied). Every tesseract call of
    the page shares one time budget (`timeout`, default `page_timeout()`); PageError when it
    runs out.
    """
    budget = _Budget(page_no, page_timeout() if timeout is None else timeout)
    rgb = to_rgb(img)
    page, used = _read_turned(rgb, page_no, dpi, settings, budget, rotation=0)
    if not settings.orient:
        return page, used
    misread = _looks_misread(page, rgb)
    sideways = 0 if misread else sideways_turn(page)  # words run the right way only if read well
    turn = sideways or (detect_rotation(rgb, budget, upscale_factor(dpi)) if misread else 0)
    turns = [turn] if turn else (_likely_turns(rgb) if misread else [])
    for turn in turns:  # OSD could not tell (too little text at this resolution): try them
        turned = rgb.rotate(-turn, expand=True)  # PIL turns counter-clockwise
        again, again_used = _read_turned(turned, page_no, dpi, settings, budget, rotation=turn)
        if _better(again, page, sideways=bool(sideways)):
            page, used = again, again_used
    return page, used


def _likely_turns(rgb: Image.Image) -> list[int]:
    """The turns to try on a page read badly that OSD could not place: its ink's lines run
    across the page (upside down: 180) or down it (a quarter turn, either way: 90, 270)."""
    small = rgb.convert("L")
    small.thumbnail((700, 700))
    arr = np.asarray(small, dtype=np.uint8)
    ink = (arr < min(160, int(arr.mean()) - 30)).astype(np.float64)
    if ink.sum() < 200:
        return []
    rows = float(np.square(np.diff(ink.sum(axis=1))).sum())
    cols = float(np.square(np.diff(ink.sum(axis=0))).sum())
    return [90, 270] if cols > rows else [180]


def _better(again: Page, first: Page, sideways: bool) -> bool:
    """Whether the turned reading replaces the first one: it holds more confidently read text,
    or, for a page read sideways, its words stand upright and it holds about as much text."""
    if _confident_mass(again) > _confident_mass(first):
        return True
    return (sideways and not _looks_misread(again, None) and _upright_share(again) >
            _upright_share(first) and _confident_mass(again) >= 0.6 * _confident_mass(first))


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
