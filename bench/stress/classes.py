"""Failure-class tags of a stress document, read off its final (drawn and scanned) parameters."""
from __future__ import annotations

from typing import Any

from bench.stress.content import STATUSES
from bench.stress.design import LEGEND_LABELS

SHAPE_TAG = {"square": "marks-square", "disc": "marks-disc", "cell": "marks-cell",
             "rounded": "marks-other-shape", "pill": "marks-other-shape"}
OUTPUT_TAG = {"born-digital": "born-digital", "image-pdf": "image-pdf", "tiff": "tiff",
              "png": "png", "jpeg": "jpeg"}


def _dpi_tag(dpi: int) -> str:
    if dpi < 125:
        return "dpi-100"
    if dpi < 175:
        return "dpi-150"
    if dpi < 250:
        return "dpi-200"
    return "dpi-300"


def _horizon_tags(measures: list[dict[str, Any]]) -> set[str]:
    tags = set()
    for m in measures:
        lo, hi = m["horizon_min_months"], m["horizon_max_months"]
        if lo is None:
            tags.add("horizon-none")
        elif lo % 12 == 0 and hi % 12 == 0 and lo >= 12:
            tags.add("horizon-years")
            if lo != hi:
                tags.add("horizon-range")
        elif lo == hi:
            tags.add("horizon-single-months")
        else:
            tags.add("horizon-range")
    return tags


def classes_for(record: dict[str, Any]) -> list[str]:
    """Every tag the document deserves (see TRUTH-FORMAT.md and the stress README)."""
    p = record["params"]
    measures = record["measures"]
    t: set[str] = set()
    if measures:
        t.add(f"layout-{p['layout']}")
        t.add(SHAPE_TAG[p["mark_shape"]])
        if p["layout"] == "strip":
            t.add(f"{p['strip_spacing']}-marks")
            t.add(f"numbers-{p['strip_numbers']}")
            t.add("strip-two-rows" if p["strip_rows"] == 2 else "strip-one-row")
        t.add("legend-heading" if p["legend_heading"] else "legend-no-heading")
        t.add(f"legend-{p['legend_position']}")
        if p["legend_inline"]:
            t.add("legend-inline-row")
        if any(p["legend_labels"][s] != LEGEND_LABELS[s][0] for s in STATUSES):
            t.add("legend-label-variants")
        if p["legend_swatch_right"]:
            t.add("legend-swatch-right")
        t.add(f"columns-{p['columns']}")
        t.add(f"numbering-{p['numbering']}")
        t |= _horizon_tags(measures)
        if all(m["dimension"] is None for m in measures):
            t.add("dimensions-none")
        if p["missing_marks"]:
            t.add("marks-missing")
        if p["format"] == "deck":
            t.add("deck-slide")
        if min(p.get("body_pt", [99])) < 8:
            t.add("small-text")
        t.add("other-mission" if not p["reference"] else "reference-mission")
        t.add({"greens": "palette-distinct", "blues": "palette-distinct",
               "own": "palette-distinct", "one-hue": "palette-one-hue", "pale": "palette-pale",
               "isoluminant": "greyscale"}[p["palette"]])
    if record["n_pages"] > 1:
        t.add("multi-page")
    if record["letters"]:
        t.add("letter")
        if p["letter_side_by_side"]:
            t.add("letter-side-by-side")
        if p["letter_glued_salutation"]:
            t.add("letter-glued-salutation")
    if p["summary_misstated"]:
        t.add("summary-misstated")
    if p["results_page"] and measures:
        t.add("distractor-list")
    if p["apostrophe"] != "'":
        t.add("apostrophe-typographic")
    t.add(OUTPUT_TAG[p["output"]])
    if p["output"] != "born-digital":
        t |= _scan_tags(p)
    return sorted(t)


def _scan_tags(p: dict[str, Any]) -> set[str]:
    t = {_dpi_tag(p["dpi"])}
    if p["quarter_turn"]:
        t.add(f"rotated-{p['quarter_turn']}")
    if p["photo"]:
        t.add("photo")
    elif abs(p["skew_deg"]) >= 0.5:
        t.add("skew")
    jpeg_coded = p["output"] in ("jpeg", "image-pdf") or (
        p["output"] == "tiff" and p["tiff_compression"] == "jpeg")
    if jpeg_coded and p["jpeg_quality"] < 50:
        t.add("jpeg-low")
    if p["blur_sigma"]:
        t.add("blur")
    if p["noise_sigma"]:
        t.add("noise")
    t.add({"white": "paper-white", "off-white": "paper-off-white",
           "yellowed": "paper-yellowed"}[p["paper"]])
    if max(abs(g - 1.0) for g in p["cast_gamma"]) > 0.05:
        t.add("colour-cast")
    if p["greyscale"]:
        t.add("greyscale")
    return t
