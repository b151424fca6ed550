"""What one held-out document holds: kind, mission, measures, statuses, pages, drawn at random."""

from __future__ import annotations

import math
import random
from dataclasses import asdict, dataclass

from bench.heldout import content, style
from bench.heldout.style import Dealer

KINDS = ["deck"] * 14 + ["report"] * 26 + ["report+letter"] * 8 + ["letter"] * 12
OUTPUTS = ["born-digital"] * 6 + ["image-pdf"] * 18 + ["tiff"] * 12 + ["png"] * 10 + ["jpeg"] * 14
SINGLE_PAGE = {"png", "jpeg"}
NUMBERINGS = ["dot", "dot", "paren", "mesure", "n", "M", "restart", "prefix", "none"]
PREFIX = {"operationnelle": "O", "strategique": "S", "politique": "P"}


@dataclass
class Measure:
    """One measure as drawn: what it says, how it is numbered, which status it shows, where."""

    title: str
    dimension: str | None
    hmin: int | None
    hmax: int | None
    number: int | None = None
    label: str | None = None
    printed: str = ""
    status: str | None = None
    page: int = 1


def _choose_mission(rng: random.Random, dealer: Dealer) -> dict:
    if dealer.deal("mission", ["reference", "other"]) == "reference":
        return content.REFERENCE
    key = dealer.deal("other_mission", [m["key"] for m in content.OTHERS])
    return next(m for m in content.OTHERS if m["key"] == key)


def _other_horizons(rng: random.Random, dealer: Dealer, dims: list[str]) -> dict:
    kind = dealer.deal("horizon", ["range", "single-months", "years", "none"])
    if kind == "range":
        spans = [(3, 9), (6, 12), (12, 18)] if rng.random() < 0.6 else [(3, 6), (6, 12), (12, 24)]
    elif kind == "single-months":
        spans = [(3, 3), (6, 6), (9, 9)] if rng.random() < 0.5 else [(6, 6), (12, 12), (18, 18)]
    elif kind == "years":
        spans = [(12, 12), (24, 24), (36, 36)]
    else:
        spans = [(None, None)] * 3
    return {"kind": kind, "spans": {d: spans[i] for i, d in enumerate(dims)}}


def draw_measures(rng: random.Random, dealer: Dealer, mission: dict) -> tuple[list[Measure], dict]:
    """Returns the measures in reading order and how their horizons are worded."""
    if mission is content.REFERENCE:
        style_h = rng.choice(["slash", "slash", "words"])
        out = [Measure(t, d, *mission["horizons"][d], status=None)
               for d in content.DIMENSIONS for t in mission["measures"][d]]
        return out, {"kind": "range", "wording": style_h}
    dims_kind = dealer.deal("dims", ["3", "3", "2", "none"])
    n = rng.randint(6, 18)
    if dims_kind == "none":
        pool = [t for d in content.DIMENSIONS for t in mission["measures"][d]]
        titles = sorted(rng.sample(range(len(pool)), n))
        return [Measure(pool[i], None, None, None) for i in titles], {"kind": "none",
                                                                     "wording": "none"}
    dims = list(content.DIMENSIONS) if dims_kind == "3" else sorted(
        rng.sample(content.DIMENSIONS, 2), key=content.DIMENSIONS.index)
    n = max(n, 2 * len(dims))
    n = min(n, 6 * len(dims))
    counts = [2] * len(dims)
    while sum(counts) < n:
        k = rng.randrange(len(dims))
        if counts[k] < 6:
            counts[k] += 1
    horizons = _other_horizons(rng, dealer, dims)
    out = []
    for d, c in zip(dims, counts):
        picks = sorted(rng.sample(range(6), c))
        hmin, hmax = horizons["spans"][d]
        out += [Measure(mission["measures"][d][i], d, hmin, hmax) for i in picks]
    return out, {"kind": horizons["kind"], "wording": rng.choice(["slash", "words"])}


def number_measures(measures: list[Measure], numbering: str, rng: random.Random) -> None:
    """Sets each measure's printed numbering, its number and its label."""
    dash = rng.choice(["–", "—", ":"])
    seen: dict[str | None, int] = {}
    for k, m in enumerate(measures, start=1):
        seen[m.dimension] = seen.get(m.dimension, 0) + 1
        local = seen[m.dimension]
        if numbering == "none":
            m.number, m.label, m.printed = None, None, ""
        elif numbering == "restart":
            m.number, m.label, m.printed = local, str(local), f"{local}."
        elif numbering == "prefix":
            lab = f"{PREFIX[m.dimension]}{local}"
            m.number, m.label, m.printed = local, lab, lab
        else:
            m.number, m.label = k, str(k)
            m.printed = {"dot": f"{k}.", "paren": f"{k})", "mesure": f"Mesure {k} {dash}",
                         "n": f"n° {k}", "M": f"M{k}"}[numbering]
            if numbering == "M":
                m.label = f"M{k}"


