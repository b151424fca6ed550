"""HTML pieces of a held-out page: marks, legends, strips, measure lists, tables, headings."""

from __future__ import annotations

import itertools
import math
from html import escape

from bench.heldout import content

SIZES = {"a4": (210.0, 297.0), "a4-landscape": (297.0, 210.0), "slide": (338.67, 190.5)}
ICONS = {"operationnelle": "⚙", "strategique": "◆", "politique": "⚑", None: "▸"}


def px(doc: dict, k: float) -> str:
    """Returns a CSS length of k times the document's base font size."""
    s = doc["style"]
    return f"{s['base_px'] * s['font_scale'] * k:.2f}px"


def css(doc: dict) -> str:
    """Returns the stylesheet shared by every page of a document."""
    s = doc["style"]
    w, h = SIZES[doc["page_format"]]
    pad_v, pad_h = (9, 11) if doc["page_format"] == "slide" else (15, 17)
    pad = f"{pad_v}mm {pad_h}mm"
    spacing = f"{s['heading_spacing_em']}em"
    upper = "uppercase" if s["uppercase_headings"] else "none"
    return f"""
@page {{ size: {w}mm {h}mm; margin: 0 }}
html, body {{ margin: 0; padding: 0; background: #fff }}
* {{ box-sizing: border-box; print-color-adjust: exact; -webkit-print-color-adjust: exact }}
section.page {{ width: {w}mm; min-height: {h - 0.8}mm; padding: {pad}; position: relative;
  break-after: page; display: flex; flex-direction: column; font-family: '{s['font']}';
  font-size: {px(doc, 1)}; line-height: 1.28; color: #1b1b1b; }}
section.page:last-child {{ break-after: auto }}
h1, h2, .gh, .lh, .sh, th {{ font-family: '{s['heading_font']}'; }}
h1 {{ font-size: {px(doc, 1.75)}; margin: 0 0 {px(doc, 0.4)}; color: {s['theme']};
  letter-spacing: {spacing} }}
h2 {{ font-size: {px(doc, 1.2)}; margin: {px(doc, 0.8)} 0 {px(doc, 0.4)}; color: {s['theme']} }}
.bar {{ background: {s['theme']}; color: #fff; margin: -{pad_v}mm -{pad_h}mm {px(doc, 0.8)};
  padding: {px(doc, 0.7)} {pad_h}mm; }}
.bar h1 {{ color: #fff; margin: 0 }}
.sub {{ color: #444; margin: 0 0 {px(doc, 0.6)}; font-size: {px(doc, 1.05)} }}
.gh {{ font-weight: bold; color: {s['theme']}; text-transform: {upper};
  letter-spacing: {spacing}; margin: 0 0 {px(doc, 0.45)}; font-size: {px(doc, 1.05)} }}
.grp {{ padding: {px(doc, 0.5)} {px(doc, 0.6)}; margin-bottom: {px(doc, 0.6)};
  background: {s['panel_tint'] or 'transparent'}; border-radius: {s['panel_radius']}px }}
.m {{ display: flex; align-items: flex-start; gap: {px(doc, 0.45)}; margin: {px(doc, 0.32)} 0 }}
.m .n {{ font-weight: bold; white-space: nowrap; flex: none }}
.m .t {{ flex: 1 }}
.mk {{ flex: none; display: inline-block; margin-top: {px(doc, 0.12)} }}
.cols {{ display: grid; gap: {px(doc, 1.0)}; align-items: start }}
.legend {{ font-size: {px(doc, 0.9)} }}
.legend.boxed {{ border: 1px solid #888; padding: {px(doc, 0.4)} {px(doc, 0.6)}; background: #fff }}
.legend .lh {{ font-weight: bold; margin-bottom: {px(doc, 0.3)} }}
.legend .li {{ display: flex; align-items: center; gap: {px(doc, 0.4)};
  margin: {px(doc, 0.15)} {px(doc, 0.9)} {px(doc, 0.15)} 0 }}
.legend.row .items {{ display: flex; flex-wrap: wrap; align-items: center }}
.strip {{ margin: {px(doc, 0.8)} 0 }}
.strip .sh {{ font-weight: bold; color: {s['theme']}; margin-bottom: {px(doc, 0.4)} }}
.srow {{ display: flex; align-items: flex-start; margin-bottom: {px(doc, 0.5)} }}
table {{ border-collapse: collapse; width: 100% }}
td, th {{ border: {s['table_border']}; padding: {px(doc, 0.3)} {px(doc, 0.45)};
  vertical-align: middle; text-align: left }}
th {{ background: {s['theme']}; color: #fff }}
tr.gr td {{ font-weight: bold; background: {s['panel_tint'] or '#eeeeee'} }}
tr.z td {{ background: #f6f6f6 }}
.summary {{ margin: {px(doc, 0.8)} 0; padding: {px(doc, 0.5)} {px(doc, 0.7)};
  border-left: 3px solid {s['theme']} }}
.foot {{ margin-top: auto; padding-top: {px(doc, 0.6)}; font-size: {px(doc, 0.75)}; color: #666;
  display: flex; justify-content: space-between }}
"""


