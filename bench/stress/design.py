"""The random design of one stress document: every layout, palette and scan parameter it draws."""
from __future__ import annotations

import random
from typing import Any

import numpy as np
from skimage.color import deltaE_ciede2000, lab2rgb, rgb2lab

from bench.stress.content import STATUSES

PRESETS = {
    "greens": [(0, 140, 60), (150, 205, 80), (245, 160, 30), (215, 40, 40)],
    "blues": [(30, 80, 180), (120, 180, 235), (245, 205, 40), (140, 60, 160)],
}
LEGEND_LABELS = {
    "tres_satisfaisant": ["Très satisfaisant", "Avancement très satisfaisant"],
    "satisfaisant": ["Satisfaisant", "Avancement satisfaisant", "Rythme satisfaisant"],
    "retard_explique": ["Retard expliqué", "En retard (expliqué)", "Retard expliqué par le contexte"],
    "remis_en_cause": ["Remis en cause", "Remis en cause / abandonné", "Remise en cause"],
}
FONTS = ["DejaVu Sans", "DejaVu Serif", "DejaVu Sans Condensed", "Liberation Sans",
         "Liberation Serif", "Liberation Sans Narrow", "Helvetica", "Times"]


def _lab_to_rgb(lab: tuple[float, float, float]) -> tuple[int, int, int]:
    rgb = lab2rgb(np.array([[lab]], dtype=float))[0, 0]
    return tuple(round(v * 255) for v in np.clip(rgb, 0, 1))  # type: ignore[return-value]


def _lab(rgb: tuple[int, int, int]) -> np.ndarray:
    return rgb2lab(np.array([[rgb]], dtype=float) / 255.0)[0, 0]


def min_delta_e(colours: list[tuple[int, int, int]]) -> float:
    """The smallest CIEDE2000 distance between any two of the colours."""
    labs = [_lab(c) for c in colours]
    return min(float(deltaE_ciede2000(a, b)) for i, a in enumerate(labs) for b in labs[i + 1:])


def _lch(rng: random.Random, lum: float, chroma: float, hue_deg: float) -> tuple[int, int, int]:
    h = np.deg2rad(hue_deg)
    return _lab_to_rgb((lum, chroma * np.cos(h), chroma * np.sin(h)))


def _luma_matched(hue: float, chroma: float, target: float) -> tuple[int, int, int]:
    """The colour of that hue and chroma whose 601 luma is target (bisection on L*)."""
    lo, hi = 5.0, 95.0
    rgb = (0, 0, 0)
    for _ in range(30):
        mid = (lo + hi) / 2
        h = np.deg2rad(hue)
        rgb = _lab_to_rgb((mid, chroma * np.cos(h), chroma * np.sin(h)))
        luma = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]
        lo, hi = (mid, hi) if luma < target else (lo, mid)
    return rgb


def draw_palette(rng: random.Random, kind: str, paper: tuple[int, int, int]) -> list:
    """Four RGB colours, pairwise ΔE2000 >= 12 and >= 10 from the paper (greys: isoluminant)."""
    for _ in range(200):
        if kind in PRESETS:
            cols = [tuple(int(np.clip(v + rng.randint(-12, 12), 0, 255)) for v in c)
                    for c in PRESETS[kind]]
        elif kind == "own":
            h0 = rng.uniform(0, 360)
            cols = [_lch(rng, rng.uniform(40, 70), rng.uniform(40, 70), h0 + i * 90
                         + rng.uniform(-20, 20)) for i in range(4)]
        elif kind == "one-hue":
            hue = rng.choice([255.0, 270.0, 140.0, 30.0, 320.0]) + rng.uniform(-10, 10)
            lums = [rng.uniform(25, 32), rng.uniform(45, 52), rng.uniform(62, 70),
                    rng.uniform(80, 88)]
            cols = [_lch(rng, lum, 55 - 0.35 * lum + rng.uniform(-5, 5), hue) for lum in lums]
        elif kind == "pale":
            h0 = rng.uniform(0, 360)
            cols = [_lch(rng, rng.uniform(76, 88), rng.uniform(22, 38), h0 + i * 90
                         + rng.uniform(-15, 15)) for i in range(4)]
        else:  # isoluminant: a grey scan (ITU-R 601 luma, as Pillow's "L") leaves equal greys
            h0 = rng.uniform(0, 360)
            target = rng.uniform(120, 150)
            cols = [_luma_matched(h0 + i * 90, 38.0, target) for i in range(4)]
        if kind == "isoluminant":
            return [list(c) for c in cols]
        if min_delta_e(cols) >= 12 and all(min_delta_e([c, paper]) >= 10 for c in cols):
            return [list(c) for c in cols]
    raise RuntimeError(f"no palette of kind {kind} after 200 draws")


