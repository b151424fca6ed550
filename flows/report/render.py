"""The release's QA report (`report.html`): per document each measure beside the crop of its page,
its confidence, repairs and the stated counts; status charts per report and across a series.
Inline CSS and SVG, no script, no network; the crops are JPEG files beside it in the release
(`report-files/`, loaded lazily), or data URIs when the report is rendered on its own."""
from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from flows.pipeline.pagecache import PageCache
from flows.release.layout import REPORT_CACHE, StrPath
from flows.release.publish import ReportWriter
from flows.report.charts import esc
from flows.report.corrections import corrections_section
from flows.report.cropfiles import FILES_DIR, CropFiles
from flows.report.crops import CropCache
from flows.report.sections import document_section, overview, series_section

log = logging.getLogger("missions")
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
background:#fde7c4;color:#7a4a00;margin-left:4px}.badge.fixed{background:#d7ecff;color:#0b4a8b}.crop img{display:block;max-width:100%;
margin-top:4px;border:1px solid #ccc}.note{background:#fff8e1;border:1px solid #f0d589;padding:6px 10px}
.badge.new{background:#dbeafe;color:#1e3a8a}
.matrix td{padding:2px 4px;text-align:center}.matrix td.t{text-align:left;max-width:380px}
"""



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


def render_report(frames: Mapping[str, pd.DataFrame], *, release: str = "", created_at: str = "",
                  pipeline_version: str = "", cache_dir: Path | None = None,
                  sources: Mapping[str, Path] | None = None, new: frozenset[str] = frozenset(),
                  files_dir: Path | None = None) -> str:
    """The report's HTML for a release's tables. Crops are kept in `cache_dir` (DIR/.cache/
    report), cut from the page views kept beside it, else from the source files the run found
    (`sources`: doc_id -> path; a name in the tables is never taken for a path); they are
    written as files into `files_dir` (the release's report-files/) when given, else inlined.
    `new`: the documents this release added, marked « new in this release »."""
    started = time.perf_counter()
    docs = sorted(_records(frames.get("documents")), key=lambda d: str(d["source_name"]))
    tables = ("measures", "pages", "status_checks", "repairs", "corrections", "legend")
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
            f"QA report {esc(release)}</title><style>{CSS}</style></head><body>"
            f'<h1>missions — QA report</h1><p class="meta">release <code>{esc(release)}</code>'
            f" · {esc(created_at)} · pipeline {esc(pipeline_version)} · {len(docs)} document(s),"
            f" {n_measures} measure(s)</p>")
    fresh = sum(1 for d in docs if d["doc_id"] in new)
    parts = [head, f"<h2>Documents</h2><p class=\"meta\">{fresh} new in this release</p>"
             if fresh else "<h2>Documents</h2>", overview(docs, data, new),
             corrections_section(frames, _records(frames.get("corrections")), names)]
    files = CropFiles(files_dir)
    series: dict[str, list[dict[str, Any]]] = {}
    for r in reports.values():
        series.setdefault(r["mission_key"], []).append(r)
    for key in sorted(series):
        if len(series[key]) < 2:
            continue  # a series of one document: its own section says it all
        rows = [h for r in series[key] for h in history.get(r["doc_id"], [])]
        parts.append(series_section(key, series[key], rows, names))
    # DIR/.cache/report holds the crops; DIR/.cache/pages the page views kept at reading
    cache = CropCache(cache_dir, PageCache(cache_dir.parent.parent) if cache_dir else None)
    for d in docs:
        parts.append(document_section(d, data[d["doc_id"]], reports.get(d["doc_id"]), cache,
                                      (sources or {}).get(d["doc_id"]), d["doc_id"] in new,
                                      files))
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
                f"be made ({esc(type(exc).__name__)}: {esc(exc)}); the dataset was published. "
                "Please report this.</p></body></html>")
    path.write_text(text, encoding="utf-8")
    return path


def report_writer(out: StrPath, sources: Mapping[str, Path] | None = None,
                  new: frozenset[str] = frozenset()) -> ReportWriter:
    """What publishing into `out` writes as the release's QA report: `write_report`, its crops
    kept in DIR/.cache/report, cut from the page views kept in DIR/.cache/pages or from the
    files a run found (`sources`: doc_id -> path), written beside it as files (report-files/);
    `new`: the documents this release adds."""
    cache_dir = Path(out) / REPORT_CACHE

    def write(path: Path, frames: Mapping[str, pd.DataFrame], head: Mapping[str, Any]) -> None:
        write_report(path, frames, release=head.get("release", ""),
                     created_at=head.get("created_at", ""),
                     pipeline_version=head.get("pipeline_version", ""), cache_dir=cache_dir,
                     sources=sources, new=new, files_dir=path.parent / FILES_DIR)

    return write