def ink_on(colour: str) -> str:
    """Returns black or white, whichever reads better on a background colour."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#111111" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "#ffffff"


def mark(doc: dict, status: str, size_px: float, shape: str) -> str:
    """Returns one coloured status mark of a given shape."""
    colour = doc["style"]["palette"][status]
    base = f"display:inline-block;background:{colour};"
    if shape == "disc":
        return f'<span style="{base}width:{size_px}px;height:{size_px}px;border-radius:50%"></span>'
    if shape in ("square", "cell"):
        return f'<span style="{base}width:{size_px}px;height:{size_px}px;border-radius:1px"></span>'
    other = doc["other_shape"]
    if other == "diamond":
        s = size_px * 0.78
        return (f'<span style="display:inline-block;width:{size_px}px;height:{size_px}px;'
                f'position:relative"><span style="{base}position:absolute;left:{(size_px-s)/2}px;'
                f'top:{(size_px-s)/2}px;width:{s}px;height:{s}px;transform:rotate(45deg)">'
                f'</span></span>')
    if other == "triangle":
        return (f'<span style="{base}width:{size_px}px;height:{size_px}px;'
                f'clip-path:polygon(50% 0,100% 100%,0 100%)"></span>')
    return (f'<span style="{base}width:{size_px * 1.9}px;height:{size_px}px;'
            f'border-radius:{size_px / 2}px"></span>')


def legend(doc: dict, vertical: bool) -> str:
    """Returns the legend: each status label with its swatch, with or without a heading."""
    lg = doc["legend"]
    shape = doc["strip"]["shape"] if doc["layout"] == "strip" else doc["mark_shape"]
    items = []
    for k in lg["order"]:
        status = content.STATUSES[k]
        items.append(f'<div class="li">{mark(doc, status, lg["swatch_px"], shape)}'
                     f'<span>{escape(lg["labels"][k])}</span></div>')
    head = f'<div class="lh">{escape(lg["heading"])}</div>' if lg["heading"] else ""
    cls = "legend" + (" boxed" if lg["boxed"] else "") + ("" if vertical else " row")
    return f'<div class="{cls}">{head}<div class="items">{"".join(items)}</div></div>'


def heading(doc: dict, group: list[int]) -> str:
    """Returns the dimension heading above a run of measures (count, dimension, horizon)."""
    m = doc["measures"][group[0]]
    dim = m["dimension"]
    n = len(group)
    if dim is None:
        return f"Les {n} mesures" if doc["heading_variant"] % 2 == 0 else ""
    words = content.DIM_WORDS[dim]
    hz = content.format_horizon(m["hmin"], m["hmax"], doc["horizon"]["wording"])
    variant = doc["heading_variant"]
    if variant == 0:
        effect = {"operationnelle": "aux premiers effets", "strategique": "aux effets",
                  "politique": "aux effets mesurables"}[dim]
        text = f"{n} mesures {words[0]}" + (f", {effect} {hz}" if hz else "")
    elif variant == 1:
        text = f"Mesures {words[0]}" + (f" — {hz}" if hz else "")
    elif variant == 2:
        text = words[1] + (f" ({hz})" if hz else "")
    else:
        text = words[2] + (f" · effets attendus {hz}" if hz else "")
    if doc["style"]["icons"]:
        return f'<span style="margin-right:6px">{ICONS[dim]}</span>{escape(text)}'
    return escape(text)


def measure_item(doc: dict, i: int) -> str:
    """Returns one measure line: printed number, title and, in line layout, its mark."""
    m = doc["measures"][i]
    s = doc["style"]
    num = escape(m["printed"]) if m["printed"] else ("–" if doc["heading_variant"] % 2 else "")
    mk = ""
    if doc["layout"] == "line" and m["status"] is not None:
        mk = f'<span class="mk">{mark(doc, m["status"], s["mark_px"], doc["mark_shape"])}</span>'
    left = mk if s["mark_side"] == "left" else ""
    right = mk if s["mark_side"] == "right" else ""
    n_html = f'<span class="n">{num}</span>' if num else ""
    return f'<div class="m">{left}{n_html}<span class="t">{escape(m["title"])}</span>{right}</div>'


def split_columns(groups: list[list[int]], ncols: int) -> list[list[tuple[list[int], bool]]]:
    """Returns each column's runs of measures (with whether the run opens its group)."""
    if len(groups) >= ncols:
        best: tuple[int, list] | None = None
        for cuts in itertools.combinations(range(1, len(groups)), ncols - 1):
            bounds = (0, *cuts, len(groups))
            parts = [groups[a:b] for a, b in itertools.pairwise(bounds)]
            cost = max(sum(len(g) for g in p) for p in parts)
            if best is None or cost < best[0]:
                best = (cost, parts)
        assert best is not None
        return [[(g, True) for g in part] for part in best[1]]
    flat = [(gi, i) for gi, g in enumerate(groups) for i in g]
    size = math.ceil(len(flat) / ncols)
    cols = []
    for c in range(ncols):
        runs: list[tuple[int, list[int]]] = []
        for gi, i in flat[c * size:(c + 1) * size]:
            if runs and runs[-1][0] == gi:
                runs[-1][1].append(i)
            else:
                runs.append((gi, [i]))
        cols.append([(lst, lst[0] == groups[gi][0]) for gi, lst in runs])
    return [c for c in cols if c]