def draw_statuses(rng: random.Random, measures: list[Measure], allow_missing: bool) -> bool:
    """Sets each measure's status; returns False when the document shows no status at all."""
    if rng.random() < 0.07:
        return False
    weights = [rng.uniform(0.5, 3) for _ in content.STATUSES]
    if rng.random() < 0.4:
        weights[3] = 0.0  # many reports have no measure « remise en cause »
    for m in measures:
        m.status = rng.choices(content.STATUSES, weights)[0]
        if allow_missing and rng.random() < 0.06:
            m.status = None
    return True


def group_measures(measures: list[Measure]) -> list[list[int]]:
    """Returns runs of consecutive measure indexes sharing one dimension."""
    groups: list[list[int]] = []
    for i, m in enumerate(measures):
        if groups and measures[groups[-1][0]].dimension == m.dimension:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def draw_letter(rng: random.Random, mission: dict, n_measures: int) -> dict:
    """Returns a cover letter's parties, date, subject and layout."""
    recipient, org, address, salutation = rng.choice(content.RECIPIENTS)
    year = rng.randint(2019, 2024)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    date_style = rng.choice(["le", "le", "no-le", "numeric", "fait-a"])
    subject = rng.choice(content.SUBJECTS).format(mission=mission["title"])
    title = salutation.rstrip(",")
    body = [content.BODY[0].format(mission=mission["title"])]
    body += rng.sample(content.BODY[1:], rng.randint(1, 3))
    body = [p.format(n=n_measures) for p in body]
    return {
        "place": rng.choice(mission["places"]), "year": year, "month": month, "day": day,
        "date_style": date_style, "sender_org": mission["org"], "sender_role": mission["role"],
        "signatory": mission["signatory"],
        "sender_address": list(content.SENDER_ADDRESSES[mission["key"]]),
        "recipient": recipient, "recipient_org": org, "recipient_address": list(address),
        "subject": subject, "salutation": salutation, "body": body,
        "closing": rng.choice(content.CLOSINGS).format(title=title),
        "layout": rng.choice(["side-by-side", "stacked", "stacked-right"]),
        "glued_salutation": rng.random() < 0.2,
        "date_place": rng.choice(["above-recipient", "below-recipient", "left"]),
        "role_above_name": rng.random() < 0.5,
    }


def _apostrophes(measures: list[Measure], apostrophe: str) -> None:
    if apostrophe != "'":
        for m in measures:
            m.title = m.title.replace("'", apostrophe)


def fit_strip(st: dict, measures: list[Measure], page_format: str) -> None:
    """Shrinks a strip's marks, or breaks it into two rows, until a row fits the page width."""
    w_mm = {"a4": 210 - 34, "a4-landscape": 297 - 34, "slide": 338.67 - 22}[page_format]
    width = w_mm / 25.4 * 96 * 0.9
    longest = max(len(m.label or "") for m in measures)
    while True:
        text_w = 0.62 * st["number_px"] * longest
        if st["numbers"] == "inside":
            st["disc_px"] = max(st["disc_px"], int(text_w + 6))
        elif st["numbers"] in ("under", "above"):
            st["disc_px"] = max(st["disc_px"], int(text_w + 6 - min(st["gap_px"], 0)))
        per_row = math.ceil(len(measures) / st["rows"])
        cell = st["disc_px"] + st["gap_px"] + (text_w + 3 if st["numbers"] == "beside" else 0)
        if per_row * cell <= width:
            return
        if st["gap_px"] > 4:
            st["gap_px"] -= 2
        elif st["number_px"] > 9:
            st["number_px"] -= 1
        elif st["disc_px"] > 16:
            st["disc_px"] -= 2
        elif st["rows"] == 1:
            st["rows"] = 2
        else:
            return


def _decorate(doc: dict, rng: random.Random, mission: dict) -> None:
    """Sets the page furniture: titles, date of the progress point, prose, decorative shapes."""
    doc["org"] = mission["org"]
    doc["as_of"] = f"{content.MONTHS[rng.randrange(12)]} {rng.randint(2019, 2024)}"
    doc["page_title"] = rng.choice([mission["title"], "Niveau d'avancement des mesures",
                                    "Suivi de la mise en œuvre des propositions",
                                    "Les mesures de la mission"])
    doc["page_sub"] = ""
    doc["heading_variant"] = rng.randrange(4)
    doc["table_status_head"] = rng.choice(["Avancement", "Niveau d'avancement", "État", "Statut"])
    doc["filler"] = rng.sample(content.FILLER, rng.randint(2, 3))
    doc["streams"] = mission["streams"]
    doc["decor"] = [(rng.randint(100, 400), rng.randint(50, 650), rng.randint(30, 140),
                     round(rng.uniform(0.12, 0.5), 2)) for _ in range(rng.randint(2, 5))]
    doc["first_measure_page"] = 1


