"""One stress document from its seed: content, drawn pages, scanned bytes and the truth record."""
from __future__ import annotations

import io
import random
from typing import Any

from reportlab.pdfgen.canvas import Canvas

from bench.stress.classes import classes_for
from bench.stress.compose import Ctx, Item, plan_and_draw
from bench.stress.content import (
    STATUSES,
    Mission,
    dimension_heading,
    draw_mission,
    horizon_text,
    summary_sentence,
)
from bench.stress.design import draw_design, draw_page_style
from bench.stress.draw import font_names
from bench.stress.letter import draw_letter, draw_letter_fields, draw_results_page
from bench.stress.scan import scan

GENERATOR = "A"
PREFIX_LETTER = {"operationnelle": "O", "strategique": "S", "politique": "P"}
EXT = {"jpeg": "jpg", "png": "png", "tiff": "tif", "image-pdf": "pdf", "born-digital": "pdf"}


def _numbering(p: dict[str, Any], dim: str | None, glob: int, local: int) -> tuple:
    """(number, label, printed prefix, strip/table cell) of one measure."""
    style, suf = p["numbering"], p["label_suffix"]
    if style == "none":
        return None, None, "", ""
    if style == "restart":
        return local, str(local), f"{local}.", str(local)
    if style == "prefix":
        lab = f"{PREFIX_LETTER[dim]}{local}"  # type: ignore[index]
        return local, lab, lab + suf, lab
    if style == "M":
        return glob, f"M{glob}", f"M{glob}" + suf, f"M{glob}"
    prefix = {"dot": f"{glob}.", "paren": f"{glob})",
              "mesure": f"Mesure {glob} {p['mesure_sep']}", "n": f"{p['n_style']}{glob}"}[style]
    return glob, str(glob), prefix, str(glob)


def _items(p: dict[str, Any], rng: random.Random, mission: Mission) -> list[Item]:
    colours = {s: tuple(p["palette_rgb"][p["palette_order"][i]]) for i, s in enumerate(STATUSES)}
    items: list[Item] = []
    for g, (dim, hz, titles) in enumerate(mission.groups):
        for local, title in enumerate(titles, 1):
            number, label, prefix, cell = _numbering(p, dim, len(items) + 1, local)
            status = rng.choices(STATUSES, weights=p["status_weights"])[0]
            items.append(Item(len(items) + 1, g, dim, hz, title.replace("'", p["apostrophe"]),
                              number, label, prefix, cell, status, colours[status]))
    for k in rng.sample(range(len(items)), min(p["missing_marks"], len(items))):
        items[k].status, items[k].colour = None, None
    return items


def _summary(p: dict[str, Any], rng: random.Random, items: list[Item]) -> tuple:
    counts = {s: sum(it.status == s for it in items) for s in STATUSES}
    if p["summary_misstated"]:
        s = rng.choice(STATUSES)
        counts[s] = max(0, counts[s] + rng.choice([-2, -1, 1, 2]))
        if counts[s] == sum(it.status == s for it in items):
            counts[s] += 1
    text = summary_sentence(counts, p["summary_words"]).replace("'", p["apostrophe"])
    return text, counts


