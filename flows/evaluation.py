"""Scoring a release against the expected records kept beside each sample."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from rapidfuzz import fuzz

from extractors.normalise import fold, normalise_text

LETTER_FIELDS = ("place", "date", "sender_org", "sender_role", "recipient", "recipient_org",
                 "recipient_address", "subject", "salutation")
FIELD_MATCH = 0.95  # a letter field is right when its normalised text is this similar


def similarity(a: str | None, b: str | None) -> float:
    """rapidfuzz ratio / 100 of the normalised texts (typography, case, accents, spaces)."""
    if a is None or b is None or (isinstance(a, float)) or (isinstance(b, float)):
        return 1.0 if a is None and b is None else 0.0
    na, nb = fold(normalise_text(str(a))[0]), fold(normalise_text(str(b))[0])
    return fuzz.ratio(na, nb) / 100.0


@dataclass
class SampleScore:
    source: str
    measures_expected: int = 0
    measures_found: int = 0
    measures_extra: int = 0
    numbers_right: int = 0
    inferred_right: int = 0
    dimensions_right: int = 0
    horizons_right: int = 0
    title_similarity: list[float] = field(default_factory=list)
    statuses_expected: int = 0
    statuses_read: int = 0
    statuses_right: int = 0
    summary_expected: int = 0
    summary_right: int = 0
    summary_extra: int = 0
    letter_fields: int = 0
    letter_fields_right: int = 0
    wrong: list[str] = field(default_factory=list)

    @property
    def mean_title_similarity(self) -> float:
        return sum(self.title_similarity) / len(self.title_similarity) if self.title_similarity else 0.0

    def row(self) -> dict[str, Any]:
        return {
            "sample": self.source,
            "measures": f"{self.measures_found}/{self.measures_expected}",
            "extra": self.measures_extra,
            "numbers": f"{self.numbers_right}/{self.measures_expected}",
            "dims": f"{self.dimensions_right}/{self.measures_expected}",
            "horizons": f"{self.horizons_right}/{self.measures_expected}",
            "title_sim": round(self.mean_title_similarity, 4),
            "min_title_sim": round(min(self.title_similarity), 4) if self.title_similarity else 0.0,
            "statuses": f"{self.statuses_right}/{self.statuses_expected} ({self.statuses_read} read)",
            "summary": f"{self.summary_right}/{self.summary_expected}",
            "letter": f"{self.letter_fields_right}/{self.letter_fields}",
        }


def _rows(frame: pd.DataFrame, doc_id: str) -> list[dict[str, Any]]:
    sub = frame[frame["doc_id"] == doc_id]
    return [{k: (None if pd.isna(v) else v) for k, v in r.items()} for r in sub.to_dict("records")]


def score_sample(expected: dict[str, Any], frames: dict[str, pd.DataFrame], doc_id: str) -> SampleScore:
    """Compare one document's published rows with its expected records."""
    s = SampleScore(source=expected["source"])
    got = {int(m["number"]): m for m in _rows(frames["measures"], doc_id)}
    s.measures_expected = len(expected["measures"])
    want_numbers = {m["number"] for m in expected["measures"]}
    s.measures_extra = len(set(got) - want_numbers)
    for m in expected["measures"]:
        g = got.get(m["number"])
        if g is None:
            s.wrong.append(f"measure {m['number']} missing")
            s.title_similarity.append(0.0)
            continue
        s.measures_found += 1
        s.numbers_right += 1
        s.inferred_right += int(bool(g["number_inferred"]) == bool(m.get("number_inferred", False)))
        s.dimensions_right += int(g["dimension"] == m["dimension"])
        s.horizons_right += int((g["horizon_min_months"], g["horizon_max_months"]) ==
                                (m["horizon_min_months"], m["horizon_max_months"]))
        sim = similarity(g["title"], m["title"])
        s.title_similarity.append(sim)
        if sim < 0.97:
            s.wrong.append(f"measure {m['number']} title {sim:.2f}: {g['title']!r}")
        if m.get("status") is not None:
            s.statuses_expected += 1
            if g["status"] is not None:
                s.statuses_read += 1
                s.statuses_right += int(g["status"] == m["status"])
    want_summary = {(r["page"], r["status"], r["count"]) for r in expected.get("status_summary", [])}
    got_summary = {(int(r["page"]), r["status"], int(r["count"]))
                   for r in _rows(frames["status_summary"], doc_id)}
    s.summary_expected = len(want_summary)
    s.summary_right = len(want_summary & got_summary)
    s.summary_extra = len(got_summary - want_summary)
    for miss in sorted(want_summary - got_summary):
        s.wrong.append(f"summary {miss} missing")
    got_letters = {int(r["page"]): r for r in _rows(frames["letters"], doc_id)}
    for letter in expected.get("letters", []):
        g = got_letters.get(letter["page"], {})
        for name in LETTER_FIELDS:
            if name not in letter:
                continue
            s.letter_fields += 1
            ok = similarity(g.get(name), letter[name]) >= (1.0 if name == "date" else FIELD_MATCH)
            s.letter_fields_right += int(ok)
            if not ok:
                s.wrong.append(f"letter {name}: {g.get(name)!r} != {letter[name]!r}")
    return s


def expected_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.expected.json"))


def score_release(samples: Path, frames: dict[str, pd.DataFrame]) -> list[SampleScore]:
    """Score every sample with an expected file against the release's rows (matched by sha256)."""
    from extractors.sources import sha256_file

    scores = []
    for exp_path in expected_files(samples):
        expected = json.loads(exp_path.read_text(encoding="utf-8"))
        doc = exp_path.with_name(exp_path.name.removesuffix(".expected.json"))
        scores.append(score_sample(expected, frames, sha256_file(doc)))
    return scores


def format_table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "(no samples)"
    cols = list(rows[0])
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in cols}
    lines = ["  ".join(c.ljust(widths[c]) for c in cols)]
    lines += ["  ".join(str(r[c]).ljust(widths[c]) for c in cols) for r in rows]
    return "\n".join(lines)
