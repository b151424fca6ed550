"""Lays out a mission's measures pages (A4 or 16:9 deck): columns, tables, strips, legends, summary."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from bench.stress.draw import (
    MM,
    LegendStyle,
    Sheet,
    StripStyle,
    draw_legend,
    draw_mark,
    draw_strip,
    legend_size,
    mark_width,
    strip_size,
    width,
    wrap,
)
from bench.stress.table import draw_table, table_rows

A4 = (595.28, 841.89)
DECK = (720.0, 405.0)


@dataclass
class Item:
    """One measure as printed."""

    pos: int
    group: int
    dim: str | None
    hz: tuple[int, int] | None
    title: str
    number: int | None
    label: str | None
    prefix: str
    cell: str
    status: str | None
    colour: tuple[int, int, int] | None
    page: int = 0


@dataclass
class PageTruth:
    legend: list[dict[str, Any]] = field(default_factory=list)
    summary: bool = False


@dataclass
class Ctx:
    """What every measures page shares."""

    p: dict[str, Any]
    rng: random.Random
    font: str
    bold: str
    hfont: str
    hbold: str
    items: list[Item]
    headings: dict[int, str]
    legend_entries: list[tuple[str, str, Any]]
    summary: str | None
    title: str
    announce: str


def _column_blocks(ctx: Ctx, chunk: list[Item], col_w: float, fs: float) -> list[tuple]:
    """(kind, height, payload) for headings and measures in reading order."""
    p = ctx.p
    lead = fs * 1.22
    size = p["mark_mm"] * MM
    mw = mark_width(p["mark_shape"], size) if p["layout"] == "line" else 0
    blocks: list[tuple] = []
    last_group = None
    for it in chunk:
        if it.group != last_group and it.group in ctx.headings:
            lines = wrap(ctx.headings[it.group], ctx.hbold, fs + 1, col_w)
            blocks.append(("heading", len(lines) * (fs + 1) * 1.25 + fs * 0.6, lines))
        last_group = it.group
        text_w = col_w - (mw + 5 if mw else 0)
        pre_w = width(it.prefix + " ", ctx.bold, fs) if it.prefix else 0
        if p["hanging_indent"]:
            lines = wrap(it.title, ctx.font, fs, text_w - pre_w, None, p["hyphen_breaks"],
                         p["guillemet_glue"])
        else:
            lines = wrap(it.title, ctx.font, fs, text_w, text_w - pre_w, p["hyphen_breaks"],
                         p["guillemet_glue"])
        h = max(len(lines) * lead, size if mw else 0) + fs * 0.55
        blocks.append(("measure", h, (it, lines, pre_w)))
    return blocks


def _assign(blocks: list[tuple], ncols: int, col_h: float, per_group: bool) -> list | None:
    """Blocks into columns (each group its own column when per_group), or None if too tall."""
    cols: list[list[tuple]] = [[]]
    used = 0.0
    for i, b in enumerate(blocks):
        new_group = per_group and b[0] == "heading" and cols[-1]
        nxt = blocks[i + 1][1] if b[0] == "heading" and i + 1 < len(blocks) else 0
        if new_group or (cols[-1] and used + b[1] + nxt > col_h):
            cols.append([])
            used = 0.0
        cols[-1].append(b)
        used += b[1]
        if used > col_h:
            return None
    return cols if len(cols) <= ncols else None


def _draw_blocks(ctx: Ctx, sh: Sheet, cols: list, x0: float, top: float, col_w: float,
                 gap: float, fs: float) -> None:
    p = ctx.p
    lead = fs * 1.22
    size = p["mark_mm"] * MM
    mw = mark_width(p["mark_shape"], size)
    for ci, col in enumerate(cols):
        x = x0 + ci * (col_w + gap)
        y = top
        for kind, h, payload in col:
            if kind == "heading":
                for k, line in enumerate(payload):
                    sh.text(x, y + k * (fs + 1) * 1.25, line, ctx.hbold, fs + 1, (25, 35, 70))
                y += h
                continue
            it, lines, pre_w = payload
            tx = x
            if p["layout"] == "line":
                mark_top = y + (lead - size) / 2 if size < lead * 1.5 else y
                if p["mark_side"] == "left":
                    if it.colour is not None:
                        draw_mark(sh, p["mark_shape"], x, mark_top, size, it.colour,
                                  p["mark_outline"])
                    tx = x + mw + 5
                elif it.colour is not None:
                    draw_mark(sh, p["mark_shape"], x + col_w - mw, mark_top, size, it.colour,
                              p["mark_outline"])
            if it.prefix:
                sh.text(tx, y, it.prefix, ctx.bold, fs)
            for k, line in enumerate(lines):
                lx = tx + pre_w if (k == 0 or p["hanging_indent"]) else tx
                sh.text(lx, y + k * lead, line, ctx.font, fs)
            y += h


def _legend_style(ctx: Ctx, inline: bool) -> LegendStyle:
    p = ctx.p
    size = min(max(p["mark_mm"] * MM, 7.0), 16.0)
    return LegendStyle(p["legend_heading_text"] if p["legend_heading"] else None, inline,
                       p["mark_shape"], size, ctx.font, ctx.bold, p["legend_pt"],
                       p["legend_swatch_right"])


def _strip_style(ctx: Ctx, chunk: list[Item], avail_w: float) -> StripStyle:
    p = ctx.p
    size = p["mark_mm"] * MM
    num_pt = p["strip_number_pt"]
    if p["strip_numbers"] == "inside":
        num_pt = min(num_pt, size * 0.5)
    gap = p["strip_gap_mm"] * MM
    if p["strip_numbers"] == "beside":
        gap = max(gap, max(width(it.cell, ctx.font, num_pt) for it in chunk) + 4)
    if p["strip_numbers"] in ("under", "above"):  # a printed number stays within its mark's pitch
        label_w = max(width(it.cell, ctx.font, 1.0) for it in chunk)
        pitch = mark_width(p["mark_shape"], size) + gap
        num_pt = max(4.5, min(num_pt, (pitch - 1.0) / label_w))
        if label_w * num_pt > pitch - 1.0:
            size += (label_w * num_pt + 1.0 - pitch) / (1.9 if p["mark_shape"] == "pill" else 1)
            p["mark_mm"] = round(size / MM, 2)
        p["strip_number_pt"] = round(num_pt, 2)
    st = StripStyle(p["strip_heading"], p["strip_rows"], p["mark_shape"], size, gap,
                    p["strip_numbers"], num_pt, ctx.font, ctx.bold, p["mark_outline"])
    while strip_size(len(chunk), st)[0] > avail_w:
        if st.rows == 1:
            st.rows = 2
            p["strip_rows"] = 2
            continue
        st.size *= 0.9
        st.num_pt = min(st.num_pt, st.size * 0.5) if st.numbers == "inside" else st.num_pt
        p["mark_mm"] = round(st.size / MM, 2)
    return st


def plan_and_draw(ctx: Ctx, canvas: Any, first_page: int) -> list[PageTruth]:
    """Draws the measures pages from page number first_page on; returns each page's truth."""
    p = ctx.p
    chunks = [ctx.items]
    if p["multi_page"] and len(ctx.items) >= 6:
        chunks = _split(ctx.items)
    out: list[PageTruth] = []
    k = 0
    while k < len(chunks):
        chunk = chunks[k]
        draw = _fit_page(ctx, chunk, k == 0, k == len(chunks) - 1)
        if draw is None:
            chunks[k:k + 1] = _split(chunk)
            continue
        page_no = first_page + len(out)
        for it in chunk:
            it.page = page_no
        out.append(draw(canvas, page_no))
        k += 1
    return out


