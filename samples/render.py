"""Synthetic page renderer for the `missions` sample documents.

Everything is laid out once, in PDF points on an A4 portrait page (origin top-left,
y downwards), as a list of drawing operations (`Page`). The same layout is then either
rasterised with Pillow at any dpi (`rasterize`, `render_*_page`) or written as a
born-digital PDF with reportlab, with a real text layer and vector marks
(`write_pdf_pages`, `write_born_digital_pdf`). `degrade` turns a clean raster page into
a scan-like one (skew, noise, blur, JPEG round-trip). Every function is deterministic:
the only randomness is `degrade`'s, drawn from its `seed`.

Font sizes are given in points, so a body of 10.5 pt is 10.5 * dpi / 72 pixels high on a
page rendered at `dpi`.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

# ---------------------------------------------------------------------------------------
# constants

A4 = (595.2756, 841.8898)  # points
FONT_DIR = "/usr/share/fonts/truetype"
DEJAVU_SANS = f"{FONT_DIR}/dejavu/DejaVuSans.ttf"
DEJAVU_SANS_CONDENSED = f"{FONT_DIR}/dejavu/DejaVuSansCondensed.ttf"
DEJAVU_SERIF = f"{FONT_DIR}/dejavu/DejaVuSerif.ttf"
LIBERATION_SANS = f"{FONT_DIR}/liberation/LiberationSans-Regular.ttf"
LIBERATION_SERIF = f"{FONT_DIR}/liberation/LiberationSerif-Regular.ttf"

STATUSES = ("tres_satisfaisant", "satisfaisant", "retard_explique", "remis_en_cause")
DEFAULT_LEGEND = [
    ("tres_satisfaisant", "Très satisfaisant"),
    ("satisfaisant", "Satisfaisant"),
    ("retard_explique", "Retard expliqué"),
    ("remis_en_cause", "Remis en cause"),
]
PALETTE_GREENS = {
    "tres_satisfaisant": (0, 122, 61),
    "satisfaisant": (132, 196, 65),
    "retard_explique": (243, 146, 0),
    "remis_en_cause": (208, 32, 39),
}
PALETTE_BLUES = {
    "tres_satisfaisant": (18, 62, 150),
    "satisfaisant": (96, 166, 226),
    "retard_explique": (246, 204, 30),
    "remis_en_cause": (128, 48, 150),
}
NUMBERING_STYLES = ("dot", "mesure", "paren", "n", "M")
MARK_LAYOUTS = ("line", "table", "strip")
MARK_SHAPES = ("square", "disc")

BLACK = (0, 0, 0)
WHITE = (255, 255, 255)


def format_number(n: int, style: str) -> str:
    """The printed prefix of measure `n` in numbering `style`."""
    if style == "dot":
        return f"{n}."
    if style == "mesure":
        return f"Mesure {n} —"
    if style == "paren":
        return f"{n})"
    if style == "n":
        return f"n°{n}"
    if style == "M":
        return f"M{n}"
    raise ValueError(f"unknown numbering style {style!r}")


def bold_variant(path: str) -> str:
    """Path of the bold face of a regular TTF font (falls back to `path` itself)."""
    d, base = os.path.split(path)
    stem, ext = os.path.splitext(base)
    candidates = []
    if stem.endswith("-Regular"):
        candidates.append(stem[: -len("-Regular")] + "-Bold")
    candidates.append(stem + "-Bold")
    for c in candidates:
        p = os.path.join(d, c + ext)
        if os.path.exists(p):
            return p
    return path


# ---------------------------------------------------------------------------------------
# text measurement

_MEASURE_PX = 400  # reference pixel size used to measure advance widths


@lru_cache(maxsize=256)
def _pil_font(path: str, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size_px)


def text_width(text: str, font: str, size: float) -> float:
    """Advance width of `text` in points at `size` pt."""
    return _pil_font(font, _MEASURE_PX).getlength(text) * size / _MEASURE_PX


def _tokens(text: str) -> list[str]:
    """Words to wrap, with French guillemets kept on the line of the word they enclose
    (as a non-breaking space would); the printed spaces stay ordinary spaces."""
    out: list[str] = []
    glue_next = False
    for w in text.split(" "):
        if out and (glue_next or w in ("»", ":", ";", "!", "?")):
            out[-1] += " " + w
        else:
            out.append(w)
        glue_next = w == "«"
    return out


def wrap(
    text: str, font: str, size: float, width: float, first_width: float | None = None
) -> list[str]:
    """Greedy word wrap of `text` into lines no wider than `width` points (the first line
    no wider than `first_width`, when given)."""
    lines: list[str] = []
    cur = ""
    for word in _tokens(text):
        cand = word if not cur else cur + " " + word
        limit = first_width if (first_width is not None and not lines) else width
        if cur and text_width(cand, font, size) > limit:
            lines.append(cur)
            cur = word
        else:
            cur = cand
    if cur:
        lines.append(cur)
    return lines


# ---------------------------------------------------------------------------------------
# drawing operations


@dataclass
class Text:
    x: float  # left edge, points
    y: float  # baseline, points from the top
    text: str
    font: str
    size: float
    color: tuple = BLACK


@dataclass
class Box:
    x: float  # top-left corner
    y: float
    w: float
    h: float
    fill: tuple | None = None
    stroke: tuple | None = None
    stroke_width: float = 0.5


@dataclass
class Disc:
    cx: float
    cy: float
    r: float
    fill: tuple = BLACK


@dataclass
class Page:
    ops: list = field(default_factory=list)
    width: float = A4[0]
    height: float = A4[1]
    meta: dict = field(default_factory=dict)

    def text(self, x, y, s, font, size, color=BLACK):
        self.ops.append(Text(x, y, s, font, size, color))

    def box(self, x, y, w, h, fill=None, stroke=None, stroke_width=0.5):
        self.ops.append(Box(x, y, w, h, fill, stroke, stroke_width))

    def disc(self, cx, cy, r, fill=BLACK):
        self.ops.append(Disc(cx, cy, r, fill))

    def mark(self, shape, cx, cy, size, fill):
        """A filled square or disc of side/diameter `size`, centred on (cx, cy)."""
        if shape == "disc":
            self.disc(cx, cy, size / 2, fill)
        elif shape == "square":
            self.box(cx - size / 2, cy - size / 2, size, size, fill=fill)
        else:
            raise ValueError(f"unknown mark shape {shape!r}")


# ---------------------------------------------------------------------------------------
# specs


@dataclass
class ReportSpec:
    """A measures page: numbered measures grouped under dimension headings, with a
    coloured status mark per measure, a legend and a summary sentence."""

    measures: list  # [(number, title, dimension, status)], in printed order
    dimension_headings: dict  # dimension -> heading text (printing order = dict order)
    title: str = "Niveau d'avancement des mesures"
    numbering: str = "dot"  # dot | mesure | paren | n | M
    # hanging: number in its own gutter, title lines aligned after it; None = hanging for
    # short prefixes (dot, paren, n, M), inline ("Mesure 7 — Title…") for "mesure".
    hanging: bool | None = None
    font: str = DEJAVU_SANS
    palette: dict = field(default_factory=lambda: dict(PALETTE_GREENS))
    mark_layout: str = "line"  # line | table | strip
    mark_shape: str = "square"  # square | disc
    tinted_headings: bool = False
    tint: tuple = (226, 239, 226)
    summary: str = ""  # summary sentence, printed as a paragraph under the title
    legend: list = field(default_factory=lambda: list(DEFAULT_LEGEND))  # [(status, label)]
    legend_title: str = "Légende du niveau d'avancement"
    strip_heading: str = "Niveau d'avancement"
    strip_per_row: int = 11
    table_headers: tuple = ("N°", "Mesure", "Avancement")
    body_pt: float = 10.5
    heading_pt: float = 11.0
    title_pt: float = 15.0
    margin: float = 54.0
    mark_size: float = 13.0
    legend_swatch: float | None = 9.0  # legend swatch size; None = mark_size
    legend_gap: float = 9.0  # space between a swatch and its label
    mark_column: float = 64.0  # width reserved at the right for the marks (line layout)
    measure_gap: float = 3.2  # extra space between two measures, points
    text_color: tuple = BLACK
    heading_color: tuple = BLACK


@dataclass
class ResultsSpec:
    """A results / overview page: title, lead sentence, sections of numbered or bulleted items."""

    title: str
    subtitle: str = ""
    lead: str = ""
    paragraphs: list = field(default_factory=list)  # printed after the lead
    sections: list = field(default_factory=list)  # [(heading, [items], "numbered"|"bullet")]
    footer: str = ""
    body_pt: float = 11.0
    heading_pt: float = 13.0
    title_pt: float = 22.0
    lead_pt: float = 14.0
    margin: float = 62.0
    accent: tuple = (0, 96, 64)


@dataclass
class LetterSpec:
    """A cover letter."""

    letterhead: str
    sender_address: str
    recipient_lines: list
    place_date: str
    subject: str  # without the "Objet :" prefix
    salutation: str
    paragraphs: list
    closing: str
    signature_role: str
    signature_name: str
    body_pt: float = 11.0
    letterhead_pt: float = 20.0
    margin: float = 64.0
    block_x: float = 275.0  # left edge of the recipient / signature blocks
    letterhead_color: tuple = (0, 84, 60)


# ---------------------------------------------------------------------------------------
# layouts


def _ascent(size):
    return 0.76 * size


def _paragraph(page, x, y, text, font, size, width, leading=1.3, color=BLACK):
    """Lay out a wrapped paragraph whose first line's top is at `y`; return the new y."""
    for line in wrap(text, font, size, width):
        page.text(x, y + _ascent(size), line, font, size, color)
        y += size * leading
    return y


