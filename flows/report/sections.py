"""The QA report's sections: the documents overview, each document (its charts, stated counts,
repairs and measures beside their crops) and each series of reports."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from flows.report.charts import (
    DIMENSION_LABELS,
    LOW_CONFIDENCE,
    STATUS_LABELS,
    chip,
    dimension_counts,
    esc,
    legend_palette,
    status_chart,
)
from flows.report.cropfiles import CropFiles
from flows.report.crops import CropCache, CropRequest, document_crops, page_geometries, parse_bbox
from models.records import DIMENSIONS, STATUSES

_TYPOGRAPHY = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "“": '"', "”": '"', "\u00a0": " ",
                             "\u202f": " "})
CONTEXT = 12  # characters either side of a repair that must stand in the title as replayed


def _plain(text: str) -> str:
    return " ".join(text.translate(_TYPOGRAPHY).split())


def title_repairs(raw: str | None, title: str | None,
                  repairs: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The repairs the release records on a measure's page (typography aside) that its title
    shows: replayed on the title as read (`raw_title`), each gives text the title holds where
    the text as read is not there. Facts of the release, matched; nothing judged again."""
    if not raw or not title:
        return []
    plain_title, found = _plain(title), []
    for r in repairs:
        before, after = r.get("before") or "", r.get("after") or ""
        if not before or str(r.get("rule") or "").startswith("typography") \
                or not is_word_repair(before, after):
            continue
        at = raw.find(before)
        while at >= 0:
            end = at + len(before)
            left, right = raw[max(0, at - CONTEXT):at], raw[end:end + CONTEXT]
            replayed, as_read = _plain(left + after + right), _plain(left + before + right)
            if replayed and replayed in plain_title and as_read not in plain_title:
                found.append(r)
                break
            at = raw.find(before, at + 1)
    return found


def is_word_repair(before: str, after: str) -> bool:
    """Whether a `repairs` row changed words of the text (a letter, an accent, a split or glued
    word), rather than dropping what stood between them: a table's cell separator (`n°1 |`),
    a mark's glyphs read as `©` or `[`. Only word repairs earn a title its « repaired » badge."""
    if re.findall(r"\w+", before) != re.findall(r"\w+", after):
        return True  # words changed: a letter, an accent, a split or glued word, junk letters
    rest = iter(before)  # same words: a repair when it added something (« mondes »), …
    return not all(c in rest for c in after)  # … not when it only dropped what stood between


def anchor(doc_id: str) -> str:
    """A document's anchor in the page: its whole id (stubs of refused files share a prefix)."""
    return "doc-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in str(doc_id))


NEW_BADGE = '<span class="badge new">new in this release</span>'


def checks_agree(checks: Sequence[Mapping[str, Any]]) -> bool | None:
    """Whether the statuses read agree with every count the document states, as its
    `status_checks` rows say (None: it states none)."""
    return all(c["agrees"] for c in checks) if checks else None


# --------------------------------------------------------------------------- sections


def _report_name(report: Mapping[str, Any] | None) -> str:
    if not report:
        return "report"
    bits = [b for b in (report.get("report_label"), report.get("report_date")) if b]
    return " · ".join(str(b) for b in bits) or "undated report"


def _counts_table(checks: list[dict[str, Any]], measures: list[dict[str, Any]],
                  palette: Mapping[str | None, str] | None = None) -> str:
    """The stated counts beside the counts read, from the document's `status_checks` rows."""
    if not checks:
        return '<p class="small">The document states no counts per status.</p>'
    read = Counter(m["status"] for m in measures)
    stated: dict[str, set[int]] = {}
    agrees: dict[str, bool] = {}
    for c in checks:
        stated.setdefault(c["status"], set()).add(int(c["stated_count"]))
        agrees[c["status"]] = agrees.get(c["status"], True) and bool(c["agrees"])
        read[c["status"]] = int(c["read_count"])
        read[None] = int(c["unread_count"])
    rows = []
    for status in STATUSES:
        values = stated.get(status, set())
        ok = agrees.get(status, True)
        cls = "" if ok else ' class="warn"'
        rows.append(f"<tr{cls}><td>{chip(status, palette)} {esc(STATUS_LABELS[status])}</td>"
                    f'<td class="num">{" / ".join(map(str, sorted(values))) or "—"}</td>'
                    f'<td class="num">{read.get(status, 0)}</td>'
                    f'<td>{"" if ok else "<span class=bad>differs</span>"}</td></tr>')
    rows.append(f"<tr><td>{chip(None)} not legible</td><td></td>"
                f'<td class="num">{read.get(None, 0)}</td><td></td></tr>')
    verdict = ('<span class="ok">the statuses read agree with the stated counts</span>'
               if checks_agree(checks) else
               '<span class="bad">the statuses read disagree with the stated counts</span>')
    return (f"<p>{verdict}</p><table><tr><th>status</th><th>stated</th><th>read</th><th></th></tr>"
            + "".join(rows) + "</table>")


