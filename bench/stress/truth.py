"""Checks a stress truth record against the truth format: vocabularies, positions, counts."""
from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from typing import Any

STATUSES = {"tres_satisfaisant", "satisfaisant", "retard_explique", "remis_en_cause"}
DIMENSIONS = {"operationnelle", "strategique", "politique"}
KINDS = {"report", "letter", "report+letter"}
KNOWN_CLASSES = {
    "touching-marks", "overlapping-marks", "spaced-marks", "marks-square", "marks-disc",
    "marks-cell", "marks-other-shape", "numbers-inside", "numbers-under", "numbers-above",
    "numbers-beside", "strip-one-row", "strip-two-rows", "layout-line", "layout-table",
    "layout-strip", "legend-heading", "legend-no-heading", "legend-top", "legend-bottom",
    "legend-side", "legend-inline-row", "legend-label-variants", "legend-swatch-right",
    "columns-1", "columns-2", "columns-3", "rotated-90", "rotated-270", "rotated-180", "skew",
    "photo", "dpi-100", "dpi-150", "dpi-200", "dpi-300", "jpeg-low", "blur", "noise",
    "paper-white", "paper-off-white", "paper-yellowed", "colour-cast", "palette-distinct",
    "palette-one-hue", "palette-pale", "greyscale", "numbering-dot", "numbering-paren",
    "numbering-mesure", "numbering-n", "numbering-M", "numbering-restart", "numbering-prefix",
    "numbering-none", "horizon-range", "horizon-single-months", "horizon-years", "horizon-none",
    "other-mission", "reference-mission", "deck-slide", "multi-page", "letter",
    "letter-side-by-side", "letter-glued-salutation", "born-digital", "image-pdf", "tiff", "png",
    "jpeg", "dimensions-none", "summary-misstated", "distractor-list", "marks-missing",
    "apostrophe-typographic", "small-text",
}
LETTER_KEYS = ("page", "place", "date", "sender_org", "sender_role", "recipient",
               "recipient_org", "recipient_address", "subject", "salutation")


def _measure_problems(m: dict[str, Any], i: int, n_pages: int) -> list[str]:
    where = f"measure {i + 1}"
    out = []
    if m.get("position") != i + 1:
        out.append(f"{where}: position {m.get('position')} is not {i + 1}")
    if not 1 <= m.get("page", 0) <= n_pages:
        out.append(f"{where}: page {m.get('page')} outside 1..{n_pages}")
    if m.get("status") is not None and m["status"] not in STATUSES:
        out.append(f"{where}: status {m['status']!r} not in the vocabulary")
    if m.get("dimension") is not None and m["dimension"] not in DIMENSIONS:
        out.append(f"{where}: dimension {m['dimension']!r} not in the vocabulary")
    lo, hi = m.get("horizon_min_months"), m.get("horizon_max_months")
    if (lo is None) != (hi is None) or (lo is not None and not 0 < lo <= hi):
        out.append(f"{where}: horizon {lo}-{hi} is not a range")
    if m.get("number_inferred") != (m.get("number") is None):
        out.append(f"{where}: number_inferred {m.get('number_inferred')} with number "
                   f"{m.get('number')}")
    if (m.get("label") is None) != (m.get("number") is None):
        out.append(f"{where}: label {m.get('label')!r} with number {m.get('number')}")
    title = m.get("title") or ""
    if not title.strip() or unicodedata.normalize("NFC", title) != title:
        out.append(f"{where}: title empty or not NFC")
    return out


def truth_problems(t: dict[str, Any]) -> list[str]:
    """Everything wrong with one truth record (empty when it is valid)."""
    out = []
    for key in ("source", "kind", "n_pages", "classes", "params", "statuses_legible",
                "measures", "status_summary", "legend", "letters"):
        if key not in t:
            out.append(f"missing key {key}")
    if out:
        return out
    if t["kind"] not in KINDS:
        out.append(f"kind {t['kind']!r} not in the vocabulary")
    n_pages = t["n_pages"]
    unknown = set(t["classes"]) - KNOWN_CLASSES
    if unknown:
        out.append(f"unknown classes {sorted(unknown)}")
    for i, m in enumerate(t["measures"]):
        out += _measure_problems(m, i, n_pages)
    if t["kind"] != "letter" and not t["measures"]:
        out.append("a report with no measures")
    for s in t["status_summary"]:
        if s["status"] not in STATUSES or not isinstance(s["count"], int) or s["count"] < 0:
            out.append(f"summary row {s} out of vocabulary")
    if t["status_summary"] and t["measures"] and "summary-misstated" not in t["classes"]:
        drawn = Counter(m["status"] for m in t["measures"] if m["status"] is not None)
        stated = {s["status"]: s["count"] for s in t["status_summary"]}
        if any(stated.get(s, 0) != drawn.get(s, 0) for s in STATUSES):
            out.append(f"summary {stated} disagrees with the drawn statuses {dict(drawn)}")
    for e in t["legend"]:
        if e["status"] not in STATUSES or not e["label"] or not 1 <= e["page"] <= n_pages:
            out.append(f"legend entry {e} invalid")
    for let in t["letters"]:
        if any(not let.get(k) for k in LETTER_KEYS):
            out.append(f"letter on page {let.get('page')} has an empty field")
        try:
            dt.date.fromisoformat(let.get("date") or "")
        except ValueError:
            out.append(f"letter date {let.get('date')!r} is not ISO")
    if (t["kind"] != "report") != bool(t["letters"]):
        out.append(f"kind {t['kind']} with {len(t['letters'])} letters")
    return out
