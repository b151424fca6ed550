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
            "statuses": f"{self.statuses_right}/{self.statuses_read}/{self.statuses_expected}",
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
                if g["status"] != m["status"]:
                    s.wrong.append(f"measure {m['number']} status {g['status']} != {m['status']}")
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


# -- corpus evaluation: per-field precision / recall over many documents ----------------------

CORPUS_FIELDS = ("measures", "numbers", "inferred", "dimensions", "horizons", "summary",
                 "letters", "letter_fields", "dates")
TITLE_MATCH = 0.8  # a found measure is the expected one when their titles are this similar


@dataclass
class FieldCount:
    """True positives, predictions and expectations of one field, summed over documents."""

    right: int = 0
    found: int = 0
    expected: int = 0

    def add(self, other: FieldCount) -> None:
        self.right += other.right
        self.found += other.found
        self.expected += other.expected

    @property
    def precision(self) -> float:
        return self.right / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.expected if self.expected else 1.0


@dataclass
class DocumentScore:
    source: str
    fields: dict[str, FieldCount] = field(default_factory=dict)
    title_similarity: list[float] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    @property
    def perfect(self) -> bool:
        return all(f.right == f.found == f.expected for name, f in self.fields.items()
                   if name in ("measures", "numbers", "dimensions", "summary", "dates"))


def _match_measures(want: list[dict[str, Any]], got: list[dict[str, Any]]
                    ) -> list[tuple[dict[str, Any], dict[str, Any], float]]:
    """Expected and found measures paired by title (best pairs first), each used once."""
    pairs = sorted(((similarity(g["title"], w["title"]), i, j) for i, w in enumerate(want)
                    for j, g in enumerate(got)), key=lambda t: -t[0])
    used_w: set[int] = set()
    used_g: set[int] = set()
    out = []
    for sim, i, j in pairs:
        if sim < TITLE_MATCH or i in used_w or j in used_g:
            continue
        used_w.add(i)
        used_g.add(j)
        out.append((want[i], got[j], sim))
    return out


def score_document(expected: dict[str, Any], frames: dict[str, pd.DataFrame], doc_id: str
                   ) -> DocumentScore:
    """Per-field counts for one document: measures matched by title, then compared field by field."""
    s = DocumentScore(source=expected["source"])
    f = {name: FieldCount() for name in CORPUS_FIELDS}
    s.fields = f
    want, got = expected["measures"], _rows(frames["measures"], doc_id)
    pairs = _match_measures(want, got)
    for name in ("measures", "numbers", "inferred", "dimensions", "horizons"):
        f[name].found, f[name].expected = len(got), len(want)
    f["measures"].right = len(pairs)
    matched = {id(w): (g, sim) for w, g, sim in pairs}
    for w in want:
        g, sim = matched.get(id(w), (None, 0.0))
        s.title_similarity.append(sim)
        if g is None:
            s.wrong.append(f"measure {w['number']} not found: {w['title'][:50]!r}")
            continue
        ok = {
            "numbers": int(g["number"]) == w["number"],
            "inferred": bool(g["number_inferred"]) == bool(w.get("number_inferred", False)),
            "dimensions": g["dimension"] == w["dimension"],
            "horizons": (g["horizon_min_months"], g["horizon_max_months"]) ==
                        (w["horizon_min_months"], w["horizon_max_months"]),
        }
        for name, right in ok.items():
            f[name].right += int(right)
            if not right and name != "inferred":
                s.wrong.append(f"measure {w['number']} {name}: got {g['number']} "
                               f"{g['dimension']} {g['horizon_min_months']}-"
                               f"{g['horizon_max_months']}")
        if sim < 0.97:
            s.wrong.append(f"measure {w['number']} title {sim:.2f}: {g['title']!r}")
    for g in got:
        if not any(g is pg for _w, pg, _s in pairs):
            s.wrong.append(f"extra measure {g['number']}: {str(g['title'])[:60]!r}")
    want_summary = {(r["page"], r["status"], r["count"]) for r in expected.get("status_summary", [])}
    got_summary = {(int(r["page"]), r["status"], int(r["count"]))
                   for r in _rows(frames["status_summary"], doc_id)}
    f["summary"] = FieldCount(len(want_summary & got_summary), len(got_summary), len(want_summary))
    for miss in sorted(want_summary ^ got_summary):
        s.wrong.append(f"summary {miss} {'missing' if miss in want_summary else 'extra'}")
    got_letters = {int(r["page"]): r for r in _rows(frames["letters"], doc_id)}
    want_letters = {lt["page"]: lt for lt in expected.get("letters", [])}
    f["letters"] = FieldCount(len(set(got_letters) & set(want_letters)), len(got_letters),
                              len(want_letters))
    for page, letter in want_letters.items():
        g = got_letters.get(page, {})
        for name in LETTER_FIELDS:
            if name not in letter:
                continue
            target = f["dates"] if name == "date" else f["letter_fields"]
            target.expected += 1
            target.found += int(g.get(name) is not None)
            ok = similarity(g.get(name), letter[name]) >= (1.0 if name == "date" else FIELD_MATCH)
            target.right += int(ok)
            if not ok:
                s.wrong.append(f"letter {name}: {g.get(name)!r} != {letter[name]!r}")
    for page, g in got_letters.items():
        if page not in want_letters:
            f["dates"].found += int(g.get("date") is not None)
            f["letter_fields"].found += sum(g.get(n) is not None for n in LETTER_FIELDS
                                            if n != "date")
            s.wrong.append(f"extra letter on page {page}")
    return s


