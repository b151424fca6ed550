"""The release's QA report (`report.html`): per document each measure beside the crop of its page,
its confidence, repairs and the stated counts; status charts per report and across a series.
One self-contained file: inline CSS and SVG, crops as JPEG data URIs, no script, no network."""
from __future__ import annotations

import html
import logging
import math
import re
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from flows.pipeline.pagecache import PageCache
from flows.release.layout import REPORT_CACHE, StrPath
from flows.release.publish import ReportWriter
from flows.report.crops import CropCache, CropRequest, document_crops, page_geometries, parse_bbox
from models.records import DIMENSIONS, STATUSES

log = logging.getLogger("missions")
LOW_CONFIDENCE = 0.8  # measures below this are highlighted
STATUS_ORDER: tuple[str | None, ...] = (*STATUSES, None)
STATUS_LABELS = {"tres_satisfaisant": "Très satisfaisant", "satisfaisant": "Satisfaisant",
                 "retard_explique": "Retard expliqué", "remis_en_cause": "Remis en cause",
                 None: "Not legible"}
STATUS_SHORT = {"tres_satisfaisant": "TS", "satisfaisant": "S", "retard_explique": "RE",
                "remis_en_cause": "RC", None: "—"}
STATUS_COLOURS = {"tres_satisfaisant": "#1a7f37", "satisfaisant": "#8cc265",
                  "retard_explique": "#f0a030", "remis_en_cause": "#cf2e2e", None: "#c4c4c4"}
DIMENSION_LABELS = {"operationnelle": "Opérationnelle", "strategique": "Stratégique",
                    "politique": "Politique", None: "No dimension"}
CSS = """
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#222}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 6px;border-top:2px solid #ddd;
padding-top:14px}h3{font-size:15px;margin:18px 0 6px}.meta{color:#555;margin:0 0 10px}
table{border-collapse:collapse;margin:6px 0 12px}th,td{border:1px solid #ddd;padding:3px 6px;
vertical-align:top;text-align:left}th{background:#f4f4f4}.num{text-align:right}
.chip{display:inline-block;min-width:22px;padding:1px 6px;border-radius:3px;color:#fff;
font-weight:600;text-align:center}.chip.none{color:#333}.warn{background:#fff1f0}
.bad{color:#b42318;font-weight:600}.ok{color:#1a7f37;font-weight:600}.small{font-size:12px;
color:#666}.badge{display:inline-block;font-size:11px;padding:0 5px;border-radius:8px;
background:#fde7c4;color:#7a4a00;margin-left:4px}.crop img{display:block;max-width:100%;
margin-top:4px;border:1px solid #ccc}.note{background:#fff8e1;border:1px solid #f0d589;padding:6px 10px}
.matrix td{padding:2px 4px;text-align:center}.matrix td.t{text-align:left;max-width:380px}
"""


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _records(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    if frame is None or frame.empty:
        return []
    return [{k: (None if v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v)
             for k, v in row.items()} for row in frame.to_dict("records")]


def _by_doc(frame: pd.DataFrame | None) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for row in _records(frame):
        out.setdefault(row["doc_id"], []).append(row)
    return out


_NUMBERING_RE = re.compile(r"^\s*(?:(?:mesure\s*)?(?:n\s*°\s*)?m?\d+\s*[.)—–:-]?|[.)—–-])\s*",
                           re.IGNORECASE)
_TYPOGRAPHY = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "“": '"', "”": '"', "\u00a0": " ",
                             "\u202f": " "})


def was_repaired(raw: str | None, title: str | None) -> bool:
    """True when the title differs from the text as read beyond its numbering, typography and
    spacing: OCR damage was repaired (`l'` for `I'`, an accent, a junk word dropped)."""
    if raw is None or title is None:
        return False
    def plain(text: str) -> str:
        return " ".join(text.translate(_TYPOGRAPHY).split())
    return plain(_NUMBERING_RE.sub("", raw, count=1)) != plain(title)


