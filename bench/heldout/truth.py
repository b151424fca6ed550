"""Truth files of held-out documents: what each page shows, its class tags, and their checks."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

from bench.heldout import content

TRUTH_KEYS = {"source", "generator", "seed", "kind", "n_pages", "classes", "params",
              "statuses_legible", "measures", "status_summary", "legend", "letters"}
MEASURE_KEYS = {"page", "position", "number", "label", "number_inferred", "title", "dimension",
                "horizon_min_months", "horizon_max_months", "status", "status_legible"}
LETTER_KEYS = {"page", "place", "date", "sender_org", "sender_role", "recipient",
               "recipient_org", "recipient_address", "subject", "salutation"}
LEGEND_TAGS = {"top-box": ["legend-top"], "top-row": ["legend-top", "legend-inline-row"],
               "bottom-row": ["legend-bottom", "legend-inline-row"],
               "bottom-box": ["legend-bottom"], "side": ["legend-side"]}
NUMBERING_TAGS = {"dot": "numbering-dot", "paren": "numbering-paren", "mesure": "numbering-mesure",
                  "n": "numbering-n", "M": "numbering-M", "restart": "numbering-restart",
                  "prefix": "numbering-prefix", "none": "numbering-none"}


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _horizon_tags(measures: list[dict]) -> set[str]:
    tags = set()
    for m in measures:
        lo, hi = m["hmin"], m["hmax"]
        if lo is None:
            tags.add("horizon-none")
        elif lo != hi:
            tags.add("horizon-range")
            if lo % 12 == 0 and hi % 12 == 0:
                tags.add("horizon-years")
        elif lo % 12 == 0:
            tags.add("horizon-years")
        else:
            tags.add("horizon-single-months")
    return tags


def _mark_tags(doc: dict) -> set[str]:
    layout = doc["layout"]
    tags = {f"layout-{layout}"}
    if not doc["has_statuses"]:
        return tags | {"statuses-none"}
    if any(m["status"] is None for m in doc["measures"]):
        tags.add("status-missing")
    if layout == "strip":
        st = doc["strip"]
        tags.add("marks-square" if st["shape"] == "square" else "marks-disc")
        tags.add({"spaced": "spaced-marks", "touching": "touching-marks",
                  "overlapping": "overlapping-marks"}[st["spacing"]])
        tags.add(f"numbers-{st['numbers']}")
        per_page = [sum(len(g) for g in p["groups"]) for p in doc["pages"]
                    if p["type"] == "measures"]
        two = st["rows"] == 2 and any(n >= 4 for n in per_page)
        tags.add("strip-two-rows" if two else "strip-one-row")
    elif doc["status_words"]:
        tags |= {"status-words", "marks-other-shape"}
    else:
        tags.add({"square": "marks-square", "disc": "marks-disc", "cell": "marks-cell",
                  "other": "marks-other-shape"}[doc["mark_shape"]])
    return tags


def class_tags(doc: dict, n_pages: int, eff: dict) -> list[str]:
    """Returns the failure-class tags a document exercises."""
    tags: set[str] = set()
    kinds = [p["type"] for p in doc["pages"]]
    if doc["page_format"] == "slide":
        tags.add("deck-slide")
    if n_pages > 1:
        tags.add("multi-page")
    if doc["mission"] != content.REFERENCE["key"]:
        tags.add("other-mission")
    if "letter" in kinds:
        lt = doc["letter"]
        tags.add("letter")
        if lt["layout"] == "side-by-side":
            tags.add("letter-side-by-side")
        if lt["glued_salutation"]:
            tags.add("letter-glued-salutation")
    if "title" in kinds:
        tags.add("decor-shapes")
    if "intro" in kinds:
        tags.add("streams-list")
    if doc["measures"]:
        tags |= _mark_tags(doc)
        tags |= _horizon_tags(doc["measures"])
        tags.add(NUMBERING_TAGS[doc["numbering"]])
        if doc["layout"] != "table":
            most = max(sum(len(g) for g in p["groups"]) for p in doc["pages"]
                       if p["type"] == "measures")
            tags.add(f"columns-{min(doc['columns'], most)}")
        else:
            tags.add("columns-1")
        if doc["has_statuses"]:
            tags.add(f"palette-{doc['style']['palette_kind']}")
        if doc["style"]["apostrophe"] != "'":
            tags.add("typographic-apostrophe")
    if doc.get("legend"):
        lg = doc["legend"]
        tags |= set(LEGEND_TAGS[lg["place"]])
        tags.add("legend-heading" if lg["heading"] else "legend-no-heading")
        if lg["labels_kind"] != "standard":
            tags.add("legend-label-variants")
        if doc["legend_once"]:
            tags.add("legend-other-page")
    if doc["measures"] and doc["summary"]["page"]:
        tags.add("summary-sentence")
        if doc["pages"][doc["summary"]["page"] - 1]["type"] == "letter":
            tags.add("summary-in-letter")
        if doc["summary"]["words"]:
            tags.add("summary-words")
    tags |= _scan_tags(doc, eff)
    return sorted(tags)


def _scan_tags(doc: dict, eff: dict) -> set[str]:
    out = doc["output"]
    tags = {out}
    sc = doc["scan"]
    if out == "born-digital":
        return tags
    if sc["photo"]:
        tags.add("photo")
    else:
        tags.add(f"dpi-{min((100, 150, 200, 300), key=lambda d: abs(d - eff['dpi']))}")
    if sc["raster"] == "chromium-screenshot":
        tags.add("raster-screenshot")
    q = eff["jpeg_quality"]
    if q is not None and q < 45:
        tags.add("jpeg-low")
    if sc["blur_sigma"] >= 0.8 or sc["photo"]:
        tags.add("blur")
    if sc["noise_sigma"]:
        tags.add("noise")
    if any(sc["skew_deg"]):
        tags.add("skew")
    if sc["rotated_pages"]:
        tags.add(f"rotated-{sc['rotation_cw']}")
    tags.add("paper-yellowed" if sc["paper"] == "yellowed" else "paper-white")
    if sc["cast"]:
        tags.add("colour-cast")
    if sc["grey"]:
        tags.add("grey-scan")
    return tags


def _statuses_readable(doc: dict) -> bool:
    return not doc.get("scan", {}).get("grey") or doc.get("status_words", False)


def build_truth(doc: dict, source: str, n_pages: int, eff: dict) -> dict:
    """Returns the truth record of one generated document, in the format of TRUTH-FORMAT.md."""
    readable = _statuses_readable(doc)
    measures = [{
        "page": m["page"], "position": k, "number": m["number"], "label": m["label"],
        "number_inferred": m["number"] is None, "title": _nfc(m["title"]),
        "dimension": m["dimension"], "horizon_min_months": m["hmin"],
        "horizon_max_months": m["hmax"], "status": m["status"], "status_legible": readable,
    } for k, m in enumerate(doc["measures"], start=1)]
    summary = []
    page = doc["summary"]["page"] if doc["measures"] else None
    if page:
        for s in content.STATUSES:
            n = sum(1 for m in doc["measures"] if m["status"] == s)
            summary.append({"page": page, "status": s, "count": n})
    legend = []
    for k, p in enumerate(doc["pages"], start=1):
        if p.get("legend"):
            lg = doc["legend"]
            legend += [{"page": k, "status": content.STATUSES[i], "label": lg["labels"][i]}
                       for i in lg["order"]]
    letters = []
    for k, p in enumerate(doc["pages"], start=1):
        if p["type"] == "letter":
            lt = doc["letter"]
            letters.append({
                "page": k, "place": lt["place"],
                "date": date(lt["year"], lt["month"], lt["day"]).isoformat(),
                "sender_org": lt["sender_org"], "sender_role": lt["sender_role"],
                "recipient": lt["recipient"], "recipient_org": lt["recipient_org"],
                "recipient_address": " ".join(lt["recipient_address"]),
                "subject": lt["subject"], "salutation": lt["salutation"]})
    kinds = {p["type"] for p in doc["pages"]}
    kind = ("report+letter" if {"letter", "measures"} <= kinds else
            "letter" if "letter" in kinds else "report")
    params = {k: v for k, v in doc.items() if k not in ("measures", "letter", "filler", "decor")}
    if doc.get("letter"):
        params["letter"] = {k: v for k, v in doc["letter"].items() if k != "body"}
    params["effective"] = eff
    return {
        "source": source, "generator": "B", "seed": doc["set_seed"], "kind": kind,
        "n_pages": n_pages, "classes": class_tags(doc, n_pages, eff), "params": params,
        "statuses_legible": any(m["status"] is not None and m["status_legible"]
                                for m in measures),
        "measures": measures, "status_summary": summary, "legend": legend, "letters": letters,
    }


def check_truth(truth: dict, root: Path) -> list[str]:
    """Returns what is wrong with a truth file (empty when it is well formed and consistent)."""
    errs = []
    if set(truth) != TRUTH_KEYS:
        errs.append(f"keys {sorted(set(truth) ^ TRUTH_KEYS)}")
        return errs
    if truth["generator"] != "B" or truth["kind"] not in ("report", "letter", "report+letter"):
        errs.append("generator or kind")
    if not (root / truth["source"]).is_file():
        errs.append(f"missing document {truth['source']}")
    n = truth["n_pages"]
    for k, m in enumerate(truth["measures"], start=1):
        if set(m) != MEASURE_KEYS or m["position"] != k or not 1 <= m["page"] <= n:
            errs.append(f"measure {k}: keys, position or page")
            continue
        if m["status"] not in (None, *content.STATUSES):
            errs.append(f"measure {k}: status {m['status']}")
        if m["dimension"] not in (None, *content.DIMENSIONS):
            errs.append(f"measure {k}: dimension {m['dimension']}")
        if m["title"] != unicodedata.normalize("NFC", m["title"]) or not m["title"].strip():
            errs.append(f"measure {k}: title not NFC or empty")
        if (m["number"] is None) != m["number_inferred"]:
            errs.append(f"measure {k}: number_inferred")
    for s in truth["status_summary"]:
        drawn = sum(1 for m in truth["measures"] if m["status"] == s["status"])
        if s["count"] != drawn:
            errs.append(f"summary {s['status']}: {s['count']} stated, {drawn} drawn")
    for lt in truth["letters"]:
        if set(lt) != LETTER_KEYS or not 1 <= lt["page"] <= n:
            errs.append("letter keys or page")
    if not all(isinstance(c, str) for c in truth["classes"]):
        errs.append("classes")
    return errs