@dataclass
class CorpusScore:
    documents: list[DocumentScore]

    def totals(self) -> dict[str, FieldCount]:
        out = {name: FieldCount() for name in CORPUS_FIELDS}
        for d in self.documents:
            for name, fc in d.fields.items():
                out[name].add(fc)
        return out

    @property
    def mean_title_similarity(self) -> float:
        sims = [x for d in self.documents for x in d.title_similarity]
        return sum(sims) / len(sims) if sims else 0.0

    def rows(self) -> list[dict[str, Any]]:
        return [{"field": name, "right": fc.right, "found": fc.found, "expected": fc.expected,
                 "precision": round(fc.precision, 4), "recall": round(fc.recall, 4)}
                for name, fc in self.totals().items()]

    def markdown(self) -> str:
        lines = ["| field | right | found | expected | precision | recall |",
                 "|---|---|---|---|---|---|"]
        lines += [f"| {r['field']} | {r['right']} | {r['found']} | {r['expected']} | "
                  f"{r['precision']:.3f} | {r['recall']:.3f} |" for r in self.rows()]
        perfect = sum(d.perfect for d in self.documents)
        lines.append(f"\nmean title similarity: {self.mean_title_similarity:.4f}; documents "
                     f"with every measure, number, dimension, summary count and date right: "
                     f"{perfect}/{len(self.documents)}")
        return "\n".join(lines)


def evaluate_folder(folder: Path) -> CorpusScore:
    """Run the extractors (no flow, no CLI) on every document with an `.expected.json` in folder."""
    from datetime import UTC, datetime

    from extractors.document import process_file
    from flows.release.tables import frames_from_results

    docs = []
    for exp_path in expected_files(folder):
        expected = json.loads(exp_path.read_text(encoding="utf-8"))
        path = exp_path.with_name(exp_path.name.removesuffix(".expected.json"))
        try:
            result = process_file(str(path), source_name=path.name)
        except Exception as exc:  # noqa: BLE001 - a crash scores as nothing found, and is listed
            frames = frames_from_results([], "eval", datetime.now(UTC).isoformat())
            score = score_document(expected, frames, "")
            score.wrong.insert(0, f"crashed: {type(exc).__name__}: {exc}")
            docs.append(score)
            continue
        frames = frames_from_results([result], "eval", datetime.now(UTC).isoformat())
        docs.append(score_document(expected, frames, result.source.doc_id))
    return CorpusScore(documents=docs)