def _chip(status: str | None) -> str:
    """A status as a coloured chip; a value outside the vocabulary shows as itself, in grey."""
    known = status in STATUS_COLOURS
    cls = "chip" if known and status is not None else "chip none"
    label = STATUS_LABELS[status] if known else str(status)
    short = STATUS_SHORT[status] if known else str(status)[:3]
    return (f'<span class="{cls}" style="background:{STATUS_COLOURS.get(status, "#c4c4c4")}" '
            f'title="{_esc(label)}">{_esc(short)}</span>')


# --------------------------------------------------------------------------- charts (inline SVG)


def status_chart(groups: Sequence[tuple[str, Counter[str | None] | None]], title: str) -> str:
    """Horizontal stacked bars, one per group, a segment per status (same scale for all bars);
    a group without counts is a heading over the bars that follow it."""
    label_w, bar_w, row_h, top = 290, 400, 24, 30
    most = max((sum(c.values()) for _g, c in groups if c), default=0) or 1
    height = top + row_h * len(groups) + 8
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 50}" '
              f'height="{height}" role="img" class="chart"><title>{_esc(title)}</title>')]
    x = 0
    for status in STATUS_ORDER:  # legend
        parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{STATUS_COLOURS[status]}"/>'
                     f'<text x="{x + 16}" y="14" font-size="12">{_esc(STATUS_LABELS[status])}</text>')
        x += 28 + 7 * len(STATUS_LABELS[status])
    for i, (label, counts) in enumerate(groups):
        y = top + i * row_h
        if counts is None:
            parts.append(f'<text x="0" y="{y + 17}" font-size="13" font-weight="600">'
                         f'{_esc(label)}</text>')
            continue
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" font-size="12" text-anchor="end">'
                     f'{_esc(label)}</text>')
        x = float(label_w)
        for status in STATUS_ORDER:
            n = counts.get(status, 0)
            if not n:
                continue
            w = bar_w * n / most
            parts.append(f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="{row_h - 6}" '
                         f'fill="{STATUS_COLOURS[status]}"><title>{_esc(STATUS_LABELS[status])}: '
                         f'{n}</title></rect>')
            if w >= 16:
                parts.append(f'<text x="{x + w / 2:.1f}" y="{y + 16}" font-size="11" '
                             f'text-anchor="middle">{n}</text>')
            x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 16}" font-size="11" fill="#555">'
                     f'{sum(counts.values())}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _dimension_counts(measures: Iterable[Mapping[str, Any]]) -> dict[str | None, Counter[str | None]]:
    out: dict[str | None, Counter[str | None]] = {}
    for m in measures:
        out.setdefault(m["dimension"], Counter())[m["status"]] += 1
    return {d: out[d] for d in (*DIMENSIONS, None) if d in out}


# --------------------------------------------------------------------------- sections


def _report_name(report: Mapping[str, Any] | None) -> str:
    if not report:
        return "report"
    bits = [b for b in (report.get("report_label"), report.get("report_date")) if b]
    return " · ".join(str(b) for b in bits) or "undated report"


def _stated(stated_rows: list[dict[str, Any]]) -> dict[str, set[int]]:
    stated: dict[str, set[int]] = {}
    for s in stated_rows:
        stated.setdefault(s["status"], set()).add(int(s["count"]))
    return stated


def counts_agree(stated_rows: list[dict[str, Any]], measures: list[dict[str, Any]]) -> bool | None:
    """Whether the statuses read match every count the document states (None: it states none)."""
    stated = _stated(stated_rows)
    if not stated:
        return None
    read = Counter(m["status"] for m in measures)
    return all(values == {read.get(status, 0)} for status, values in stated.items())