def draw_paper(rng: random.Random, kind: str) -> tuple[int, int, int]:
    if kind == "white":
        return _lab_to_rgb((rng.uniform(97, 100), 0.0, rng.uniform(-1, 1)))
    if kind == "off-white":
        return _lab_to_rgb((rng.uniform(93, 97), rng.uniform(-1, 2), rng.uniform(3, 8)))
    chroma = rng.uniform(15, 30)
    hue = np.deg2rad(rng.uniform(75, 95))
    return _lab_to_rgb((rng.uniform(86, 93), chroma * np.cos(hue), chroma * np.sin(hue)))


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def draw_design(rng: random.Random) -> dict[str, Any]:
    """All parameters of one document (JSON-serialisable)."""
    p: dict[str, Any] = {}
    p["format"] = _pick(rng, {"portrait": 0.68, "deck": 0.32})
    p["reference"] = rng.random() < 0.4
    p["with_dimensions"] = p["reference"] or rng.random() < 0.82
    p["horizon_form"] = _pick(rng, {"range": 0.45, "single": 0.25, "years": 0.15, "none": 0.15})
    p["horizon_style"] = _pick(rng, {"slash": 0.45, "de": 0.3, "dash": 0.25})
    p["heading_wording"] = 0 if p["reference"] and rng.random() < 0.6 else rng.randint(1, 4)
    numbering = _pick(rng, {"dot": 0.3, "paren": 0.1, "mesure": 0.12, "n": 0.08, "M": 0.08,
                            "restart": 0.12, "prefix": 0.1, "none": 0.1})
    if numbering in ("restart", "prefix") and not p["with_dimensions"]:
        numbering = "dot"
    p["numbering"] = numbering
    p["apostrophe"] = "’" if rng.random() < 0.25 else "'"
    layouts = {"line": 0.45, "table": 0.25, "strip": 0.3}
    if p["format"] == "deck":
        layouts = {"line": 0.5, "strip": 0.5}
    layout = _pick(rng, layouts)
    if layout == "strip" and numbering == "none":
        layout = "line"
    p["layout"] = layout
    if layout == "table":
        p["columns"] = 1
    elif p["format"] == "deck":
        p["columns"] = _pick(rng, {"1": 0.15, "2": 0.35, "3": 0.5})
    else:
        p["columns"] = _pick(rng, {"1": 0.5, "2": 0.3, "3": 0.2})
    p["columns"] = int(p["columns"])
    shapes = {"square": 0.35, "disc": 0.35, "rounded": 0.15, "pill": 0.15}
    if layout == "table":
        shapes = {"cell": 0.5, "square": 0.2, "disc": 0.2, "rounded": 0.1}
    p["mark_shape"] = _pick(rng, shapes)
    p["mark_mm"] = round(rng.uniform(2.5, 8.0), 2)
    p["mark_outline"] = rng.random() < 0.2
    p["mark_side"] = "left" if rng.random() < 0.6 else "right"
    p["strip_rows"] = 2 if rng.random() < 0.4 else 1
    p["strip_spacing"] = _pick(rng, {"spaced": 0.4, "touching": 0.3, "overlapping": 0.3})
    p["strip_gap_mm"] = {"spaced": round(rng.uniform(0.4, 1.5) * p["mark_mm"], 2),
                         "touching": 0.0,
                         "overlapping": -round(rng.uniform(0.25, 0.8), 2)}[p["strip_spacing"]]
    p["strip_numbers"] = _pick(rng, {"inside": 0.3, "under": 0.3, "above": 0.25,
                                     "beside": 0.15})
    if p["strip_numbers"] == "beside":
        p["strip_spacing"] = "spaced"
    if p["strip_numbers"] == "inside":
        p["mark_mm"] = max(p["mark_mm"], 4.5)
        if p["mark_shape"] == "pill":
            p["mark_shape"] = "disc"
    p["strip_number_pt"] = round(rng.uniform(4.5, 6.0) if rng.random() < 0.35
                                 else rng.uniform(6.5, 9.0), 1)
    p["strip_heading"] = rng.choice(["Niveau d'avancement", "Niveau d'avancement des mesures",
                                     "État d'avancement", "NIVEAU D'AVANCEMENT"])
    p["strip_position"] = "bottom" if rng.random() < 0.75 else "top"
    p["legend_heading"] = rng.random() < 0.55
    p["legend_heading_text"] = rng.choice(["Légende du niveau d'avancement :", "Légende",
                                           "Légende :", "Niveau d'avancement :"])
    p["legend_position"] = _pick(rng, {"top": 0.3, "bottom": 0.45, "side": 0.25})
    p["legend_inline"] = p["legend_position"] != "side" and rng.random() < 0.5
    p["legend_variants"] = rng.random() < 0.25
    p["legend_labels"] = {s: (rng.choice(LEGEND_LABELS[s]) if p["legend_variants"]
                              else LEGEND_LABELS[s][0]) for s in STATUSES}
    p["legend_swatch_right"] = rng.random() < 0.1
    p["legend_order_reversed"] = rng.random() < 0.15
    p["paper"] = _pick(rng, {"white": 0.45, "off-white": 0.25, "yellowed": 0.3})
    p["paper_rgb"] = list(draw_paper(rng, p["paper"]))
    p["greyscale"] = rng.random() < 0.05
    palette = _pick(rng, {"greens": 0.25, "blues": 0.2, "own": 0.2, "one-hue": 0.2,
                          "pale": 0.15})
    p["palette"] = "isoluminant" if p["greyscale"] else palette
    p["palette_rgb"] = draw_palette(rng, p["palette"], tuple(p["paper_rgb"]))
    order = list(range(4))
    if p["palette"] in ("own", "pale") or (p["palette"] != "one-hue" and rng.random() < 0.2):
        rng.shuffle(order)
    elif p["palette"] == "one-hue" and rng.random() < 0.4:
        order.reverse()
    p["palette_order"] = order  # palette_rgb[order[i]] is the colour of STATUSES[i]
    p["status_weights"] = [round(rng.uniform(0.1, 1.0), 2) for _ in STATUSES]
    if rng.random() < 0.3:
        p["status_weights"][3] = 0.0
    p["missing_marks"] = rng.randint(1, 3) if rng.random() < 0.12 else 0
    p["font"] = rng.choice(FONTS)
    p["font_heading"] = p["font"] if rng.random() < 0.6 else rng.choice(FONTS)
    p["body_pt_max"] = round(rng.uniform(8.5, 11.0), 1)
    p["hanging_indent"] = rng.random() < 0.7
    p["hyphen_breaks"] = rng.random() < 0.3
    p["guillemet_glue"] = rng.random() < 0.7
    p["multi_page"] = rng.random() < 0.08
    p["results_page"] = rng.random() < 0.1
    p["letter"] = _pick(rng, {"none": 0.73, "cover": 0.23, "only": 0.04})
    p["letter_side_by_side"] = rng.random() < 0.5
    p["letter_glued_salutation"] = rng.random() < 0.15
    p["letter_deck"] = p["format"] == "deck" and rng.random() < 0.5
    p["summary"] = _pick(rng, {"none": 0.3, "top": 0.2, "bottom": 0.3, "letter": 0.2})
    if p["summary"] == "letter" and p["letter"] == "none":
        p["summary"] = "bottom"
    if p["letter"] == "only":
        p["summary"] = "letter"
    p["summary_words"] = rng.random() < 0.25
    p["summary_misstated"] = p["summary"] != "none" and rng.random() < 0.08
    p["deck_bar_rgb"] = [rng.randint(10, 70), rng.randint(30, 90), rng.randint(60, 130)]
    p["deck_icons"] = rng.randint(2, 6)
    _draw_scan(rng, p)
    return p