def _by_page(rows: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(row["page"], []).append(row)
    return out


def _measure_rows(measures: list[dict[str, Any]], crops: Mapping[int, str], note: str | None,
                  repairs: list[dict[str, Any]],
                  corrections: Sequence[Mapping[str, Any]] = (),
                  palette: Mapping[str | None, str] | None = None) -> str:
    out = [("<table><tr><th>#</th><th>dimension</th><th>status</th><th>confidence</th>"
            "<th>measure, and where it stands on the page</th></tr>")]
    on_page = _by_page(repairs)
    for i, m in enumerate(measures):
        low = m["confidence"] is not None and m["confidence"] < LOW_CONFIDENCE
        badges = []
        if m.get("number_inferred"):
            badges.append('<span class="badge">number inferred</span>')
        raw = m.get("raw_title")
        repaired = title_repairs(raw, m["title"], on_page.get(m["page"], []))
        if repaired:
            said = "; ".join(f"{r['rule']}: {r['before']} → {r['after']}" for r in repaired)
            badges.append(f'<span class="badge" title="{esc(said)}">repaired</span>')
        fixed = [c for c in corrections if c["target"] == "measure" and c["state"] == "applied"
                 and c["position"] == m.get("position")]
        if fixed:
            said = "; ".join(f"{c['field']} by {c['corrected_by']} ({c['corrected_at']})"
                             f"{': ' + str(c['why']) if c['why'] else ''}" for c in fixed)
            badges.append(f'<span class="badge fixed" title="{esc(said)}">corrected</span>')
        cell = f"{esc(m['title'])}{''.join(badges)} <span class=small>· page {esc(m['page'])}</span>"
        for c in fixed:
            cell += (f'<div class="small">{esc(c["field"])}: the machine read '
                     f'{esc(c["machine_now"] if c["machine_now"] is not None else "nothing")}; '
                     f'corrected by {esc(c["corrected_by"])}</div>')
        if repaired:
            cell += f'<div class="small">read as: {esc(raw)}</div>'
        if i in crops:
            cell += (f'<div class="crop"><img loading="lazy" alt="page {esc(m["page"])}, '
                     f'measure {esc(m["number"])}" src="{esc(crops[i])}"></div>')
        elif m.get("bbox") is None:
            cell += '<div class="small">no box on the page (legacy text): no crop</div>'
        else:
            cell += f'<div class="small">{esc(note or "no crop")}</div>'
        conf = "—" if m["confidence"] is None else f"{m['confidence']:.2f}"
        conf_html = f'<span class="bad">{conf}</span>' if low else conf
        source = f'<div class="small">{esc(m["status_source"])}</div>' if m["status_source"] else ""
        if m.get("status_reason"):
            source = f'<div class="small">{esc(REASONS.get(m["status_reason"], m["status_reason"]))}</div>'
        label = m.get("label") or m["number"]
        anchor = f' id="m-{esc(str(m["doc_id"])[:12])}-{esc(m.get("position"))}"'
        out.append(
            f'<tr{anchor}{" class=warn" if low else ""}><td class="num">{esc(label)}</td>'
            f"<td>{esc(DIMENSION_LABELS.get(m['dimension'], m['dimension']))}</td>"
            f'<td>{chip(m["status"], palette)}{source}</td><td class="num">{conf_html}</td>'
            f"<td>{cell}</td></tr>")
    out.append("</table>")
    return "".join(out)


def _repairs_list(repairs: list[dict[str, Any]]) -> str:
    """The text repairs of a document, folded away (typography is left out: too many)."""
    shown = [r for r in repairs if not str(r.get("rule") or "").startswith("typography")]
    if not shown:
        return ""
    rows = "".join(f"<tr><td>{esc(r['page'])}</td><td>{esc(r['rule'])}</td>"
                   f"<td>{esc(r['before'])}</td><td>{esc(r['after'])}</td></tr>" for r in shown)
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
    "correction": "no status: cleared by a person (see corrections)",
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


def _archive_links(doc: Mapping[str, Any], pages: list[dict[str, Any]]) -> str:
    """Links to the document's archival files, relative to the release folder the report is in."""
    links = []
    if doc.get("pdfa_path"):
        links.append(f'<a class="pdfa" href="{esc(doc["pdfa_path"])}">searchable PDF/A</a>')
    altos = [p for p in pages if p.get("alto_path")]
    if altos:
        links.append("ALTO: " + " ".join(
            f'<a class="alto" href="{esc(p["alto_path"])}">p.{esc(p["page"])}</a>' for p in altos))
    return f'<p class="meta">{" · ".join(links)}</p>' if links else ""


def document_section(doc: Mapping[str, Any], data: Mapping[str, list[dict[str, Any]]],
                     report: Mapping[str, Any] | None, cache: CropCache,
                     source: Path | None, new: bool = False, files: CropFiles | None = None
                     ) -> str:
    """One document: its charts, stated counts, repairs, and measures beside their crops
    (cut from the views kept when its pages were read, else from `source`, where the run found
    its bytes; None: the run did not see the file)."""
    doc_id = doc["doc_id"]
    head = (f'<h2 id="{esc(anchor(doc_id))}">{esc(doc["source_name"])}'
            f'{NEW_BADGE if new else ""}</h2><p class="meta">'
            f"{esc(doc['kind'])} · {esc(doc['file_type'])} · {esc(doc['n_pages'])} page(s) · "
            f"<code>{esc(doc_id[:12])}</code>")
    if report and report.get("mission_title"):
        head += f" · mission « {esc(report['mission_title'])} »"
    if report:
        head += f" · {esc(_report_name(report))}"
    head += "</p>" + _archive_links(doc, data["pages"])
    if doc["state"] != "published":
        return head + f'<p class="note">Quarantined: {esc(doc["error"])}</p>'
    measures = sorted(data["measures"], key=lambda m: (m.get("position") is None,
                                                       m.get("position") or 0, m["number"] or 0))
    geometries = page_geometries(data["pages"])
    requests = {i: CropRequest(m["page"], box) for i, m in enumerate(measures)
                if (box := parse_bbox(m.get("bbox"))) is not None}
    made, note = document_crops(source, doc_id, str(doc["file_type"]), geometries,
                                list(requests.values()), cache)
    files = files or CropFiles(None)
    crops = {i: files.src(made[r]) for i, r in requests.items() if r in made}
    parts = [head]
    if note:
        parts.append(f'<p class="note">{esc(note)}</p>')
    for p in data["pages"]:
        if p.get("error"):
            parts.append(f'<p class="note">page {esc(p["page"])}: {esc(p["error"])}</p>')
    if measures:
        groups: list[tuple[str, Counter[str | None] | None]] = [
            (DIMENSION_LABELS[d], c) for d, c in dimension_counts(measures).items()]
        parts.append("<h3>Statuses by dimension</h3>")
        parts.append(status_chart(groups, f"Statuses by dimension: {doc['source_name']}"))
    unread = _unread_note(doc, measures)
    if unread:
        parts.append(f'<p class="note">{esc(unread)}</p>')
    palette = legend_palette(data.get("legend", []))  # chips in the page's own legend colours
    parts.append("<h3>Stated counts</h3>" + _counts_table(data["status_checks"], measures,
                                                         palette))
    parts.append(_repairs_list(data["repairs"]))
    parts.append(f"<h3>Measures ({len(measures)})</h3>")
    parts.append(_measure_rows(measures, crops, note, data["repairs"],
                               data.get("corrections", []), palette) if measures
                 else "<p>No measure found.</p>")
    return "".join(parts)


def series_section(key: str, reports: list[dict[str, Any]], history: list[dict[str, Any]],
                    names: Mapping[str, str]) -> str:
    title = next((r["mission_title"] for r in reports if r["mission_title"]), None) or key
    docs = sorted(reports, key=lambda r: (r["report_order"], names.get(r["doc_id"], "")))
    parts = [(f'<h2 id="series-{esc(key)}">Series: {esc(title)}</h2><p class="meta">'
              f"<code>{esc(key)}</code> · {len({r['report_order'] for r in docs})} report(s) in "
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
        parts.append(f"<th>{esc(_report_name(r))}<div class=small>"
                     f"{esc(names.get(r['doc_id'], '').rsplit('/', 1)[-1])}</div></th>")
    parts.append("</tr>")
    for measure in sorted(refs):
        parts.append(f'<tr><td class="t">{esc(measure)}. {esc(refs[measure])}</td>')
        for r in docs:
            h = cells.get((measure, r["doc_id"]))
            if h is None:
                parts.append('<td class="small">absent</td>')
                continue
            renumbered = "" if h["number"] == measure else f'<div class="small">n°{esc(h["number"])}</div>'
            parts.append(f"<td>{chip(h['status'])}{renumbered}</td>")
        parts.append("</tr>")
    parts.append("</table>")
    return "".join(parts)


def _marks_cell(doc: Mapping[str, Any], measures: list[dict[str, Any]]) -> str:
    seen, tied = doc.get("marks_seen"), doc.get("marks_tied")
    if not seen:
        return ""
    text = f"{esc(tied)} / {esc(seen)}"
    return f'<span class="bad">{text}</span>' if _unread_note(doc, measures) else text


def overview(docs: list[dict[str, Any]], data: Mapping[str, Mapping[str, list[dict[str, Any]]]],
             new: frozenset[str] = frozenset()) -> str:
    rows = [("<table><tr><th>document</th><th>state</th><th>measures</th><th>statuses read</th>"
             "<th>marks tied / seen</th><th>low confidence</th><th>repaired</th>"
             "<th>inferred numbers</th><th>stated counts</th></tr>")]
    for d in docs:
        facts = data.get(d["doc_id"], {})
        ms = facts.get("measures", [])
        agree = checks_agree(facts.get("status_checks", []))
        verdict = {None: "", True: '<span class="ok">agree</span>',
                   False: '<span class="bad">differ</span>'}[agree]
        if agree is False and all(m["status"] is None for m in ms):
            verdict = ('<span class="small">not compared: no status legible in this copy '
                       '(legacy text, or marks without a legend)</span>')

        low = sum(1 for m in ms if m["confidence"] is not None and m["confidence"] < LOW_CONFIDENCE)
        on_page = _by_page(facts.get("repairs", []))
        fixed = sum(1 for m in ms if title_repairs(m.get("raw_title"), m["title"],
                                                   on_page.get(m["page"], [])))
        inferred = sum(1 for m in ms if m.get("number_inferred"))
        state = d["state"] if d["state"] == "published" else (
            f'<span class="bad">{esc(d["state"])}</span><div class="small">{esc(d["error"])}</div>')
        fresh = NEW_BADGE if d["doc_id"] in new else ""
        rows.append(f'<tr><td><a href="#{esc(anchor(d["doc_id"]))}">{esc(d["source_name"])}</a>'
                    f'{fresh}</td>'
                    f'<td>{state}</td><td class="num">{len(ms)}</td>'
                    f'<td class="num">{sum(m["status"] is not None for m in ms)}</td>'
                    f'<td class="num">{_marks_cell(d, ms)}</td>'
                    f'<td class="num">{low}</td><td class="num">{fixed}</td>'
                    f'<td class="num">{inferred}</td><td>{verdict}</td></tr>')
    rows.append("</table>")
    return "".join(rows)