def draw_document(index: int, set_seed: int, dealer: Dealer) -> dict:
    """Returns the full plan of document `index` of a set: content, pages, style (no scan)."""
    doc_seed = set_seed * 10007 + index
    rng = random.Random(doc_seed)
    kind = dealer.deal("kind", KINDS)
    allowed = {"born-digital", "image-pdf", "tiff"} if kind == "report+letter" else None
    output = dealer.deal("output", OUTPUTS, allowed)
    single = output in SINGLE_PAGE
    page_format = "slide" if kind == "deck" else ("a4-landscape" if kind == "report"
                                                  and rng.random() < 0.15 else "a4")
    doc = {"index": index, "doc_seed": doc_seed, "set_seed": set_seed, "kind": kind,
           "output": output, "page_format": page_format}
    mission = _choose_mission(rng, dealer)
    doc["mission"] = mission["key"]
    doc["mission_title"] = mission["title"]
    sty = style.draw_style(rng, dealer, page_format)
    doc["style"] = sty
    _decorate(doc, rng, mission)
    if kind == "letter":
        n = 21 if mission is content.REFERENCE else rng.randint(6, 18)
        doc["letter"] = draw_letter(rng, mission, n)
        doc["measures"], doc["pages"], doc["has_statuses"] = [], [{"type": "letter"}], False
        if page_format == "slide":
            doc["letter"]["layout"] = "side-by-side"
        return doc
    measures, horizon = draw_measures(rng, dealer, mission)
    doc["horizon"] = horizon
    layout = dealer.deal("deck_layout" if kind == "deck" else "layout",
                         ["strip", "strip", "line"] if kind == "deck" else
                         ["line", "table", "strip"])
    groups = group_measures(measures)
    allowed_num = set(NUMBERINGS)
    if layout == "strip":
        allowed_num -= {"none", "restart"}
    if len(groups) < 2 or measures[0].dimension is None:
        allowed_num -= {"restart", "prefix"}
    numbering = (dealer.deal("numbering", NUMBERINGS, allowed_num)
                 if mission is not content.REFERENCE or rng.random() < 0.5 else "dot")
    if numbering not in allowed_num:
        numbering = "dot"
    number_measures(measures, numbering, rng)
    _apostrophes(measures, sty["apostrophe"])
    has_statuses = draw_statuses(rng, measures, allow_missing=layout != "strip")
    columns = 1 if layout == "table" else dealer.deal("columns", [1, 2, 3])
    if kind == "deck" and rng.random() < 0.6:
        columns = min(3, len(groups)) if len(groups) > 1 else columns
    doc.update({"layout": layout, "numbering": numbering, "columns": columns,
                "has_statuses": has_statuses})
    words = layout == "table" and has_statuses and rng.random() < 0.3
    doc["status_words"] = words
    if layout == "strip":
        doc["strip"] = style.draw_strip(rng, dealer, len(measures))
        fit_strip(doc["strip"], measures, page_format)
    if has_statuses and not words:
        doc["legend"] = style.draw_legend(rng, dealer, columns)
    doc["mark_shape"] = (dealer.deal("mark_shape", ["square", "disc", "cell", "cell"])
                         if layout == "table" else
                         dealer.deal("line_mark_shape", ["square", "disc", "other"]))
    doc["other_shape"] = rng.choice(["diamond", "triangle", "pill"])
    # pages: measure pages first decided, then optional title/intro/letter pages around them
    split = (not single and len(groups) >= 2 and rng.random() < 0.3
             and not (kind == "deck" and layout == "strip" and rng.random() < 0.5))
    measure_pages = [groups[: (len(groups) + 1) // 2], groups[(len(groups) + 1) // 2:]] \
        if split else [groups]
    pages: list[dict] = []
    letter = None
    if kind == "report+letter" or (kind == "deck" and not single and rng.random() < 0.3):
        letter = draw_letter(rng, mission, len(measures))
        pages.append({"type": "letter"})
    if kind == "deck" and not single and rng.random() < 0.7:
        pages.insert(0, {"type": "title"})
    if kind != "deck" and not single and rng.random() < 0.3:
        pages.append({"type": "intro"})
    first_measure_page = len(pages) + 1
    legend_once = split and rng.random() < 0.2
    for k, run in enumerate(measure_pages):
        for grp in run:
            for i in grp:
                measures[i].page = len(pages) + 1
        pages.append({"type": "measures", "groups": run,
                      "legend": "legend" in doc and (k == 0 or not legend_once)})
    doc["legend_once"] = legend_once
    summary_at = None
    if has_statuses and rng.random() < 0.6:
        options = [first_measure_page - 1 + len(measure_pages)]
        options += [i + 1 for i, p in enumerate(pages) if p["type"] in ("intro", "letter")]
        summary_at = rng.choice(options)
        pages[summary_at - 1]["summary"] = True
    doc["summary"] = {"page": summary_at, "variant": rng.randrange(3),
                      "words": rng.random() < 0.25}
    if letter is not None and page_format == "slide":
        letter["layout"] = "side-by-side"
    doc["letter"] = letter
    doc["first_measure_page"] = first_measure_page
    n_dims = len({m.dimension for m in measures if m.dimension})
    doc["page_sub"] = (f"{len(measures)} mesures autour de {n_dims} dimensions et {n_dims} "
                       f"temporalités" if n_dims > 1 and rng.random() < 0.6 else
                       f"{len(measures)} mesures" if rng.random() < 0.5 else "")
    doc["measures"] = [asdict(m) for m in measures]
    doc["pages"] = pages
    return doc