def _counts_table(stated_rows: list[dict[str, Any]], measures: list[dict[str, Any]]) -> str:
    read = Counter(m["status"] for m in measures)
    stated = _stated(stated_rows)
    if not stated:
        return '<p class="small">The document states no counts per status.</p>'
    rows, agree = [], True
    for status in STATUSES:
        values = stated.get(status, set())
        ok = not values or values == {read.get(status, 0)}
        agree &= ok
        cls = "" if ok else ' class="warn"'
        rows.append(f"<tr{cls}><td>{_chip(status)} {_esc(STATUS_LABELS[status])}</td>"
                    f'<td class="num">{" / ".join(map(str, sorted(values))) or "—"}</td>'
                    f'<td class="num">{read.get(status, 0)}</td>'
                    f'<td>{"" if ok else "<span class=bad>differs</span>"}</td></tr>')
    rows.append(f"<tr><td>{_chip(None)} not legible</td><td></td>"
                f'<td class="num">{read.get(None, 0)}</td><td></td></tr>')
    verdict = ('<span class="ok">the statuses read agree with the stated counts</span>' if agree
               else '<span class="bad">the statuses read disagree with the stated counts</span>')
    return (f"<p>{verdict}</p><table><tr><th>status</th><th>stated</th><th>read</th><th></th></tr>"
            + "".join(rows) + "</table>")


def _measure_rows(measures: list[dict[str, Any]], crops: Mapping[int, str], note: str | None) -> str:
    out = [("<table><tr><th>#</th><th>dimension</th><th>status</th><th>confidence</th>"
            "<th>measure, and where it stands on the page</th></tr>")]
    for i, m in enumerate(measures):
        low = m["confidence"] is not None and m["confidence"] < LOW_CONFIDENCE
        badges = []
        if m.get("number_inferred"):
            badges.append('<span class="badge">number inferred</span>')
        raw = m.get("raw_title")
        repaired = was_repaired(raw, m["title"])
        if repaired:
            badges.append('<span class="badge">repaired</span>')
        cell = f"{_esc(m['title'])}{''.join(badges)} <span class=small>· page {_esc(m['page'])}</span>"
        if repaired:
            cell += f'<div class="small">read as: {_esc(raw)}</div>'
        if i in crops:
            cell += (f'<div class="crop"><img alt="page {_esc(m["page"])}, measure '
                     f'{_esc(m["number"])}" src="{_esc(crops[i])}"></div>')
        elif m.get("bbox") is None:
            cell += '<div class="small">no box on the page (legacy text): no crop</div>'
        else:
            cell += f'<div class="small">{_esc(note or "no crop")}</div>'
        conf = "—" if m["confidence"] is None else f"{m['confidence']:.2f}"
        conf_html = f'<span class="bad">{conf}</span>' if low else conf
        source = f'<div class="small">{_esc(m["status_source"])}</div>' if m["status_source"] else ""
        if m.get("status_reason"):
            source = f'<div class="small">{_esc(REASONS.get(m["status_reason"], m["status_reason"]))}</div>'
        label = m.get("label") or m["number"]
        out.append(
            f'<tr{" class=warn" if low else ""}><td class="num">{_esc(label)}</td>'
            f"<td>{_esc(DIMENSION_LABELS.get(m['dimension'], m['dimension']))}</td>"
            f'<td>{_chip(m["status"])}{source}</td><td class="num">{conf_html}</td>'
            f"<td>{cell}</td></tr>")
    out.append("</table>")
    return "".join(out)


def _repairs_list(repairs: list[dict[str, Any]]) -> str:
    """The text repairs of a document, folded away (typography is left out: too many)."""
    shown = [r for r in repairs if not str(r.get("rule") or "").startswith("typography")]
    if not shown:
        return ""
    rows = "".join(f"<tr><td>{_esc(r['page'])}</td><td>{_esc(r['rule'])}</td>"
                   f"<td>{_esc(r['before'])}</td><td>{_esc(r['after'])}</td></tr>" for r in shown)
    return (f"<details><summary>Text repairs ({len(shown)})</summary><table><tr><th>page</th>"
            f"<th>rule</th><th>as read</th><th>repaired</th></tr>{rows}</table></details>")