def build_document(seed: int, index: int) -> tuple[str, bytes, dict[str, Any]]:
    """(file name, bytes, truth) of document index of the set drawn with seed."""
    rng = random.Random(f"stress-{GENERATOR}:{seed}:{index}")
    p = draw_design(rng)
    draw_page_style(rng, p)
    mission = draw_mission(rng, p["reference"], p["horizon_form"], p["with_dimensions"])
    items = _items(p, rng, mission)
    apo = p["apostrophe"]
    headings, hz_cells = {}, {}
    for g, (dim, hz, titles) in enumerate(mission.groups):
        hz_text = horizon_text(rng, hz, p["horizon_style"])
        hz_cells[g] = hz_text.removeprefix("à ")
        if dim is not None:
            headings[g] = dimension_heading(rng, dim, len(titles), hz_text, mission.reference,
                                            p["heading_wording"]).replace("'", apo)
    p["hz_cell"] = hz_cells
    order = list(STATUSES)[::-1] if p["legend_order_reversed"] else list(STATUSES)
    legend = [(s, p["legend_labels"][s].replace("'", apo),
               tuple(p["palette_rgb"][p["palette_order"][STATUSES.index(s)]])) for s in order]
    summary, stated = _summary(p, rng, items) if p["summary"] != "none" else (None, {})
    fonts = font_names(p["font"])
    hfonts = font_names(p["font_heading"])
    n, k = mission.n_measures, len(mission.groups)
    announce = (f"{n} mesures autour de 3 dimensions et 3 temporalités" if mission.reference
                else f"{n} mesures autour de {k} dimensions" if headings
                else f"Les {n} mesures de la mission")
    title = rng.choice([f"Mission « {mission.title} »", f"{mission.title} : suivi des mesures",
                        f"Rapport d'étape de la mission « {mission.title} »"]).replace("'", apo)
    ctx = Ctx(p, rng, fonts[0], fonts[1], hfonts[0], hfonts[1], items, headings, legend,
              summary, title, announce)
    buf = io.BytesIO()
    canvas = Canvas(buf, invariant=1)
    truth: dict[str, Any] = {"measures": [], "status_summary": [], "legend": [], "letters": []}
    page = 1
    if p["letter"] != "none":
        fields = draw_letter_fields(rng, apo, mission.title)
        in_letter = summary if p["summary"] == "letter" else None
        truth["letters"].append(draw_letter(canvas, p, fields, fonts, in_letter, page))
        if in_letter:
            truth["status_summary"] = _summary_rows(stated, page)
        page += 1
    if p["letter"] != "only":
        if p["results_page"]:
            draw_results_page(canvas, p, hfonts, title, mission.reference)
            page += 1
        pages = plan_and_draw(ctx, canvas, page)
        for pt in pages:
            truth["legend"].extend(pt.legend)
            if pt.summary:
                truth["status_summary"] = _summary_rows(stated, pt.legend[0]["page"])
        truth["measures"] = [_measure_truth(p, it) for it in items]
        page += len(pages)
    canvas.save()
    return _finish(seed, index, p, buf.getvalue(), page - 1, truth, mission)


def _summary_rows(stated: dict[str, int], page: int) -> list[dict[str, Any]]:
    return [{"page": page, "status": s, "count": stated[s]} for s in STATUSES]


def _measure_truth(p: dict[str, Any], it: Item) -> dict[str, Any]:
    lo, hi = it.hz if it.hz and it.dim is not None else (None, None)
    return {"page": it.page, "position": it.pos, "number": it.number, "label": it.label,
            "number_inferred": it.number is None, "title": it.title, "dimension": it.dim,
            "horizon_min_months": lo, "horizon_max_months": hi, "status": it.status,
            "status_legible": not p["greyscale"]}


def _finish(seed: int, index: int, p: dict[str, Any], pdf: bytes, n_pages: int,
            truth: dict[str, Any], mission: Mission) -> tuple[str, bytes, dict[str, Any]]:
    if p["born_digital"]:
        kind_out = "born-digital"
        data = pdf
    else:
        kind_out = p["output_single"] if n_pages == 1 else p["output_multi"]
        if p["photo"] and n_pages == 1:
            kind_out = "jpeg"
        if kind_out == "png":
            p["noise_sigma"], p["dpi"] = p["png_noise_sigma"], p["png_dpi"]
        data = scan(pdf, kind_out, p, [seed, index])
    p["output"] = kind_out
    kind = ("letter" if p["letter"] == "only" else
            "report+letter" if p["letter"] == "cover" else "report")
    body = "deck" if p["format"] == "deck" else "page"
    name = f"{index:03d}-{kind.replace('+', '-')}-{body}-{p['layout']}.{EXT[kind_out]}"
    record = {"source": name, "generator": GENERATOR, "seed": seed, "kind": kind,
              "n_pages": n_pages, "classes": [], "params": {**p, "index": index,
                                                              "mission": mission.title},
              "statuses_legible": not p["greyscale"], **truth}
    record["classes"] = classes_for(record)
    return name, data, record