def _draw_scan(rng: random.Random, p: dict[str, Any]) -> None:
    p["born_digital"] = not p["greyscale"] and rng.random() < 0.14
    p["photo"] = not p["born_digital"] and rng.random() < 0.12
    p["dpi"] = int(_pick(rng, {"100": 0.2, "150": 0.3, "200": 0.3, "300": 0.2}))
    if p["photo"]:
        p["dpi"] = rng.choice([150, 200])
    turn = {"0": 0.8, "90": 0.07, "180": 0.05, "270": 0.08}
    if p["format"] == "deck":
        turn = {"0": 0.55, "90": 0.2, "180": 0.05, "270": 0.2}
    p["quarter_turn"] = 0 if p["born_digital"] else int(_pick(rng, turn))
    p["skew_deg"] = round(rng.uniform(-3, 3), 2) if rng.random() < 0.6 else 0.0
    p["blur_sigma"] = round(rng.uniform(0.5, 1.3), 2) if rng.random() < 0.3 else 0.0
    p["noise_sigma"] = round(rng.uniform(1.0, 8.0), 1) if rng.random() < 0.6 else 0.0
    p["jpeg_quality"] = rng.randint(25, 90)
    cast = rng.random() < 0.35
    p["cast_gamma"] = [round(rng.uniform(0.82, 1.18), 3) if cast else 1.0 for _ in range(3)]
    p["photo_light"] = round(rng.uniform(0.12, 0.35), 2)
    p["photo_corner_frac"] = round(rng.uniform(0.02, 0.06), 3)
    p["output_single"] = _pick(rng, {"jpeg": 0.35, "png": 0.15, "image-pdf": 0.3, "tiff": 0.2})
    p["output_multi"] = _pick(rng, {"image-pdf": 0.6, "tiff": 0.4})
    p["tiff_compression"] = "tiff_deflate" if rng.random() < 0.3 else "jpeg"
    if p["output_single"] == "png":  # PNG exports are clean and small, else they weigh megabytes
        p["png_noise_sigma"] = round(rng.uniform(0.0, 1.5), 1)
        p["png_dpi"] = rng.choice([100, 150])


