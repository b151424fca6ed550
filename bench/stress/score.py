"""The honest scorer: a release judged against `.expected.json` truths, per failure class.

Usage: python -m bench.stress.score TRUTH_DIR RELEASE_DIR [--json FILE] [-v]

Reads the release's SQLite with sqlite3 only (no extractors/, no flows/); a document's rows are
found by the sha256 of its file (documents.doc_id). Titles are exact only when equal after NFC and
whitespace folding; the lenient figure (accents, case, quotes folded) is reported beside it.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.stress.pairing import (
    LETTER_FIELDS,
    DocScore,
    score_letters,
    score_measures,
    score_summary,
)

DOC_KEYS = ("expected", "found", "extra", "dim_right", "number_right", "number_wrong", "label_right",
            "horizon_right", "st_right", "st_wrong", "st_null", "st_expected", "title_exact_pct",
            "title_mean", "sum_right", "sum_expected", "letters_expected", "letters_found")
TARGETS = [  # (key, label, comparison, threshold)
    ("st_wrong", "wrong statuses", "==", 0),
    ("st_read_pct", "statuses read where legible (%)", ">=", 97.0),
    ("found_dim_pct", "measures found with the right dimension (%)", ">=", 100.0),
    ("title_mean", "mean title similarity (missing = 0)", ">=", 0.99),
    ("title_exact_pct", "titles exact, NFC + whitespace (%)", ">=", 90.0),
    ("letter_date_pct", "letter date exact (%)", ">=", 95.0),
    ("letter_place_pct", "letter place exact (%)", ">=", 95.0),
    ("letter_sender_org_pct", "letter sender exact (%)", ">=", 95.0),
    ("letter_recipient_pct", "letter recipient exact (%)", ">=", 95.0),
]


def load_truths(truth_dir: Path) -> list[tuple[Path, dict[str, Any]]]:
    """(document path, truth) for every `*.expected.json` under truth_dir, with defaults filled."""
    out = []
    for path in sorted(truth_dir.rglob("*.expected.json")):
        truth = json.loads(path.read_text(encoding="utf-8"))
        doc = truth_dir / truth["source"]
        if not doc.exists():
            doc = path.with_name(path.name.removesuffix(".expected.json"))
        for i, m in enumerate(truth.get("measures", [])):
            m.setdefault("position", i + 1)
            if "label" not in m:
                m["label"] = None if m.get("number") is None else str(m["number"])
        if "classes" not in truth:
            truth["classes"] = [f"layout-{truth['layout']}"] if "layout" in truth else []
            truth["classes"].append(f"kind-{truth.get('kind', 'unknown')}")
        out.append((doc, truth))
    return out


def _rows(con: sqlite3.Connection, table: str, doc_id: str) -> list[dict[str, Any]]:
    order = "" if table == "documents" else " ORDER BY page"
    cur = con.execute(f"SELECT * FROM {table} WHERE doc_id = ?{order}", (doc_id,))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def score_release(truth_dir: Path, release_dir: Path) -> list[DocScore]:
    """One DocScore per truth file."""
    con = sqlite3.connect(f"file:{release_dir / 'missions.sqlite'}?mode=ro", uri=True)
    scores = []
    for doc, truth in load_truths(truth_dir):
        ds = DocScore(str(doc.relative_to(truth_dir)), list(truth["classes"]))
        doc_id = hashlib.sha256(doc.read_bytes()).hexdigest()
        found = _rows(con, "documents", doc_id)
        if not found:
            ds.state = "absent"
        else:
            ds.state = found[0]["state"]
        if ds.state != "published":
            ds.problems.append(f"DOCUMENT {ds.name} is {ds.state}"
                               + (f": {found[0]['error']}" if found else ""))
        score_measures(ds, truth, _rows(con, "measures", doc_id))
        score_summary(ds, truth, _rows(con, "status_summary", doc_id))
        score_letters(ds, truth, _rows(con, "letters", doc_id))
        scores.append(ds)
    con.close()
    return scores


def _pct(a: float, b: float) -> float | None:
    return round(100.0 * a / b, 1) if b else None


def aggregate(scores: list[DocScore]) -> dict[str, Any]:
    """Totals over documents; percentages None when nothing was expected."""
    s: dict[str, Any] = {"documents": len(scores)}
    for key in ("expected", "found", "extra", "dim_right", "number_right", "number_total", "number_wrong",
                "label_right", "label_total", "horizon_right", "st_right", "st_wrong",
                "st_null", "st_expected", "st_null_right", "st_on_extra", "sum_right",
                "sum_expected", "sum_extra", "letters_expected", "letters_found"):
        s[key] = sum(getattr(d, key) for d in scores)
    titles = [t for d in scores for t in d.titles]
    s["title_exact_pct"] = _pct(sum(e for e, _ in titles), len(titles))
    s["title_mean"] = round(sum(x for _, x in titles) / len(titles), 4) if titles else None
    s["title_min"] = round(min(x for _, x in titles), 3) if titles else None
    matched = [x for _, x in titles if x > 0]
    s["title_mean_matched"] = round(sum(matched) / len(matched), 4) if matched else None
    s["st_read_pct"] = _pct(s["st_right"], s["st_expected"])
    s["found_dim_pct"] = _pct(s["dim_right"], s["expected"])
    for f in LETTER_FIELDS:
        s[f"letter_{f}_pct"] = _pct(sum(d.letter_exact[f] for d in scores), s["letters_expected"])
        s[f"letter_{f}_lenient_pct"] = _pct(sum(d.letter_lenient[f] for d in scores),
                                            s["letters_expected"])
    s["not_published"] = sum(d.state != "published" for d in scores)
    return s


def by_class(scores: list[DocScore]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[DocScore]] = defaultdict(list)
    for d in scores:
        for c in d.classes:
            groups[c].append(d)
    return {c: aggregate(groups[c]) for c in sorted(groups)}


def targets(total: dict[str, Any]) -> list[tuple[str, Any, str, bool]]:
    out = []
    for key, label, op, want in TARGETS:
        got = total.get(key)
        met = got is not None and (got == want if op == "==" else got >= want)
        out.append((label, got, f"{op} {want}", met))
    return out


def _fmt(v: Any) -> str:
    return "—" if v is None else str(v)


def format_report(scores: list[DocScore]) -> str:
    """The per-class table, the totals and the targets as Markdown."""
    total = aggregate(scores)
    head = ("| class | docs | measures found/exp | extra | dim right | statuses right | WRONG "
            "| NULL | expected | read % | title exact % | title mean |")
    lines = [head, "|" + "---|" * 12]
    for c, a in [*by_class(scores).items(), ("**all**", total)]:
        lines.append(f"| {c} | {a['documents']} | {a['found']}/{a['expected']} | {a['extra']} "
                     f"| {a['dim_right']} | {a['st_right']} | {a['st_wrong']} | {a['st_null']} "
                     f"| {a['st_expected']} | {_fmt(a['st_read_pct'])} "
                     f"| {_fmt(a['title_exact_pct'])} | {_fmt(a['title_mean'])} |")
    t = total
    lines += ["", (f"Documents {t['documents']} ({t['not_published']} not published); measures "
              f"{t['found']}/{t['expected']} found, {t['extra']} extra; numbers right "
              f"{t['number_right']}/{t['number_total']} ({t['number_wrong']} published wrong), labels right {t['label_right']}/"
              f"{t['label_total']}, dimensions right {t['dim_right']}, horizons right "
              f"{t['horizon_right']}."),
              (f"Statuses where legible: {t['st_right']} right, {t['st_wrong']} WRONG (all "
              f"documents, incl. {t['st_wrong'] - _wrong_on_legible(scores)} on measures with "
              f"no legible status), {t['st_null']} NULL of {t['st_expected']} → "
              f"{_fmt(t['st_read_pct'])} % read; {t['st_null_right']} rightly NULL; "
              f"{t['st_on_extra']} statuses published on extra rows."),
              (f"Titles: exact {_fmt(t['title_exact_pct'])} %, mean lenient similarity "
              f"{_fmt(t['title_mean'])} (missing = 0; {_fmt(t['title_mean_matched'])} over "
              f"matched), min {_fmt(t['title_min'])}."),
              (f"Summary counts: {t['sum_right']}/{t['sum_expected']} right, {t['sum_extra']} "
              f"extra. Letters found {t['letters_found']}/{t['letters_expected']}."), "",
              "| letter field | exact % | lenient ≥ 0.95 % |", "|---|---|---|"]
    lines += [f"| {f} | {_fmt(t[f'letter_{f}_pct'])} | {_fmt(t[f'letter_{f}_lenient_pct'])} |"
              for f in LETTER_FIELDS]
    lines += ["", "| target | value | wanted | |", "|---|---|---|---|"]
    lines += [f"| {label} | {_fmt(got)} | {want} | {'met' if met else 'NOT met'} |"
              for label, got, want, met in targets(total)]
    return "\n".join(lines)


def _wrong_on_legible(scores: list[DocScore]) -> int:
    return sum(p.startswith("WRONG") and "(not legible)" not in p
               for d in scores for p in d.problems)


def problems(scores: list[DocScore]) -> str:
    """Every wrong status, missing measure, summary and letter field, and NULL counts per doc."""
    out = []
    for d in scores:
        out += d.problems
        if d.st_null:
            out.append(f"NULL     {d.name}: {d.st_null} of {d.st_expected} legible statuses NULL")
    return "\n".join(out)


def to_json(scores: list[DocScore]) -> dict[str, Any]:
    total = aggregate(scores)
    return {"total": total, "by_class": by_class(scores),
            "targets": [{"target": a, "value": b, "wanted": c, "met": d}
                        for a, b, c, d in targets(total)],
            "documents": [{"name": d.name, "classes": d.classes, "state": d.state,
                           **{k: v for k, v in aggregate([d]).items() if k in DOC_KEYS}}
                          for d in scores]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("truth_dir", type=Path)
    ap.add_argument("release_dir", type=Path)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    if not (args.release_dir / "missions.sqlite").exists():
        print(f"score: no missions.sqlite in {args.release_dir}", file=sys.stderr)
        return 2
    scores = score_release(args.truth_dir, args.release_dir)
    print(format_report(scores))
    if args.verbose:
        print("\n" + problems(scores))
    if args.json:
        args.json.write_text(json.dumps(to_json(scores), ensure_ascii=False, indent=1) + "\n",
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
