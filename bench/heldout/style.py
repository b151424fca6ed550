"""The look of a held-out document: fonts, palettes, marks, strips and legends, drawn at random."""

from __future__ import annotations

import colorsys
import random

import numpy as np
from skimage.color import deltaE_cie76, rgb2lab

from bench.heldout import content

FONTS = ("DejaVu Sans", "DejaVu Serif", "DejaVu Sans Condensed", "DejaVu Sans Light")
THEMES = ("#1f3b73", "#0b6e69", "#6b2d5c", "#8a3b12", "#2e4a2e", "#333333", "#00548f")
# Families of distinct status hues (best → worst), each jittered per document.
DISTINCT = (
    ((140, 0.62, 0.32), (95, 0.55, 0.5), (35, 0.9, 0.55), (3, 0.75, 0.48)),
    ((210, 0.65, 0.4), (150, 0.5, 0.45), (48, 0.95, 0.52), (350, 0.7, 0.5)),
    ((120, 0.5, 0.3), (190, 0.6, 0.55), (28, 0.85, 0.6), (280, 0.45, 0.45)),
    ((160, 0.7, 0.28), (60, 0.7, 0.48), (20, 0.8, 0.5), (0, 0.0, 0.25)),
)


class Dealer:
    """Deals options from shuffled decks so that every option of an axis shows up in a set."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.decks: dict[str, list] = {}

    def deal(self, axis: str, options: list, allowed: set | None = None):
        """Returns the next card of the axis's deck that is allowed, reshuffling when empty."""
        deck = self.decks.setdefault(axis, [])
        for _ in range(2):
            for i, card in enumerate(deck):
                if allowed is None or card in allowed:
                    return deck.pop(i)
            fresh = list(options)
            self.rng.shuffle(fresh)
            deck.extend(fresh)
        return self.rng.choice(sorted(allowed, key=str))


def hex_of(rgb: tuple[float, float, float]) -> str:
    """Returns #rrggbb for an RGB triple in 0..1."""
    return "#" + "".join(f"{round(min(max(c, 0.0), 1.0) * 255):02x}" for c in rgb)


def _rgb_of_hex(h: str) -> np.ndarray:
    return np.array([int(h[i:i + 2], 16) / 255 for i in (1, 3, 5)], dtype=float)


def min_delta_e(colours: list[str]) -> float:
    """Returns the smallest CIE76 distance between two colours of a palette."""
    lab = rgb2lab(np.array([[_rgb_of_hex(c) for c in colours]]))[0]
    return min(float(deltaE_cie76(lab[i], lab[j]))
               for i in range(len(lab)) for j in range(i + 1, len(lab)))


def draw_palette(rng: random.Random, kind: str) -> dict[str, str]:
    """Returns a status → colour mapping that a person can tell apart on white paper."""
    for _ in range(50):
        if kind == "distinct":
            fam = rng.choice(DISTINCT)
            cols = [hex_of(colorsys.hls_to_rgb(((h + rng.uniform(-8, 8)) % 360) / 360,
                                               min(0.8, max(0.2, lum + rng.uniform(-0.06, 0.06))),
                                               s)) for h, s, lum in fam]
        elif kind == "one-hue":
            hue = rng.uniform(0, 360) / 360
            sat = rng.uniform(0.55, 0.85)
            levels = [0.22, 0.4, 0.58, 0.76]
            if rng.random() < 0.5:
                levels.reverse()
            cols = [hex_of(colorsys.hls_to_rgb(hue, lv + rng.uniform(-0.03, 0.03), sat))
                    for lv in levels]
        else:  # pale
            start = rng.uniform(0, 360)
            cols = [hex_of(colorsys.hls_to_rgb(((start + k * rng.uniform(70, 100)) % 360) / 360,
                                               rng.uniform(0.72, 0.8), rng.uniform(0.5, 0.8)))
                    for k in range(4)]
        if min_delta_e(cols) >= (18 if kind == "distinct" else 12):
            return dict(zip(content.STATUSES, cols))
    raise RuntimeError(f"no legible {kind} palette found")


def draw_strip(rng: random.Random, dealer: Dealer, n_measures: int) -> dict:
    """Returns the parameters of a « Niveau d'avancement » strip of numbered discs."""
    numbers = dealer.deal("strip_numbers", ["inside", "under", "above", "beside"])
    spacing = dealer.deal("strip_spacing", ["spaced", "touching", "overlapping", "touching",
                                            "overlapping"])
    if numbers == "beside":
        spacing = "spaced"
    rows = dealer.deal("strip_rows", [1, 2]) if n_measures >= 8 else 1
    disc = rng.randint(16, 40)
    gap = {"spaced": rng.randint(3, 18), "touching": 0,
           "overlapping": -rng.randint(1, max(2, disc // 7))}[spacing]
    return {"numbers": numbers, "spacing": spacing, "gap_px": gap, "disc_px": disc, "rows": rows,
            "shape": rng.choice(["disc", "disc", "disc", "square"]),
            "border": rng.random() < 0.25 and spacing != "overlapping",
            "number_px": max(9, min(15, int(disc * rng.uniform(0.4, 0.6)))),
            "number_colour": rng.choice(["#ffffff", "#111111"]),
            "place": rng.choice(["bottom", "bottom", "top"]),
            "heading": rng.choice(content.STRIP_HEADINGS)}


def draw_legend(rng: random.Random, dealer: Dealer, layout_columns: int) -> dict:
    """Returns where and how the legend is drawn."""
    places = ["top-box", "top-row", "bottom-row", "bottom-box", "side"]
    place = dealer.deal("legend_place", places)
    heading = dealer.deal("legend_heading", [True, False])
    labels_kind = dealer.deal("legend_labels", ["standard", "standard", "variant"])
    labels = (content.LEGEND_LABELS["standard"] if labels_kind == "standard"
              else rng.choice(content.LEGEND_LABELS["variants"]))
    order = list(range(4))
    if rng.random() < 0.15:
        order.reverse()
    return {"place": place, "heading": rng.choice(content.LEGEND_HEADINGS) if heading else None,
            "labels": list(labels), "labels_kind": labels_kind, "order": order,
            "swatch_px": rng.randint(10, 18), "boxed": rng.random() < 0.6}


def draw_style(rng: random.Random, dealer: Dealer, page_format: str) -> dict:
    """Returns the typography and colours of a document."""
    palette_kind = dealer.deal("palette", ["distinct", "distinct", "one-hue", "pale"])
    slide = page_format == "slide"
    return {
        "font": rng.choice(FONTS),
        "heading_font": rng.choice(FONTS),
        "base_px": rng.uniform(11.0, 13.0) if slide else rng.uniform(12.0, 15.0),
        "theme": rng.choice(THEMES),
        "panel_tint": rng.choice([None, "#f1f3f6", "#eef5f0", "#f7f2ea", "#eaf1fb"]),
        "panel_radius": rng.choice([0, 6, 12]),
        "uppercase_headings": rng.random() < 0.3,
        "heading_spacing_em": rng.choice([0, 0, 0.04, 0.1]),
        "title_bar": slide or rng.random() < 0.3,
        "apostrophe": "’" if rng.random() < 0.2 else "'",
        "palette_kind": palette_kind,
        "palette": draw_palette(rng, palette_kind),
        "mark_px": rng.randint(10, 18),
        "mark_side": rng.choice(["left", "right"]),
        "icons": rng.random() < 0.5,
        "table_border": rng.choice(["1px solid #444", "2px solid #222", "1px solid #bbb",
                                    "1px dotted #555"]),
        "zebra": rng.random() < 0.4,
        "font_scale": 1.0,
    }