REASONS = {
    "no-legend": "no status: no legend on its page",
    "legend-without-colour": "no status: the legend shows no colour",
    "no-mark": "no status: no mark seen for it",
    "mark-not-tied": "no status: marks seen, none tied to it",
    "too-far": "no status: its mark matches no swatch",
    "ambiguous": "no status: its mark lies between two swatches",
    "conflict": "no status: its readings disagree",
}


def _unread_note(doc: Mapping[str, Any], measures: list[dict[str, Any]]) -> str | None:
    """Marks seen on pages with a legend, yet measures without a status: say so."""
    seen, tied = doc.get("marks_seen"), doc.get("marks_tied")
    unread = [m for m in measures if m["status"] is None
              and m.get("status_reason") not in (None, "no-legend", "legend-without-colour")]
    if not seen or not unread:
        return None
    return (f"{seen} status marks seen on pages with a legend, {tied} tied to a measure: "
            f"{len(unread)} measure(s) without a status (the reason is under each).")


def _document_section(doc: Mapping[str, Any], data: Mapping[str, list[dict[str, Any]]],
                      report: Mapping[str, Any] | None, cache: CropCache) -> str:
    doc_id = doc["doc_id"]
    head = (f'<h2 id="doc-{_esc(doc_id[:12])}">{_esc(doc["source_name"])}</h2><p class="meta">'
            f"{_esc(doc['kind'])} · {_esc(doc['file_type'])} · {_esc(doc['n_pages'])} page(s) · "
            f"<code>{_esc(doc_id[:12])}</code>")
    if report and report.get("mission_title"):
        head += f" · mission « {_esc(report['mission_title'])} »"
    if report:
        head += f" · {_esc(_report_name(report))}"
    head += "</p>"
    if doc["state"] != "published":
        return head + f'<p class="note">Quarantined: {_esc(doc["error"])}</p>'
    measures = sorted(data["measures"], key=lambda m: (m.get("position") is None,
                                                       m.get("position") or 0, m["number"] or 0))
    geometries = page_geometries(data["pages"])
    requests = {i: CropRequest(m["page"], box) for i, m in enumerate(measures)
                if (box := parse_bbox(m.get("bbox"))) is not None}
    made, note = document_crops(Path(str(doc["source_name"])), doc_id, str(doc["file_type"]),
                                geometries, list(requests.values()), cache)
    crops = {i: made[r] for i, r in requests.items() if r in made}
    parts = [head]
    if note:
        parts.append(f'<p class="note">{_esc(note)}</p>')
    for p in data["pages"]:
        if p.get("error"):
            parts.append(f'<p class="note">page {_esc(p["page"])}: {_esc(p["error"])}</p>')
    if measures:
        groups: list[tuple[str, Counter[str | None] | None]] = [
            (DIMENSION_LABELS[d], c) for d, c in _dimension_counts(measures).items()]
        parts.append("<h3>Statuses by dimension</h3>")
        parts.append(status_chart(groups, f"Statuses by dimension: {doc['source_name']}"))
    unread = _unread_note(doc, measures)
    if unread:
        parts.append(f'<p class="note">{_esc(unread)}</p>')
    parts.append("<h3>Stated counts</h3>" + _counts_table(data["status_summary"], measures))
    parts.append(_repairs_list(data.get("repairs", [])))
    parts.append(f"<h3>Measures ({len(measures)})</h3>")
    parts.append(_measure_rows(measures, crops, note) if measures else "<p>No measure found.</p>")
    return "".join(parts)