def draw_page_style(rng: random.Random, p: dict[str, Any]) -> None:
    """Margins, sizes and tints of the page furniture (after draw_design)."""
    p["margin"] = round(rng.uniform(40, 62) if p["format"] == "portrait" else rng.uniform(22, 34))
    p["legend_pt"] = round(rng.uniform(7.5, 10.0), 1)
    p["bar_h"] = round(rng.uniform(40, 54))
    tint = rng.choice([(232, 238, 247), (238, 244, 236), (245, 241, 232), (240, 240, 240)])
    p["panel_rgb"] = list(tint)
    p["header_line"] = rng.choice(["Rapport d'étape", "Suivi de la mission", "Document de travail",
                                   "Tableau de bord des mesures"])
    p["table_horizon"] = rng.random() < 0.5
    p["table_status_first"] = rng.random() < 0.2
    p["table_title_head"] = rng.choice(["Mesure", "Intitulé de la mesure", "Mesures"])
    p["table_status_head"] = rng.choice(["Avancement", "État", "Statut"])
    p["table_head_rgb"] = list(rng.choice([(220, 220, 220), (210, 222, 240), (255, 255, 255)]))
    p["table_dim_rgb"] = list(rng.choice([(238, 238, 238), (226, 236, 226), (255, 255, 255)]))
    p["letter_pt"] = round(rng.uniform(9.5, 11.5), 1)
    p["letter_logo"] = rng.random() < 0.5
    p["letter_rx"] = round(rng.uniform(0.5, 0.58), 3)
    p["letter_date_right"] = rng.random() < 0.6
    p["letter_role_first"] = rng.random() < 0.7
    p["desk_rgb"] = [rng.randint(40, 120), rng.randint(35, 100), rng.randint(30, 90)]
    p["mesure_sep"] = rng.choice(["—", ":", "–"])
    p["n_style"] = rng.choice(["n°", "N° "])
    p["label_suffix"] = rng.choice(["", ".", " –"])