def measure_columns(doc: dict, groups: list[list[int]]) -> str:
    """Returns the measures of a page laid out in 1-3 columns, one panel per dimension run."""
    cols = split_columns(groups, min(doc["columns"], sum(len(g) for g in groups)))
    html = []
    for col in cols:
        panels = []
        for run, opens in col:
            full = next(g for g in groups if run[0] in g)
            head = heading(doc, full) if opens else ""
            head_html = f'<div class="gh">{head}</div>' if head else ""
            items = "".join(measure_item(doc, i) for i in run)
            panels.append(f'<div class="grp">{head_html}{items}</div>')
        html.append(f'<div>{"".join(panels)}</div>')
    return (f'<div class="cols" style="grid-template-columns:repeat({len(cols)},1fr)">'
            f'{"".join(html)}</div>')


def measure_table(doc: dict, groups: list[list[int]]) -> str:
    """Returns the measures as a bordered table whose last column shows the status."""
    ms = doc["measures"]
    numbered = doc["numbering"] != "none"
    with_hz = any(ms[g[0]]["hmin"] is not None for g in groups)
    heads = (["N°"] if numbered else []) + ["Mesure"] + (["Horizon"] if with_hz else [])
    heads.append(doc["table_status_head"])
    rows = [f'<tr>{"".join(f"<th>{escape(h)}</th>" for h in heads)}</tr>']
    ncol = len(heads)
    size = doc["style"]["mark_px"]
    for g in groups:
        head = heading(doc, g)
        if head:
            rows.append(f'<tr class="gr"><td colspan="{ncol}">{head}</td></tr>')
        for k, i in enumerate(g):
            m = ms[i]
            cells = []
            if numbered:
                cells.append(f'<td style="white-space:nowrap">'
                             f'{escape(m["printed"].rstrip(" –—:"))}</td>')
            cells.append(f"<td>{escape(m['title'])}</td>")
            if with_hz:
                hz = content.format_horizon(m["hmin"], m["hmax"], doc["horizon"]["wording"])
                cells.append(f'<td style="white-space:nowrap">{escape(hz)}</td>')
            cells.append(_status_cell(doc, m["status"], size))
            z = ' class="z"' if doc["style"]["zebra"] and k % 2 else ""
            rows.append(f"<tr{z}>{''.join(cells)}</tr>")
    return f"<table>{''.join(rows)}</table>"


def _status_cell(doc: dict, status: str | None, size: float) -> str:
    if status is None:
        return '<td style="text-align:center;color:#777">—</td>'
    colour = doc["style"]["palette"][status]
    if doc["status_words"]:
        return (f'<td style="text-align:center"><span style="background:{colour};'
                f'color:{ink_on(colour)};padding:2px 8px;border-radius:9px;white-space:nowrap">'
                f'{content.STATUS_WORDS[status]}</span></td>')
    if doc["mark_shape"] == "cell":
        return f'<td style="background:{colour};min-width:{size * 4}px"></td>'
    return f'<td style="text-align:center">{mark(doc, status, size, doc["mark_shape"])}</td>'
