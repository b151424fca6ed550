"""Compares one document's truth with its release rows: measures paired, statuses, summary, letters.

Owns its own text folding; nothing here comes from the pipeline (no extractors/, no flows/).
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cdist
from scipy.optimize import linear_sum_assignment

LETTER_FIELDS = ("place", "date", "sender_org", "sender_role", "recipient", "recipient_org",
                 "recipient_address", "subject", "salutation")
MIN_PAIR_SIMILARITY = 0.5
_QUOTES = str.maketrans({"’": "'", "‘": "'", "‛": "'", "ʼ": "'", "`": "'", "´": "'",
                         "“": '"', "”": '"', "„": '"', "«": '"', "»": '"',
                         "–": "-", "—": "-", "‐": "-", "‑": "-"})


def exact_form(text: str | None) -> str:
    """NFC with runs of whitespace (NBSP included) folded to one space: the exact comparison."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text or "")).strip()


def lenient_form(text: str | None) -> str:
    """Casefolded, accents stripped, typographic quotes and dashes folded, spaces folded."""
    s = unicodedata.normalize("NFKD", exact_form(text).translate(_QUOTES))
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).casefold()
    return re.sub(r"\s+", " ", s).strip()


def similarity(a: str | None, b: str | None) -> float:
    return fuzz.ratio(lenient_form(a), lenient_form(b)) / 100.0


@dataclass
class DocScore:
    """Every count of one document, plus the lines `-v` prints."""

    name: str
    classes: list[str]
    expected: int = 0
    found: int = 0
    extra: int = 0
    dim_right: int = 0
    number_right: int = 0
    number_total: int = 0
    number_wrong: int = 0  # a number published that is not the one printed (or none printed)
    label_right: int = 0
    label_total: int = 0
    horizon_right: int = 0
    titles: list[tuple[bool, float]] = field(default_factory=list)  # per truth measure
    st_right: int = 0
    st_wrong: int = 0
    st_null: int = 0
    st_expected: int = 0
    st_null_right: int = 0
    st_on_extra: int = 0
    sum_right: int = 0
    sum_expected: int = 0
    sum_extra: int = 0
    letters_expected: int = 0
    letters_found: int = 0
    letter_exact: Counter = field(default_factory=Counter)
    letter_lenient: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    state: str = "published"


def _label(row: dict[str, Any]) -> str | None:
    if row.get("label") is not None:
        return str(row["label"])
    return None if row.get("number") is None else str(int(row["number"]))


def pair_measures(truth: list[dict], rows: list[dict]) -> list[tuple[int, int, float]]:
    """(truth index, row index, similarity) pairs by an assignment over title similarity + page."""
    if not truth or not rows:
        return []
    sims = cdist([lenient_form(t["title"]) for t in truth],
                 [lenient_form(r["title"]) for r in rows], scorer=fuzz.ratio) / 100.0
    pages = np.array([[t.get("page") == r.get("page") for r in rows] for t in truth], float)
    ti, ri = linear_sum_assignment(-(sims + 0.02 * pages))
    return [(int(i), int(j), float(sims[i, j])) for i, j in zip(ti, ri, strict=True)
            if sims[i, j] >= MIN_PAIR_SIMILARITY]


def score_measures(ds: DocScore, truth: dict[str, Any], rows: list[dict]) -> None:
    measures = truth["measures"]
    legible_doc = truth.get("statuses_legible", True)
    pairs = {i: (j, s) for i, j, s in pair_measures(measures, rows)}
    paired_rows = {j for j, _ in pairs.values()}
    ds.expected, ds.found = len(measures), len(pairs)
    ds.extra = len(rows) - len(paired_rows)
    ds.st_on_extra = sum(rows[j]["status"] is not None for j in range(len(rows))
                         if j not in paired_rows)
    for i, t in enumerate(measures):
        where = f"{ds.name} p{t.get('page')} pos {t.get('position', i + 1)} « {t['title'][:60]} »"
        row = rows[pairs[i][0]] if i in pairs else None
        if row is None:
            ds.titles.append((False, 0.0))
            ds.problems.append(f"MISSING  {where}")
        else:
            ds.titles.append((exact_form(t["title"]) == exact_form(row["title"]), pairs[i][1]))
            ds.dim_right += row["dimension"] == t["dimension"]
            ds.horizon_right += (row["horizon_min_months"] == t["horizon_min_months"]
                                 and row["horizon_max_months"] == t["horizon_max_months"])
            if t.get("number") is not None:
                ds.number_total += 1
                ds.number_right += row["number"] == t["number"]
            if row["number"] is not None and row["number"] != t.get("number"):
                ds.number_wrong += 1
                ds.problems.append(f"NUMBER   {where}: truth {t.get('number')}, release "
                                   f"{row['number']}")
            if t.get("label") is not None:
                ds.label_total += 1
                ds.label_right += _label(row) == str(t["label"])
        _score_status(ds, t, row, legible_doc, where)


def _score_status(ds: DocScore, t: dict, row: dict | None, legible_doc: bool, where: str) -> None:
    got = None if row is None else row["status"]
    legible = legible_doc and t.get("status") is not None and t.get("status_legible", True)
    if not legible:
        if got is None:
            ds.st_null_right += 1
        else:
            ds.st_wrong += 1
            ds.problems.append(f"WRONG    {where}: truth {t.get('status')} (not legible), "
                               f"release {got}")
        return
    ds.st_expected += 1
    if got == t["status"]:
        ds.st_right += 1
    elif got is None:
        ds.st_null += 1
    else:
        ds.st_wrong += 1
        ds.problems.append(f"WRONG    {where}: truth {t['status']}, release {got}")


def score_summary(ds: DocScore, truth: dict[str, Any], rows: list[dict]) -> None:
    want = Counter((s["page"], s["status"], s["count"]) for s in truth.get("status_summary", []))
    got = Counter((r["page"], r["status"], r["count"]) for r in rows)
    ds.sum_expected = sum(want.values())
    ds.sum_right = sum((want & got).values())
    ds.sum_extra = sum((got - want).values())
    for page, status, count in sorted((want - got).elements()):
        ds.problems.append(f"SUMMARY  {ds.name} p{page} {status}={count} not published as such")


def score_letters(ds: DocScore, truth: dict[str, Any], rows: list[dict]) -> None:
    letters = truth.get("letters", [])
    ds.letters_expected = len(letters)
    free = list(rows)
    for t in letters:
        row = next((r for r in free if r["page"] == t["page"]), free[0] if free else None)
        if row is not None:
            free.remove(row)
            ds.letters_found += 1
        for f in LETTER_FIELDS:
            want = t.get(f)
            got = None if row is None else row.get(f)
            exact = exact_form(want) == exact_form(got) if want is not None else got is None
            lenient = exact or (want is not None and got is not None
                                and similarity(want, got) >= 0.95)
            ds.letter_exact[f] += exact
            ds.letter_lenient[f] += lenient
            if not exact:
                ds.problems.append(f"LETTER   {ds.name} p{t['page']} {f}: truth « {want} », "
                                   f"release « {got} »")