def _legend(page, spec: ReportSpec, x, y, width):
    bold = bold_variant(spec.font)
    size = spec.body_pt
    page.text(x, y + _ascent(size), spec.legend_title, bold, size, spec.heading_color)
    y += size * 1.45
    sw = spec.legend_swatch or spec.mark_size
    gap = spec.legend_gap
    cx = x
    row_h = size * 1.5
    for status, label in spec.legend:
        item_w = sw + gap + text_width(label, spec.font, size)
        if cx > x and cx + item_w > x + width:
            cx = x
            y += row_h
        base = y + _ascent(size)
        page.mark(spec.mark_shape, cx + sw / 2, base - 0.36 * size, sw, spec.palette[status])
        page.text(cx + sw + gap, base, label, spec.font, size, spec.text_color)
        cx += item_w + 22
    return y + row_h


def _dimension_heading(page, spec: ReportSpec, text, x, y, width):
    bold = bold_variant(spec.font)
    size = spec.heading_pt
    pad = 4.0
    lines = wrap(text, bold, size, width - 2 * pad)
    h = len(lines) * size * 1.25 + 2 * pad
    if spec.tinted_headings:
        page.box(x - pad, y, width + 2 * pad, h, fill=spec.tint)
    yy = y + pad
    for line in lines:
        page.text(x, yy + _ascent(size), line, bold, size, spec.heading_color)
        yy += size * 1.25
    return y + h


