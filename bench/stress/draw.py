"""Drawing primitives on a reportlab page, top-left origin: fonts, wrapped text, marks, legends, strips."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

RGB = tuple[int, int, int] | list[int]
_TTF = Path("/usr/share/fonts/truetype")
_FAMILIES = {
    "DejaVu Sans": ("dejavu/DejaVuSans.ttf", "dejavu/DejaVuSans-Bold.ttf"),
    "DejaVu Serif": ("dejavu/DejaVuSerif.ttf", "dejavu/DejaVuSerif-Bold.ttf"),
    "DejaVu Sans Condensed": ("dejavu/DejaVuSansCondensed.ttf",
                              "dejavu/DejaVuSansCondensed-Bold.ttf"),
    "Liberation Sans": ("liberation/LiberationSans-Regular.ttf",
                        "liberation/LiberationSans-Bold.ttf"),
    "Liberation Serif": ("liberation/LiberationSerif-Regular.ttf",
                         "liberation/LiberationSerif-Bold.ttf"),
    "Liberation Sans Narrow": ("liberation/LiberationSansNarrow-Regular.ttf",
                               "liberation/LiberationSansNarrow-Bold.ttf"),
}
_STANDARD = {"Helvetica": ("Helvetica", "Helvetica-Bold", "Helvetica-Oblique"),
             "Times": ("Times-Roman", "Times-Bold", "Times-Italic")}
_FALLBACK = {"Liberation Sans": "DejaVu Sans", "Liberation Serif": "DejaVu Serif",
             "Liberation Sans Narrow": "DejaVu Sans Condensed"}


def font_names(family: str) -> tuple[str, str]:
    """(regular, bold) reportlab font names for a family, registering TTFs on first use."""
    if family in _STANDARD:
        return _STANDARD[family][0], _STANDARD[family][1]
    regular, bold = _FAMILIES[family]
    if not (_TTF / regular).exists():
        return font_names(_FALLBACK[family])
    names = (family.replace(" ", ""), family.replace(" ", "") + "-Bold")
    for name, path in zip(names, (regular, bold), strict=True):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(_TTF / path)))
    return names


def width(text: str, font: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, font, size)


def _tokens(text: str, glue: bool) -> list[str]:
    """Words; with glue, « stays with the next word and » with the one before."""
    words = text.split(" ")
    if not glue:
        return words
    out: list[str] = []
    pending = ""
    for w in words:
        if w == "«":
            pending = f"{pending} «" if pending else "«"
            continue
        if pending:
            w, pending = f"{pending} {w}", ""
        if w in ("»", "»,", "».", "»;") and out:
            out[-1] = f"{out[-1]} {w}"
        else:
            out.append(w)
    if pending:
        out.append(pending)
    return out


def wrap(text: str, font: str, size: float, max_w: float, first_w: float | None = None,
         hyphen_breaks: bool = False, glue: bool = True) -> list[str]:
    """Greedy line breaking at spaces (and after a hyphen when allowed), guillemets kept on."""
    lines: list[str] = []
    cur = ""
    limit = first_w if first_w is not None else max_w
    for word in _tokens(text, glue):
        trial = f"{cur} {word}" if cur else word
        if width(trial, font, size) <= limit or not cur:
            cur = trial
            continue
        if hyphen_breaks and "-" in word[1:-1]:
            head = word[: word.index("-", 1) + 1]
            if width(f"{cur} {head}", font, size) <= limit:
                lines.append(f"{cur} {head}")
                cur = word[len(head):]
                limit = max_w
                continue
        lines.append(cur)
        cur = word
        limit = max_w
    lines.append(cur)
    return lines


@dataclass
class Sheet:
    """One page of a reportlab canvas, drawn in points from the top-left corner."""

    canvas: Canvas
    w: float
    h: float

    def text(self, x: float, top: float, s: str, font: str, size: float,
             colour: RGB = (0, 0, 0), word_gap: float | None = None) -> None:
        c = self.canvas
        c.setFillColorRGB(*(v / 255 for v in colour))
        base = self.h - top - size * 0.8
        if word_gap is None:
            c.setFont(font, size)
            c.drawString(x, base, s)
            return
        for word in s.split(" "):  # words set with a squeezed space: a glued salutation
            c.setFont(font, size)
            c.drawString(x, base, word)
            x += width(word, font, size) + word_gap

    def text_right(self, x_right: float, top: float, s: str, font: str, size: float,
                   colour: RGB = (0, 0, 0)) -> None:
        self.text(x_right - width(s, font, size), top, s, font, size, colour)

    def text_centre(self, cx: float, top: float, s: str, font: str, size: float,
                    colour: RGB = (0, 0, 0)) -> None:
        self.text(cx - width(s, font, size) / 2, top, s, font, size, colour)

    def _paint(self, fill: RGB | None, stroke: RGB | None, line: float) -> Canvas:
        """The canvas, its fill and stroke set for the next shape (None: left as they are)."""
        c = self.canvas
        if fill is not None:
            c.setFillColorRGB(*(v / 255 for v in fill))
        if stroke is not None:
            c.setStrokeColorRGB(*(v / 255 for v in stroke))
            c.setLineWidth(line)
        return c

    def rect(self, x: float, top: float, w: float, h: float, fill: RGB | None,
             stroke: RGB | None = None, line: float = 0.6, radius: float = 0.0) -> None:
        c = self._paint(fill, stroke, line)
        y = self.h - top - h
        if radius > 0:
            c.roundRect(x, y, w, h, radius, stroke=int(stroke is not None),
                        fill=int(fill is not None))
        else:
            c.rect(x, y, w, h, stroke=int(stroke is not None), fill=int(fill is not None))

    def disc(self, cx: float, cy: float, r: float, fill: RGB | None,
             stroke: RGB | None = None, line: float = 0.6) -> None:
        c = self._paint(fill, stroke, line)
        c.circle(cx, self.h - cy, r, stroke=int(stroke is not None), fill=int(fill is not None))

    def line(self, x0: float, y0: float, x1: float, y1: float, colour: RGB = (0, 0, 0),
             w: float = 0.5) -> None:
        c = self.canvas
        c.setStrokeColorRGB(*(v / 255 for v in colour))
        c.setLineWidth(w)
        c.line(x0, self.h - y0, x1, self.h - y1)


def mark_width(shape: str, size: float) -> float:
    return size * 1.9 if shape == "pill" else size


def draw_mark(sheet: Sheet, shape: str, x: float, top: float, size: float, fill: RGB | None,
              outline: bool = False) -> None:
    """A status mark whose box starts at (x, top); fill None draws an empty grey outline."""
    stroke = (60, 60, 60) if outline or fill is None else None
    colour = fill
    if fill is None:
        stroke = (150, 150, 150)
    if shape == "disc":
        sheet.disc(x + size / 2, top + size / 2, size / 2, colour, stroke)
    elif shape == "square" or shape == "cell":
        sheet.rect(x, top, size, size, colour, stroke)
    elif shape == "rounded":
        sheet.rect(x, top, size, size, colour, stroke, radius=size * 0.25)
    elif shape == "pill":
        sheet.rect(x, top, size * 1.9, size, colour, stroke, radius=size / 2)
    else:
        raise ValueError(f"unknown mark shape {shape}")


@dataclass
class LegendStyle:
    heading: str | None
    inline: bool
    shape: str
    size: float
    font: str
    bold: str
    pt: float
    swatch_right: bool


def legend_size(entries: list[tuple[str, str, RGB]], st: LegendStyle) -> tuple[float, float]:
    """(width, height) the legend needs."""
    sw = mark_width("square" if st.shape == "cell" else st.shape, st.size)
    row_h = max(st.size, st.pt * 1.2) + 4
    labels = [width(lab, st.font, st.pt) for _, lab, _ in entries]
    head_w = width(st.heading, st.bold, st.pt) + 10 if st.heading else 0
    if st.inline:
        return head_w + sum(sw + 5 + w + 14 for w in labels), row_h
    head_h = st.pt * 1.5 if st.heading else 0
    return max(head_w, sw + 5 + max(labels)), head_h + row_h * len(entries)


def draw_legend(sheet: Sheet, x: float, top: float, entries: list[tuple[str, str, RGB]],
                st: LegendStyle, outline: bool) -> float:
    """Draws swatch + label entries (one row or one column); returns the height used."""
    shape = "square" if st.shape == "cell" else st.shape
    sw = mark_width(shape, st.size)
    row_h = max(st.size, st.pt * 1.2) + 4
    y = top
    cx = x
    if st.heading:
        sheet.text(x, top, st.heading, st.bold, st.pt)
        if st.inline:
            cx = x + width(st.heading, st.bold, st.pt) + 10
        else:
            y += st.pt * 1.5
    for _, label, colour in entries:
        label_w = width(label, st.font, st.pt)
        text_top = y + (row_h - 4 - st.pt) / 2
        mark_top = y + (row_h - 4 - st.size) / 2
        if st.swatch_right:
            sheet.text(cx, text_top, label, st.font, st.pt)
            draw_mark(sheet, shape, cx + label_w + 5, mark_top, st.size, colour, outline)
        else:
            draw_mark(sheet, shape, cx, mark_top, st.size, colour, outline)
            sheet.text(cx + sw + 5, text_top, label, st.font, st.pt)
        if st.inline:
            cx += sw + 5 + label_w + 14
        else:
            y += row_h
    return legend_size(entries, st)[1]


@dataclass
class StripStyle:
    heading: str
    rows: int
    shape: str
    size: float
    gap: float
    numbers: str  # inside, under, above, beside
    num_pt: float
    font: str
    bold: str
    outline: bool


def _strip_rows(n: int, rows: int) -> list[range]:
    if rows == 1:
        return [range(n)]
    first = (n + 1) // 2
    return [range(first), range(first, n)]


def strip_size(n: int, st: StripStyle) -> tuple[float, float]:
    """(width, height) of the heading and marks."""
    pitch = mark_width(st.shape, st.size) + st.gap
    per_row = max(len(r) for r in _strip_rows(n, st.rows))
    num_h = 0 if st.numbers in ("inside", "beside") else st.num_pt * 1.3
    row_h = st.size + num_h + 6
    return pitch * per_row, st.num_pt * 0 + 16 + row_h * st.rows


def draw_strip(sheet: Sheet, x: float, top: float, items: list[tuple[str, RGB | None]],
               st: StripStyle) -> float:
    """Numbered marks in one or two rows under a heading, left to right; returns the height."""
    sheet.text(x, top, st.heading, st.bold, 10)
    y = top + 16
    mw = mark_width(st.shape, st.size)
    pitch = mw + st.gap
    num_h = 0 if st.numbers in ("inside", "beside") else st.num_pt * 1.3
    for row in _strip_rows(len(items), st.rows):
        mark_top = y + (num_h if st.numbers == "above" else 0)
        for j, i in enumerate(row):
            label, colour = items[i]
            mx = x + j * pitch
            draw_mark(sheet, st.shape, mx, mark_top, st.size, colour, st.outline)
            lw = width(label, st.font, st.num_pt)
            if st.numbers == "inside":
                dark = colour is not None and sum(colour) < 360
                ink = (255, 255, 255) if dark else (0, 0, 0)
                sheet.text(mx + (mw - lw) / 2, mark_top + (st.size - st.num_pt) / 2 + 0.3,
                           label, st.font, st.num_pt, ink)
            elif st.numbers == "under":
                sheet.text(mx + (mw - lw) / 2, mark_top + st.size + 1.5, label, st.font,
                           st.num_pt)
            elif st.numbers == "above":
                sheet.text(mx + (mw - lw) / 2, y, label, st.font, st.num_pt)
            else:
                sheet.text(mx + mw + 1.5, mark_top + (st.size - st.num_pt) / 2, label, st.font,
                           st.num_pt)
        y += st.size + num_h + 6
    return y - top


MM = mm
