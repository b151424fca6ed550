"""The measures table: N°, title, horizon and status columns, dimension rows spanning the table."""
from __future__ import annotations

from typing import Any

from bench.stress.draw import MM, Sheet, draw_mark, mark_width, width, wrap


def table_rows(ctx: Any, chunk: list[Any], w: float, fs: float) -> tuple[list, list]:
    """Column widths and rows (kind, height, payload) of the measures table."""
    p = ctx.p
    has_num = p["numbering"] != "none"
    has_hz = any(it.hz for it in chunk) and p["table_horizon"]
    widths = {"num": 34.0 if has_num else 0.0, "hz": 62.0 if has_hz else 0.0,
              "status": max(width(p["table_status_head"], ctx.bold, fs * 0.95) + 10,
                            p["mark_mm"] * MM + 16)}
    widths["title"] = w - sum(widths.values())
    order = (["num", "status", "title", "hz"] if p["table_status_first"]
             else ["num", "title", "hz", "status"])
    cols = [(k, widths[k]) for k in order if widths[k] > 0]
    rows: list[tuple] = [("header", fs * 2.2, None)]
    last = None
    for it in chunk:
        if it.group != last and it.group in ctx.headings:
            lines = wrap(ctx.headings[it.group], ctx.hbold, fs, w - 8)
            rows.append(("dim", len(lines) * fs * 1.25 + 6, lines))
        last = it.group
        lines = wrap(it.title, ctx.font, fs, widths["title"] - 8, None, p["hyphen_breaks"],
                     p["guillemet_glue"])
        h = max(len(lines) * fs * 1.22 + 7, p["mark_mm"] * MM + 6)
        rows.append(("row", h, (it, lines)))
    return cols, rows


def draw_table(ctx: Any, sh: Sheet, x: float, top: float, cols: list, rows: list,
                fs: float) -> None:
    p = ctx.p
    grid = (90, 90, 90)
    total_w = sum(cw for _, cw in cols)
    heads = {"num": "N°", "title": p["table_title_head"], "hz": "Horizon",
             "status": p["table_status_head"]}
    y = top
    for kind, h, payload in rows:
        if kind == "header":
            sh.rect(x, y, total_w, h, p["table_head_rgb"], grid)
            cx = x
            for key, cw in cols:
                sh.text(cx + 4, y + (h - fs) / 2, heads[key], ctx.bold, fs * 0.95)
                cx += cw
        elif kind == "dim":
            sh.rect(x, y, total_w, h, p["table_dim_rgb"], grid)
            for k, line in enumerate(payload):
                sh.text(x + 4, y + 3 + k * fs * 1.25, line, ctx.hbold, fs)
        else:
            it, lines = payload
            cx = x
            for key, cw in cols:
                sh.rect(cx, y, cw, h, None, grid)
                if key == "num":
                    sh.text(cx + 4, y + 4, it.cell, ctx.bold, fs)
                elif key == "title":
                    for k, line in enumerate(lines):
                        sh.text(cx + 4, y + 4 + k * fs * 1.22, line, ctx.font, fs)
                elif key == "hz" and it.hz:
                    sh.text(cx + 4, y + 4, p["hz_cell"][it.group], ctx.font, fs * 0.9)
                elif key == "status" and it.colour is not None:
                    if p["mark_shape"] == "cell":
                        sh.rect(cx + 1.2, y + 1.2, cw - 2.4, h - 2.4, it.colour)
                    else:
                        size = p["mark_mm"] * MM
                        mw = mark_width(p["mark_shape"], size)
                        draw_mark(sh, p["mark_shape"], cx + (cw - mw) / 2, y + (h - size) / 2,
                                  size, it.colour, p["mark_outline"])
                cx += cw
        y += h