def layout_measures_page(spec: ReportSpec) -> Page:
    if spec.numbering not in NUMBERING_STYLES:
        raise ValueError(f"unknown numbering style {spec.numbering!r}")
    if spec.mark_layout not in MARK_LAYOUTS:
        raise ValueError(f"unknown mark layout {spec.mark_layout!r}")
    page = Page()
    bold = bold_variant(spec.font)
    L = spec.margin
    R = page.width - spec.margin
    W = R - L
    y = spec.margin - 8
    page.meta.update(wrapped=[], marks={}, numbering=spec.numbering, layout=spec.mark_layout)

    y = _paragraph(page, L, y, spec.title, bold, spec.title_pt, W, 1.25, spec.heading_color)
    y += 6
    if spec.summary:
        y = _paragraph(page, L, y, spec.summary, spec.font, spec.body_pt, W, 1.3, spec.text_color)
        y += 10

    size = spec.body_pt
    lead = size * 1.27
    prefixes = {m[0]: format_number(m[0], spec.numbering) for m in spec.measures}
    indent = max(text_width(p, spec.font, size) for p in prefixes.values()) + size * 0.55
    hanging = spec.hanging if spec.hanging is not None else spec.numbering != "mesure"

    if spec.mark_layout == "table":
        y = _layout_table(page, spec, prefixes, L, y, W)
    else:
        text_right = R - spec.mark_column if spec.mark_layout == "line" else R
        mark_cx = R - spec.mark_column / 2 + 8
        for dim, heading in spec.dimension_headings.items():
            y += 4
            y = _dimension_heading(page, spec, heading, L, y, W)
            y += 5
            for number, title, dimension, status in spec.measures:
                if dimension != dim:
                    continue
                base = y + _ascent(size)
                if hanging:
                    lines = wrap(title, spec.font, size, text_right - L - indent)
                    page.text(L, base, prefixes[number], spec.font, size, spec.text_color)
                    xs = [L + indent] * len(lines)
                else:  # inline: prefix and title on one line, continuation indented
                    cont = size * 1.6
                    lines = wrap(
                        prefixes[number] + " " + title,
                        spec.font,
                        size,
                        text_right - L - cont,
                        first_width=text_right - L,
                    )
                    xs = [L] + [L + cont] * (len(lines) - 1)
                if len(lines) > 1:
                    page.meta["wrapped"].append(number)
                for i, (x, line) in enumerate(zip(xs, lines)):
                    page.text(x, base + i * lead, line, spec.font, size, spec.text_color)
                if spec.mark_layout == "line" and status is not None:
                    cy = base - 0.36 * size
                    page.mark(spec.mark_shape, mark_cx, cy, spec.mark_size, spec.palette[status])
                    page.meta["marks"][number] = (mark_cx, cy)
                y += len(lines) * lead + spec.measure_gap
        if spec.mark_layout == "strip":
            y += 10
            y = _layout_strip(page, spec, L, y, W)

    y += 12
    y = _legend(page, spec, L, y, W)
    page.meta["bottom"] = y
    if y > page.height - 30:
        raise ValueError(f"measures page overflows: content ends at {y:.0f} pt")
    return page