def _series_section(key: str, reports: list[dict[str, Any]], history: list[dict[str, Any]],
                    names: Mapping[str, str]) -> str:
    title = next((r["mission_title"] for r in reports if r["mission_title"]), None) or key
    docs = sorted(reports, key=lambda r: (r["report_order"], names.get(r["doc_id"], "")))
    parts = [(f'<h2 id="series-{_esc(key)}">Series: {_esc(title)}</h2><p class="meta">'
              f"<code>{_esc(key)}</code> · {len({r['report_order'] for r in docs})} report(s) in "
              f"{len(docs)} document(s)</p>")]
    orders = sorted({r["report_order"] for r in docs})
    if len(orders) > 1:
        groups: list[tuple[str, Counter[str | None] | None]] = []
        for dimension in (*DIMENSIONS, None):
            if not any(h["dimension"] == dimension for h in history):
                continue
            groups.append((DIMENSION_LABELS[dimension], None))
            for order in orders:
                # copies of one report: the one with the most statuses read stands for it
                copies = [r["doc_id"] for r in docs if r["report_order"] == order]
                rows = max(([h for h in history if h["doc_id"] == d] for d in copies),
                           key=lambda rs: sum(h["status"] is not None for h in rs))
                counts = Counter(h["status"] for h in rows if h["dimension"] == dimension)
                if counts:
                    report = next(r for r in docs if r["report_order"] == order)
                    groups.append((_report_name(report), counts))
        parts.append("<h3>Statuses by dimension across reports</h3>")
        parts.append(status_chart(groups, f"Statuses across reports: {title}"))
    cells: dict[tuple[int, str], dict[str, Any]] = {}
    refs: dict[int, str] = {}
    for h in history:
        cells[(h["measure"], h["doc_id"])] = h
        refs.setdefault(h["measure"], h["reference_title"])
    parts.append('<h3>Measure history</h3><table class="matrix"><tr><th>measure</th>')
    for r in docs:
        parts.append(f"<th>{_esc(_report_name(r))}<div class=small>"
                     f"{_esc(Path(names.get(r['doc_id'], '')).name)}</div></th>")
    parts.append("</tr>")
    for measure in sorted(refs):
        parts.append(f'<tr><td class="t">{_esc(measure)}. {_esc(refs[measure])}</td>')
        for r in docs:
            h = cells.get((measure, r["doc_id"]))
            if h is None:
                parts.append('<td class="small">absent</td>')
                continue
            renumbered = "" if h["number"] == measure else f'<div class="small">n°{_esc(h["number"])}</div>'
            parts.append(f"<td>{_chip(h['status'])}{renumbered}</td>")
        parts.append("</tr>")
    parts.append("</table>")
    return "".join(parts)


def _marks_cell(doc: Mapping[str, Any], measures: list[dict[str, Any]]) -> str:
    seen, tied = doc.get("marks_seen"), doc.get("marks_tied")
    if not seen:
        return ""
    text = f"{_esc(tied)} / {_esc(seen)}"
    return f'<span class="bad">{text}</span>' if _unread_note(doc, measures) else text


def _overview(docs: list[dict[str, Any]], data: Mapping[str, Mapping[str, list[dict[str, Any]]]]
              ) -> str:
    rows = [("<table><tr><th>document</th><th>state</th><th>measures</th><th>statuses read</th>"
             "<th>marks tied / seen</th><th>low confidence</th><th>repaired</th>"
             "<th>inferred numbers</th><th>stated counts</th></tr>")]
    for d in docs:
        ms = data.get(d["doc_id"], {}).get("measures", [])
        agree = counts_agree(data.get(d["doc_id"], {}).get("status_summary", []), ms)
        verdict = {None: "", True: '<span class="ok">agree</span>',
                   False: '<span class="bad">differ</span>'}[agree]
        if agree is False and all(m["status"] is None for m in ms):
            verdict = '<span class="bad">differ: no status read</span>'

        low = sum(1 for m in ms if m["confidence"] is not None and m["confidence"] < LOW_CONFIDENCE)
        fixed = sum(1 for m in ms if was_repaired(m.get("raw_title"), m["title"]))
        inferred = sum(1 for m in ms if m.get("number_inferred"))
        state = d["state"] if d["state"] == "published" else f'<span class="bad">{_esc(d["state"])}</span>'
        rows.append(f'<tr><td><a href="#doc-{_esc(d["doc_id"][:12])}">{_esc(d["source_name"])}</a></td>'
                    f'<td>{state}</td><td class="num">{len(ms)}</td>'
                    f'<td class="num">{sum(m["status"] is not None for m in ms)}</td>'
                    f'<td class="num">{_marks_cell(d, ms)}</td>'
                    f'<td class="num">{low}</td><td class="num">{fixed}</td>'
                    f'<td class="num">{inferred}</td><td>{verdict}</td></tr>')
    rows.append("</table>")
    return "".join(rows)


