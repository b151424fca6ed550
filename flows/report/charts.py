"""The QA report's vocabulary of colours and labels, status chips and its inline SVG charts."""
from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from models.records import DIMENSIONS, STATUSES

LOW_CONFIDENCE = 0.8  # measures below this are highlighted
STATUS_ORDER: tuple[str | None, ...] = (*STATUSES, None)
STATUS_LABELS = {"tres_satisfaisant": "Très satisfaisant", "satisfaisant": "Satisfaisant",
                 "retard_explique": "Retard expliqué", "remis_en_cause": "Remis en cause",
                 None: "Not legible"}
STATUS_SHORT = {"tres_satisfaisant": "TS", "satisfaisant": "S", "retard_explique": "RE",
                "remis_en_cause": "RC", None: "—"}
STATUS_COLOURS = {"tres_satisfaisant": "#1a7f37", "satisfaisant": "#8cc265",
                  "retard_explique": "#f0a030", "remis_en_cause": "#cf2e2e", None: "#c4c4c4"}
DIMENSION_LABELS = {"operationnelle": "Opérationnelle", "strategique": "Stratégique",
                    "politique": "Politique", None: "No dimension"}


def esc(value: Any) -> str:
    """Any value as HTML text (None as nothing)."""
    return html.escape("" if value is None else str(value))


HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def legend_palette(rows: Iterable[Mapping[str, Any]]) -> dict[str | None, str]:
    """A document's own status colours: each status's swatch as its legend shows it (the first
    page's), from its `legend` rows; statuses without a swatch keep the report's colours."""
    palette: dict[str | None, str] = {}
    for row in rows:
        colour = row.get("colour")
        if row.get("status") in STATUS_COLOURS and isinstance(colour, str) \
                and HEX_COLOUR.fullmatch(colour):
            palette.setdefault(row["status"], colour)
    return palette


def _ink_on(colour: str) -> str:
    """Black or white text, whichever reads on `colour` (#rrggbb)."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#111" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "#fff"


def chip(status: str | None, palette: Mapping[str | None, str] | None = None) -> str:
    """A status as a coloured chip — in the document's own legend colour when `palette` has
    it —; a value outside the vocabulary shows as itself, in grey."""
    known = status in STATUS_COLOURS
    cls = "chip" if known and status is not None else "chip none"
    label = STATUS_LABELS[status] if known else str(status)
    short = STATUS_SHORT[status] if known else str(status)[:3]
    colour = (palette or {}).get(status) or STATUS_COLOURS.get(status, "#c4c4c4")
    ink = f";color:{_ink_on(colour)}" if known and status is not None else ""
    return (f'<span class="{cls}" style="background:{colour}{ink}" '
            f'title="{esc(label)}">{esc(short)}</span>')


# --------------------------------------------------------------------------- charts (inline SVG)


def status_chart(groups: Sequence[tuple[str, Counter[str | None] | None]], title: str) -> str:
    """Horizontal stacked bars, one per group, a segment per status (same scale for all bars);
    a group without counts is a heading over the bars that follow it."""
    label_w, bar_w, row_h, top = 290, 400, 24, 30
    most = max((sum(c.values()) for _g, c in groups if c), default=0) or 1
    height = top + row_h * len(groups) + 8
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 50}" '
              f'height="{height}" role="img" class="chart"><title>{esc(title)}</title>')]
    x = 0
    for status in STATUS_ORDER:  # legend
        parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{STATUS_COLOURS[status]}"/>'
                     f'<text x="{x + 16}" y="14" font-size="12">{esc(STATUS_LABELS[status])}</text>')
        x += 28 + 7 * len(STATUS_LABELS[status])
    for i, (label, counts) in enumerate(groups):
        y = top + i * row_h
        if counts is None:
            parts.append(f'<text x="0" y="{y + 17}" font-size="13" font-weight="600">'
                         f'{esc(label)}</text>')
            continue
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" font-size="12" text-anchor="end">'
                     f'{esc(label)}</text>')
        x = float(label_w)
        for status in STATUS_ORDER:
            n = counts.get(status, 0)
            if not n:
                continue
            w = bar_w * n / most
            parts.append(f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="{row_h - 6}" '
                         f'fill="{STATUS_COLOURS[status]}"><title>{esc(STATUS_LABELS[status])}: '
                         f'{n}</title></rect>')
            if w >= 16:
                parts.append(f'<text x="{x + w / 2:.1f}" y="{y + 16}" font-size="11" '
                             f'text-anchor="middle">{n}</text>')
            x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 16}" font-size="11" fill="#555">'
                     f'{sum(counts.values())}</text>')
    parts.append("</svg>")
    return "".join(parts)


def dimension_counts(measures: Iterable[Mapping[str, Any]]) -> dict[str | None, Counter[str | None]]:
    out: dict[str | None, Counter[str | None]] = {}
    for m in measures:
        out.setdefault(m["dimension"], Counter())[m["status"]] += 1
    return {d: out[d] for d in (*DIMENSIONS, None) if d in out}