def _layout_table(page, spec: ReportSpec, prefixes, L, y, W):
    size = spec.body_pt
    lead = size * 1.27
    bold = bold_variant(spec.font)
    grid = (120, 120, 120)
    pad = 4.0
    c0 = max(text_width(p, spec.font, size) for p in prefixes.values()) + 2 * pad + 4
    c0 = max(c0, text_width(spec.table_headers[0], bold, size) + 2 * pad)
    c2 = max(text_width(spec.table_headers[2], bold, size) + 2 * pad, 58.0)
    c1 = W - c0 - c2
    xs = (L, L + c0, L + c0 + c1, L + W)

    def row_lines(y0, h):
        page.box(L, y0, W, h, fill=None, stroke=grid, stroke_width=0.6)
        page.box(xs[1], y0, 0, h, stroke=grid, stroke_width=0.6)
        page.box(xs[2], y0, 0, h, stroke=grid, stroke_width=0.6)

    # header row
    h = lead + 2 * pad
    page.box(L, y, W, h, fill=(235, 235, 235))
    for i, label in enumerate(spec.table_headers):
        page.text(xs[i] + pad, y + pad + _ascent(size), label, bold, size, spec.heading_color)
    row_lines(y, h)
    y += h
    for dim, heading in spec.dimension_headings.items():
        lines = wrap(heading, bold, spec.heading_pt, W - 2 * pad)
        h = len(lines) * spec.heading_pt * 1.25 + 2 * pad
        page.box(
            L,
            y,
            W,
            h,
            fill=spec.tint if spec.tinted_headings else None,
            stroke=grid,
            stroke_width=0.6,
        )
        yy = y + pad
        for line in lines:
            page.text(
                L + pad,
                yy + _ascent(spec.heading_pt),
                line,
                bold,
                spec.heading_pt,
                spec.heading_color,
            )
            yy += spec.heading_pt * 1.25
        y += h
        for number, title, dimension, status in spec.measures:
            if dimension != dim:
                continue
            lines = wrap(title, spec.font, size, c1 - 2 * pad)
            if len(lines) > 1:
                page.meta["wrapped"].append(number)
            h = len(lines) * lead + 2 * pad
            base = y + pad + _ascent(size)
            page.text(xs[0] + pad, base, prefixes[number], spec.font, size, spec.text_color)
            for i, line in enumerate(lines):
                page.text(xs[1] + pad, base + i * lead, line, spec.font, size, spec.text_color)
            if status is not None:
                inset = 3.0
                page.box(
                    xs[2] + inset,
                    y + inset,
                    c2 - 2 * inset,
                    h - 2 * inset,
                    fill=spec.palette[status],
                )
                page.meta["marks"][number] = (xs[2] + c2 / 2, y + h / 2)
            row_lines(y, h)
            y += h
    return y