def render_report(frames: Mapping[str, pd.DataFrame], *, release: str = "", created_at: str = "",
                  pipeline_version: str = "", cache_dir: Path | None = None) -> str:
    """The report's HTML for a release's tables; crops come from the source files (cached)."""
    started = time.perf_counter()
    docs = sorted(_records(frames.get("documents")), key=lambda d: str(d["source_name"]))
    tables = ("measures", "pages", "status_summary", "repairs")
    data: dict[str, dict[str, list[dict[str, Any]]]] = {d["doc_id"]: {t: [] for t in tables}
                                                          for d in docs}
    for t in tables:
        for doc_id, rows in _by_doc(frames.get(t)).items():
            if doc_id in data:
                data[doc_id][t] = rows
    reports = {r["doc_id"]: r for r in _records(frames.get("reports"))}
    history = _by_doc(frames.get("measure_history"))
    names = {d["doc_id"]: str(d["source_name"]) for d in docs}
    n_measures = sum(len(v["measures"]) for v in data.values())
    head = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>missions — '
            f"QA report {_esc(release)}</title><style>{CSS}</style></head><body>"
            f'<h1>missions — QA report</h1><p class="meta">release <code>{_esc(release)}</code>'
            f" · {_esc(created_at)} · pipeline {_esc(pipeline_version)} · {len(docs)} document(s),"
            f" {n_measures} measure(s)</p>")
    parts = [head, "<h2>Documents</h2>", _overview(docs, data)]
    series: dict[str, list[dict[str, Any]]] = {}
    for r in reports.values():
        series.setdefault(r["mission_key"], []).append(r)
    for key in sorted(series):
        if len(series[key]) < 2:
            continue  # a series of one document: its own section says it all
        rows = [h for r in series[key] for h in history.get(r["doc_id"], [])]
        parts.append(_series_section(key, series[key], rows, names))
    # DIR/.cache/report holds the crops; DIR/.cache/pages the page views kept at reading
    cache = CropCache(cache_dir, PageCache(cache_dir.parent.parent) if cache_dir else None)
    for d in docs:
        parts.append(_document_section(d, data[d["doc_id"]], reports.get(d["doc_id"]), cache))
    seconds = time.perf_counter() - started
    parts.append(f'<p class="small">Written in {seconds:.1f} s.</p></body></html>')
    return "".join(parts)


def write_report(path: Path, frames: Mapping[str, pd.DataFrame], **meta: Any) -> Path:
    """Write the report for `frames` to `path` (see `render_report` for `meta`).

    A bug in the report never holds the dataset back: the page then says what went wrong
    (and the log has the traceback). Failures to write the file (a full disk) are raised.
    """
    try:
        text = render_report(frames, **meta)
    except Exception as exc:  # a bug: reported in the page and in the log
        log.exception("the QA report could not be made")
        text = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>missions — QA '
                f"report</title></head><body><h1>missions — QA report</h1><p>The report could not "
                f"be made ({_esc(type(exc).__name__)}: {_esc(exc)}); the dataset was published. "
                "Please report this.</p></body></html>")
    path.write_text(text, encoding="utf-8")
    return path


def report_writer(out: StrPath) -> ReportWriter:
    """What publishing into `out` writes as the release's QA report: `write_report`, its crops
    kept in DIR/.cache/report and cut from the page views kept in DIR/.cache/pages."""
    cache_dir = Path(out) / REPORT_CACHE

    def write(path: Path, frames: Mapping[str, pd.DataFrame], head: Mapping[str, Any]) -> None:
        write_report(path, frames, release=head.get("release", ""),
                     created_at=head.get("created_at", ""),
                     pipeline_version=head.get("pipeline_version", ""), cache_dir=cache_dir)

    return write