def _split(chunk: list[Item]) -> list[list[Item]]:
    groups = sorted({it.group for it in chunk})
    if len(groups) >= 2:
        cut = groups[(len(groups) + 1) // 2]
        return [[it for it in chunk if it.group < cut], [it for it in chunk if it.group >= cut]]
    half = (len(chunk) + 1) // 2
    return [chunk[:half], chunk[half:]]


def _fit_page(ctx: Ctx, chunk: list[Item], first: bool, last: bool):
    """A function drawing this chunk on one page, or None when it cannot fit at the smallest size."""
    p = ctx.p
    deck = p["format"] == "deck"
    pw, ph = DECK if deck else A4
    m = p["margin"]
    x0, y0 = m, (0.0 if deck else m)
    inner_w = pw - 2 * m
    head_h = (p["bar_h"] + 24) if deck else (76 if first else 40)
    bottom = ph - m - 14
    side_w = 0.0
    if deck and p["legend_position"] != "side":
        p["legend_inline"] = True
    leg_inline = p["legend_inline"]
    leg = _legend_style(ctx, leg_inline)
    lw, lh = legend_size(ctx.legend_entries, leg)
    if p["legend_position"] == "side":
        side_w = lw + 14
    elif lw > inner_w:
        leg = _legend_style(ctx, False)
        p["legend_inline"] = False
        lw, lh = legend_size(ctx.legend_entries, leg)
    body_w = inner_w - side_w
    fs_max = min(p["body_pt_max"], 10.0 if deck else 11.0)
    fs_min = 6.5 if deck else 7.0
    summary_lines: list[str] = []
    show_summary = ctx.summary is not None and ((p["summary"] == "top" and first)
                                                or (p["summary"] == "bottom" and last))
    strip = _strip_style(ctx, chunk, body_w) if p["layout"] == "strip" else None
    strip_h = strip_size(len(chunk), strip)[1] + 8 if strip else 0.0
    fs = fs_max
    while fs >= fs_min:
        if show_summary:
            summary_lines = wrap(ctx.summary, ctx.font, fs, body_w)
        sum_h = len(summary_lines) * fs * 1.3 + 8 if show_summary else 0.0
        leg_h = lh + 10 if p["legend_position"] != "side" else 0.0
        body_top = y0 + head_h + (leg_h if p["legend_position"] == "top" else 0)
        body_top += sum_h if p["summary"] == "top" else 0
        body_top += strip_h if strip and p["strip_position"] == "top" else 0
        body_h = bottom - body_top - (leg_h if p["legend_position"] == "bottom" else 0)
        body_h -= sum_h if p["summary"] == "bottom" else 0
        body_h -= strip_h if strip and p["strip_position"] == "bottom" else 0
        pad = 8.0 if deck else 0.0
        if p["layout"] == "table":
            cols, rows = table_rows(ctx, chunk, body_w, fs)
            ok = sum(r[1] for r in rows) <= body_h
            placed = (cols, rows)
        else:
            n = p["columns"]
            gap = 14.0 if n > 1 else 0.0
            col_w = (body_w - gap * (n - 1)) / n - 2 * pad
            groups = {it.group for it in chunk}
            blocks = _column_blocks(ctx, chunk, col_w, fs)
            per_group = n > 1 and len(groups) == n and bool(ctx.headings)
            placed = _assign(blocks, n, body_h - 2 * pad, per_group)
            ok = placed is not None
        if ok:
            break
        fs -= 0.5
    else:
        return None

    def draw(canvas: Any, page_no: int) -> PageTruth:
        canvas.setPageSize((pw, ph))
        sh = Sheet(canvas, pw, ph)
        truth = PageTruth()
        p.setdefault("body_pt", []).append(fs)
        sh.rect(0, 0, pw, ph, (255, 255, 255))
        _draw_header(ctx, sh, first, m, inner_w)
        cur = y0 + head_h
        if p["legend_position"] == "top":
            draw_legend(sh, x0, cur, ctx.legend_entries, leg, p["mark_outline"])
            cur += leg_h
        elif p["legend_position"] == "side":
            draw_legend(sh, pw - m - lw, cur + 4, ctx.legend_entries, leg, p["mark_outline"])
        if show_summary and p["summary"] == "top":
            for k, line in enumerate(summary_lines):
                sh.text(x0, cur + k * fs * 1.3, line, ctx.font, fs)
            truth.summary = True
        cur += sum_h if p["summary"] == "top" else 0
        if strip and p["strip_position"] == "top":
            draw_strip(sh, x0, cur, [(it.cell, it.colour) for it in chunk], strip)
            cur += strip_h
        y = cur
        if p["layout"] == "table":
            draw_table(ctx, sh, x0, y, placed[0], placed[1], fs)
            y += sum(r[1] for r in placed[1])
        else:
            n = p["columns"]
            gap = 14.0 if n > 1 else 0.0
            cw = (body_w - gap * (n - 1)) / n
            if deck:
                for ci in range(len(placed)):
                    sh.rect(x0 + ci * (cw + gap), y, cw, body_h, p["panel_rgb"], None,
                            radius=6)
            _draw_blocks(ctx, sh, placed, x0 + pad, y + pad, cw - 2 * pad, gap + 2 * pad, fs)
            y = body_top + body_h
        y += 6
        if strip and p["strip_position"] == "bottom":
            draw_strip(sh, x0, y, [(it.cell, it.colour) for it in chunk], strip)
            y += strip_h
        if show_summary and p["summary"] == "bottom":
            for k, line in enumerate(summary_lines):
                sh.text(x0, y + k * fs * 1.3, line, ctx.font, fs)
            y += sum_h
            truth.summary = True
        if p["legend_position"] == "bottom":
            draw_legend(sh, x0, y + 4, ctx.legend_entries, leg, p["mark_outline"])
        truth.legend = [{"page": page_no, "status": s, "label": lab}
                        for s, lab, _ in ctx.legend_entries]
        sh.text_right(pw - m, ph - m + 2, f"{page_no}", ctx.font, 8, (90, 90, 90))
        canvas.showPage()
        return truth

    return draw


def _draw_header(ctx: Ctx, sh: Sheet, first: bool, m: float, inner_w: float) -> None:
    p = ctx.p
    if p["format"] == "deck":
        sh.rect(0, 0, sh.w, p["bar_h"], p["deck_bar_rgb"])
        size = 17.0 if first else 14.0
        while width(ctx.title, ctx.hbold, size) > inner_w - 120 and size > 9:
            size -= 0.5
        sh.text(m, (p["bar_h"] - size) / 2, ctx.title, ctx.hbold, size, (255, 255, 255))
        for i in range(p["deck_icons"]):
            cx = sh.w - m - 12 - i * 26
            sh.disc(cx, p["bar_h"] / 2, 9, (255, 255, 255))
            sh.rect(cx - 4, p["bar_h"] / 2 - 4, 8, 8, p["deck_bar_rgb"], radius=2 * (i % 2))
        sh.text(m, p["bar_h"] + 8, ctx.announce, ctx.hbold, 10, (40, 40, 40))
        return
    sh.text(m, m, ctx.p["header_line"], ctx.font, 8, (110, 110, 110))
    sh.line(m, m + 12, m + inner_w, m + 12, (150, 150, 150), 0.5)
    if first:
        size = 16.0
        while width(ctx.title, ctx.hbold, size) > inner_w and size > 9:
            size -= 0.5
        sh.text(m, m + 20, ctx.title, ctx.hbold, size, (20, 30, 80))
        sh.text(m, m + 46, ctx.announce, ctx.hbold, 11)
    else:
        sh.text(m, m + 20, ctx.title + " (suite)", ctx.hbold, 10, (20, 30, 80))