def _layout_strip(page, spec: ReportSpec, L, y, W):
    size = spec.body_pt
    bold = bold_variant(spec.font)
    page.text(
        L,
        y + _ascent(spec.heading_pt),
        spec.strip_heading,
        bold,
        spec.heading_pt,
        spec.heading_color,
    )
    y += spec.heading_pt * 1.6
    d = max(spec.mark_size, 13.0)
    step = d + 18.0
    per_row = max(1, min(spec.strip_per_row, int(W // step)))
    row_h = d + size * 1.7
    for k, (number, _title, _dim, status) in enumerate(spec.measures):
        r, c = divmod(k, per_row)
        cx = L + d / 2 + c * step
        cy = y + r * row_h + d / 2
        if status is not None:
            page.mark(spec.mark_shape, cx, cy, d, spec.palette[status])
            page.meta["marks"][number] = (cx, cy)
        label = str(number)
        tw = text_width(label, spec.font, size)
        page.text(
            cx - tw / 2, cy + d / 2 + 3 + _ascent(size), label, spec.font, size, spec.text_color
        )
    rows = (len(spec.measures) + per_row - 1) // per_row
    return y + rows * row_h


def layout_results_page(spec: ResultsSpec, font: str = DEJAVU_SANS) -> Page:
    page = Page()
    bold = bold_variant(font)
    L = spec.margin
    W = page.width - 2 * spec.margin
    y = spec.margin + 20
    y = _paragraph(page, L, y, spec.title, bold, spec.title_pt, W, 1.2, spec.accent)
    if spec.subtitle:
        y += 4
        y = _paragraph(page, L, y, spec.subtitle, font, spec.body_pt + 1, W, 1.3)
    page.box(L, y + 8, W, 1.6, fill=spec.accent)
    y += 26
    if spec.lead:
        y = _paragraph(page, L, y, spec.lead, bold, spec.lead_pt, W, 1.3)
        y += 10
    for para in spec.paragraphs:
        y = _paragraph(page, L, y, para, font, spec.body_pt, W, 1.35)
        y += 8
    size = spec.body_pt
    for heading, items, style in spec.sections:
        y += 14
        y = _paragraph(page, L, y, heading, bold, spec.heading_pt, W, 1.25, spec.accent)
        y += 6
        for i, item in enumerate(items, 1):
            prefix = f"{i}." if style == "numbered" else "•"
            indent = 20.0
            page.text(L + 4, y + _ascent(size), prefix, font, size)
            y = _paragraph(page, L + 4 + indent, y, item, font, size, W - indent - 4, 1.3)
            y += 5
    if spec.footer:
        _paragraph(
            page, L, page.height - spec.margin, spec.footer, font, size - 2, W, 1.3, (90, 90, 90)
        )
    if y > page.height - 40:
        raise ValueError("results page overflows")
    return page


def layout_letter_page(spec: LetterSpec, font: str = DEJAVU_SANS) -> Page:
    page = Page()
    bold = bold_variant(font)
    L = spec.margin
    W = page.width - 2 * spec.margin
    size = spec.body_pt
    lead = size * 1.32
    y = spec.margin - 10
    page.text(
        L,
        y + _ascent(spec.letterhead_pt),
        spec.letterhead,
        bold,
        spec.letterhead_pt,
        spec.letterhead_color,
    )
    y += spec.letterhead_pt * 1.3
    page.text(L, y + _ascent(size - 2), spec.sender_address, font, size - 2, (70, 70, 70))
    y += (size - 2) * 1.3 + 30
    bx = spec.block_x
    bw = page.width - spec.margin - bx
    for line in spec.recipient_lines:
        y = _paragraph(page, bx, y, line, font, size, bw, 1.32)
    y += 22
    page.text(bx, y + _ascent(size), spec.place_date, font, size)
    y += lead + 26
    prefix = "Objet : "
    pw = text_width(prefix, bold, size)
    lines = wrap(spec.subject, font, size, W - pw)
    page.text(L, y + _ascent(size), prefix, bold, size)
    for line in lines:
        page.text(L + pw, y + _ascent(size), line, font, size)
        y += lead
    y += 24
    page.text(L, y + _ascent(size), spec.salutation, font, size)
    y += lead + 10
    for para in spec.paragraphs:
        y = _paragraph(page, L, y, para, font, size, W, 1.32)
        y += 9
    y = _paragraph(page, L, y, spec.closing, font, size, W, 1.32)
    y += 30
    page.text(bx, y + _ascent(size), spec.signature_role, font, size)
    y += lead + 30
    page.text(bx, y + _ascent(size), spec.signature_name, bold, size)
    y += lead
    if y > page.height - 30:
        raise ValueError("letter page overflows")
    return page


# ---------------------------------------------------------------------------------------
# raster backend


def rasterize(page: Page, dpi: int) -> Image.Image:
    """Draw a laid-out page on a white RGB canvas at `dpi`."""
    s = dpi / 72.0
    img = Image.new("RGB", (round(page.width * s), round(page.height * s)), WHITE)
    img.info["dpi"] = (dpi, dpi)
    d = ImageDraw.Draw(img)
    for op in page.ops:
        if isinstance(op, Box):
            x0, y0 = op.x * s, op.y * s
            x1, y1 = (op.x + op.w) * s, (op.y + op.h) * s
            if op.fill is not None:
                d.rectangle([x0, y0, x1, y1], fill=op.fill)
            if op.stroke is not None:
                w = max(1, round(op.stroke_width * s))
                if op.w == 0 or op.h == 0:
                    d.line([x0, y0, x1, y1], fill=op.stroke, width=w)
                else:
                    d.rectangle([x0, y0, x1, y1], outline=op.stroke, width=w)
        elif isinstance(op, Disc):
            d.ellipse(
                [(op.cx - op.r) * s, (op.cy - op.r) * s, (op.cx + op.r) * s, (op.cy + op.r) * s],
                fill=op.fill,
            )
        elif isinstance(op, Text):
            f = _pil_font(op.font, max(1, round(op.size * s)))
            d.text((op.x * s, op.y * s), op.text, font=f, fill=op.color, anchor="ls")
        else:  # pragma: no cover
            raise TypeError(op)
    return img


def render_measures_page(spec: ReportSpec, dpi: int = 300) -> Image.Image:
    return rasterize(layout_measures_page(spec), dpi)


def render_results_page(spec: ResultsSpec, dpi: int = 300, font: str = DEJAVU_SANS) -> Image.Image:
    return rasterize(layout_results_page(spec, font), dpi)


def render_letter_page(
    letter_spec: LetterSpec, dpi: int = 300, font: str = DEJAVU_SANS
) -> Image.Image:
    return rasterize(layout_letter_page(letter_spec, font), dpi)


def degrade(
    img: Image.Image,
    seed: int,
    skew_deg: float = 0.0,
    noise_sigma: float = 0.0,
    blur_radius: float = 0.0,
    jpeg_quality: int | None = None,
    grayscale: bool = False,
    paper: tuple | None = None,
    cast: tuple | None = None,
) -> Image.Image:
    """Make a clean page look scanned: optional paper tone, scanner colour cast (per-channel
    gamma, e.g. (1.0, 0.9, 1.15): lower = brighter), rotation by `skew_deg` (counter-clockwise,
    white fill, same canvas size), gaussian blur, gaussian noise (mostly luminance, a little per
    channel), optional grayscale, JPEG round-trip."""
    rng = np.random.default_rng(seed)
    dpi = img.info.get("dpi")
    im = img.convert("RGB")
    if cast is not None:
        arr = np.asarray(im, dtype=np.float32) / 255.0
        arr = np.power(arr, np.array(cast, np.float32)) * 255.0
        im = Image.fromarray(arr.round().astype(np.uint8))
    if paper is not None:
        arr = np.asarray(im, dtype=np.float32) * (np.array(paper, np.float32) / 255.0)
        im = Image.fromarray(arr.round().astype(np.uint8))
    fill = tuple(paper) if paper is not None else WHITE
    if skew_deg:
        im = im.rotate(skew_deg, resample=Image.BICUBIC, expand=False, fillcolor=fill)
    if blur_radius:
        im = im.filter(ImageFilter.GaussianBlur(blur_radius))
    if noise_sigma:
        arr = np.asarray(im, dtype=np.float32)
        h, w, _ = arr.shape
        lum = rng.normal(0.0, noise_sigma, size=(h, w, 1)).astype(np.float32)
        chroma = rng.normal(0.0, noise_sigma * 0.3, size=(h, w, 3)).astype(np.float32)
        arr = np.clip(arr + lum + chroma, 0, 255)
        im = Image.fromarray(arr.round().astype(np.uint8))
    if grayscale:
        im = im.convert("L")
    if jpeg_quality:
        im = Image.open(io.BytesIO(jpeg_bytes(im, jpeg_quality)))
        im.load()
    if dpi:
        im.info["dpi"] = dpi
    return im


def jpeg_bytes(img: Image.Image, quality: int, dpi: int | None = None) -> bytes:
    buf = io.BytesIO()
    kw = {"dpi": (dpi, dpi)} if dpi else {}
    img.save(buf, "JPEG", quality=quality, optimize=True, **kw)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------
# PDF backends (reportlab)


def _rl_font(path: str) -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    name = "F-" + os.path.splitext(os.path.basename(path))[0]
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, path))
    return name


def _rgb(c):
    return tuple(v / 255.0 for v in c)


def write_pdf_pages(path: str, pages: list, title: str = "", author: str = "") -> None:
    """Write laid-out pages as a born-digital PDF: real (extractable) text, vector marks."""
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(path, pagesize=A4, invariant=1, pageCompression=1)
    if title:
        c.setTitle(title)
    if author:
        c.setAuthor(author)
    for page in pages:
        H = page.height
        for op in page.ops:
            if isinstance(op, Box):
                if op.fill is not None:
                    c.setFillColorRGB(*_rgb(op.fill))
                    c.rect(op.x, H - op.y - op.h, op.w, op.h, stroke=0, fill=1)
                if op.stroke is not None:
                    c.setStrokeColorRGB(*_rgb(op.stroke))
                    c.setLineWidth(op.stroke_width)
                    if op.w == 0 or op.h == 0:
                        c.line(op.x, H - op.y, op.x + op.w, H - op.y - op.h)
                    else:
                        c.rect(op.x, H - op.y - op.h, op.w, op.h, stroke=1, fill=0)
            elif isinstance(op, Disc):
                c.setFillColorRGB(*_rgb(op.fill))
                c.circle(op.cx, H - op.cy, op.r, stroke=0, fill=1)
            elif isinstance(op, Text):
                c.setFillColorRGB(*_rgb(op.color))
                c.setFont(_rl_font(op.font), op.size)
                c.drawString(op.x, H - op.y, op.text)
        c.showPage()
    c.save()


def write_born_digital_pdf(
    path: str,
    spec: ReportSpec,
    letter_spec: LetterSpec | None = None,
    letter_font: str | None = None,
    letter_first: bool = False,
    title: str = "",
    author: str = "",
) -> None:
    """A born-digital report: the measures page and (optionally) the cover letter."""
    pages = [layout_measures_page(spec)]
    if letter_spec is not None:
        letter = layout_letter_page(letter_spec, letter_font or spec.font)
        pages = [letter] + pages if letter_first else pages + [letter]
    write_pdf_pages(path, pages, title=title, author=author)


def write_image_pdf(path: str, jpegs: list, dpi: int, title: str = "") -> None:
    """An image-only PDF (no text layer): each JPEG (bytes) fills one page, embedded as-is
    (DCTDecode), page size = pixel size at `dpi`."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(path, invariant=1, pageCompression=1)
    if title:
        c.setTitle(title)
    for data in jpegs:
        reader = ImageReader(io.BytesIO(data))
        w, h = reader.getSize()
        pw, ph = w * 72.0 / dpi, h * 72.0 / dpi
        c.setPageSize((pw, ph))
        c.drawImage(reader, 0, 0, width=pw, height=ph)
        c.showPage()
    c.save()
