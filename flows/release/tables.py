"""The dataset's tables as typed DataFrames: built from document results, merged cumulatively."""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from extractors.alto import string_ids
from extractors.series import MeasureFacts, SeriesDocument, build_series
from models.records import BBox, DocumentResult, ReportInfo
from models.schema import TABLES, TABLES_BY_NAME, Table

Row = tuple[Any, ...]


def format_bbox(bbox: BBox | None) -> str | None:
    """`x0,y0,x1,y1` with each coordinate rounded to a whole pixel, or None when there is no box."""
    if bbox is None:
        return None
    return ",".join(str(round(float(v))) for v in bbox)


def _or_none(text: str) -> str | None:
    """Record fields that default to "" mean "not recorded": they become NA, not an empty string."""
    return text if text else None


def _column_array(values: Sequence[Any], dtype: str) -> Any:
    return pd.array(list(values), dtype=dtype)


def frame_from_rows(table: Table, rows: Iterable[Row]) -> pd.DataFrame:
    """A DataFrame with exactly the table's columns, in order, with the schema's dtypes."""
    materialised = list(rows)
    width = len(table.columns)
    for row in materialised:
        if len(row) != width:
            raise ValueError(f"{table.name}: a row has {len(row)} values, the schema has {width}")
    columns = list(zip(*materialised, strict=True)) if materialised else [()] * width
    data = {c.name: _column_array(col, c.dtype) for c, col in zip(table.columns, columns, strict=True)}
    return pd.DataFrame(data, columns=table.column_names)


def empty_frame(name: str) -> pd.DataFrame:
    return frame_from_rows(TABLES_BY_NAME[name], [])


def empty_frames() -> dict[str, pd.DataFrame]:
    """One empty, correctly typed DataFrame per table of the schema."""
    return {t.name: frame_from_rows(t, []) for t in TABLES}


def conform_frame(name: str, frame: pd.DataFrame | None, *, fill_missing: bool = True) -> pd.DataFrame:
    """The frame with exactly the schema's columns in order and the schema's dtypes.

    Columns the schema does not know are dropped. Missing columns (a release written by an
    older schema) become NA when `fill_missing`, otherwise they are an error.
    """
    table = TABLES_BY_NAME[name]
    if frame is None:
        return empty_frame(name)
    missing = [c for c in table.column_names if c not in frame.columns]
    if missing and not fill_missing:
        raise ValueError(f"table {name!r} lacks the column(s) {', '.join(missing)}")
    data: dict[str, Any] = {}
    for column in table.columns:
        if column.name in frame.columns:
            data[column.name] = frame[column.name].astype(column.dtype).array
        else:
            data[column.name] = pd.array([None] * len(frame), dtype=column.dtype)
    return pd.DataFrame(data, columns=table.column_names)


def sort_frame(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by the table's key (stable: rows with equal keys keep their order), NA last."""
    key = list(TABLES_BY_NAME[name].key)
    if frame.empty:
        return frame.reset_index(drop=True)
    return frame.sort_values(key, kind="stable", na_position="last").reset_index(drop=True)


def _document_rows(result: DocumentResult, pipeline_version: str, ingested_at: str) -> Row:
    source = result.source
    return (
        source.doc_id,
        source.source_name,
        result.extraction.kind,
        len(result.pages),
        result.state,
        result.error,
        pipeline_version,
        ingested_at,
        source.file_type,
        source.size,
        result.extraction.marks_seen if result.state == "published" else None,
        result.extraction.marks_tied if result.state == "published" else None,
        next((n for n in result.archive if n.endswith(".pdf")), None),
        next((n.rsplit("/", 1)[0] + "/" for n in result.archive if n.endswith(".xml")), None),
    )


def _alto_names(result: DocumentResult) -> dict[int, str]:
    """Release names of the document's ALTO files (`alto/<doc_id>/p00001.xml`) by page."""
    return {int(n.rsplit("/p", 1)[1].removesuffix(".xml")): n
            for n in result.archive if n.endswith(".xml")}


def _page_rows(result: DocumentResult) -> list[Row]:
    rows: list[Row] = []
    alto = _alto_names(result)
    for p in result.pages:
        # A page that could not be read has no text: NA, not an empty string.
        text = p.text if (p.lines or p.error is None) else None
        rows.append((
            result.source.doc_id, p.page, p.method, text, p.mean_confidence, p.width_px,
            p.height_px, p.dpi, p.skew_degrees, p.rotation, p.error, alto.get(p.page),
        ))
    return rows


def _measure_rows(result: DocumentResult) -> list[Row]:
    doc_id = result.source.doc_id
    published = _alto_names(result)
    altos = {p.page: p.alto for p in result.pages if p.alto and p.page in published}
    return [
        (
            doc_id, m.page, m.number, int(m.number_inferred), m.title, m.dimension,
            m.horizon_min_months, m.horizon_max_months, m.status, m.status_source,
            format_bbox(m.bbox), m.confidence, _or_none(m.rule), _or_none(m.raw_title),
            m.position or i, m.label, m.status_reason, None,
            _alto_words(altos.get(m.page), m.bbox),
        )
        for i, m in enumerate(result.extraction.measures, start=1)
    ]


def _alto_words(alto: str | None, bbox: BBox | None) -> str | None:
    """The String IDs of a measure's title words in its page's ALTO, or None."""
    if alto is None or bbox is None:
        return None
    return " ".join(string_ids(alto, bbox)) or None


def _summary_rows(result: DocumentResult) -> list[Row]:
    doc_id = result.source.doc_id
    return [
        (doc_id, s.page, s.status, s.count, _or_none(s.text))
        for s in result.extraction.status_counts
    ]


def _legend_rows(result: DocumentResult) -> list[Row]:
    doc_id = result.source.doc_id
    return [
        (doc_id, e.page, e.status, e.label, format_bbox(e.bbox), e.colour)
        for e in result.extraction.legend
    ]


def _letter_rows(result: DocumentResult) -> list[Row]:
    doc_id = result.source.doc_id
    return [
        (
            doc_id, lt.page, lt.place, lt.date, lt.sender_org, lt.sender_role, lt.recipient,
            lt.recipient_org, lt.recipient_address, lt.subject, lt.salutation, None,
        )
        for lt in result.extraction.letters
    ]


NAMES_TABLE = "document_names"  # merged as a union: a name once seen is kept, with its first date
HISTORY_TABLE = "superseded"  # merged as a union: earlier versions are kept (flows/release/history.py)


def _name_rows(result: DocumentResult, seen_at: str) -> list[Row]:
    source = result.source
    names = dict.fromkeys((source.source_name, *result.also_named))
    return [(source.doc_id, name, seen_at) for name in names]


def merge_document_names(previous: Mapping[str, pd.DataFrame], fresh: pd.DataFrame,
                         documents: pd.DataFrame) -> pd.DataFrame:
    """Every (document, name) pair seen so far, each with the earliest date it was seen.

    Names of the previous release's documents are kept (a release written before this table
    existed contributes its documents' source_name and ingested_at); names of documents no
    longer in `documents` are dropped. Raises ValueError for fresh names of unknown documents.
    """
    fresh = conform_frame(NAMES_TABLE, fresh)
    ids = set(documents["doc_id"].dropna())
    strays = set(fresh["doc_id"].dropna()) - ids
    if strays:
        raise ValueError(f"new {NAMES_TABLE!r} rows for unknown document(s): {sorted(strays)[:3]}")
    old_docs = conform_frame("documents", previous.get("documents"))
    seeded = pd.DataFrame({"doc_id": old_docs["doc_id"], "source_name": old_docs["source_name"],
                           "first_seen": old_docs["ingested_at"]})
    parts = [conform_frame(NAMES_TABLE, previous.get(NAMES_TABLE)),
             conform_frame(NAMES_TABLE, seeded), fresh]
    combined = pd.concat([p for p in parts if not p.empty] or [empty_frame(NAMES_TABLE)],
                         ignore_index=True)
    combined = combined.dropna(subset=["doc_id", "source_name"])
    combined = combined[combined["doc_id"].isin(ids).to_numpy(dtype=bool)]
    combined = combined.sort_values("first_seen", kind="stable", na_position="last")
    combined = combined.drop_duplicates(["doc_id", "source_name"], keep="first")
    return sort_frame(NAMES_TABLE, conform_frame(NAMES_TABLE, combined))


def _status_check_rows(result: DocumentResult) -> list[Row]:
    doc_id = result.source.doc_id
    return [(doc_id, c.page, c.status, c.stated_count, c.read_count, c.unread_count,
             int(c.agrees)) for c in result.extraction.checks]


def _report_rows(result: DocumentResult) -> list[Row]:
    """What the document says about itself; its series and rank are set over the whole
    release (`with_series_tables`)."""
    info = result.extraction.report
    return [(result.source.doc_id, None, info.mission_title, info.report_date,
             info.report_date_source, info.report_label, None)]


def _repair_rows(result: DocumentResult) -> list[Row]:
    doc_id = result.source.doc_id
    return [(doc_id, r.page, r.rule, r.before, r.after) for r in result.repairs]


def frames_from_results(
    results: Sequence[DocumentResult], pipeline_version: str, ingested_at: str
) -> dict[str, pd.DataFrame]:
    """One DataFrame per schema table for these documents; quarantined ones only get a documents row.

    Raises ValueError when two results share a doc_id: de-duplicating inputs (same bytes under
    several names) is the caller's job, and silently picking one would lose a name.
    """
    rows: dict[str, list[Row]] = {t.name: [] for t in TABLES}
    seen: set[str] = set()
    for result in results:
        doc_id = result.source.doc_id
        if doc_id in seen:
            raise ValueError(f"two results for the same document {doc_id} ({result.source.source_name})")
        seen.add(doc_id)
        rows["documents"].append(_document_rows(result, pipeline_version, ingested_at))
        if result.state == "quarantined":
            continue  # its names come from the caller, who saw them (see flows.pipeline.run)
        rows["document_names"].extend(_name_rows(result, ingested_at))
        rows["pages"].extend(_page_rows(result))
        rows["measures"].extend(_measure_rows(result))
        rows["status_summary"].extend(_summary_rows(result))
        rows["legend"].extend(_legend_rows(result))
        rows["letters"].extend(_letter_rows(result))
        rows["status_checks"].extend(_status_check_rows(result))
        rows["reports"].extend(_report_rows(result))
        rows["repairs"].extend(_repair_rows(result))
    frames = {t.name: sort_frame(t.name, frame_from_rows(t, rows[t.name])) for t in TABLES}
    return with_series_tables(frames)


def merge_frames(
    previous: Mapping[str, pd.DataFrame], new: Mapping[str, pd.DataFrame]
) -> dict[str, pd.DataFrame]:
    """The cumulative release: the rows of every document in new["documents"] replace that
    document's previous rows in every table; other documents are kept; rows sorted by key.

    Raises ValueError when `new` has rows for a document missing from new["documents"].
    """
    new_frames = {t.name: conform_frame(t.name, new.get(t.name)) for t in TABLES}
    replaced = set(new_frames["documents"]["doc_id"].dropna())
    merged: dict[str, pd.DataFrame] = {}
    for t in TABLES:
        if t.name in SERIES_TABLES or t.name in (NAMES_TABLE, HISTORY_TABLE):
            continue  # derived from the other tables over every document, below
        fresh = new_frames[t.name]
        strays = set(fresh["doc_id"].dropna()) - replaced
        if strays:
            raise ValueError(
                f"new {t.name!r} rows for document(s) not in new['documents']: {sorted(strays)[:3]}"
            )
        old = conform_frame(t.name, previous.get(t.name))
        kept = old[~old["doc_id"].isin(replaced).fillna(False).to_numpy(dtype=bool)]
        parts = [f for f in (kept, fresh) if not f.empty]
        combined = pd.concat(parts, ignore_index=True) if parts else empty_frame(t.name)
        merged[t.name] = sort_frame(t.name, conform_frame(t.name, combined))
    merged[NAMES_TABLE] = merge_document_names(previous, new_frames[NAMES_TABLE], merged["documents"])
    history = [f for f in (conform_frame(HISTORY_TABLE, previous.get(HISTORY_TABLE)),
                           new_frames[HISTORY_TABLE]) if not f.empty]
    merged[HISTORY_TABLE] = sort_frame(HISTORY_TABLE, pd.concat(history, ignore_index=True)
                                       .drop_duplicates() if history else empty_frame(HISTORY_TABLE))
    return with_series_tables(merged)


# --------------------------------------------------------------------------- series (derived)

SERIES_TABLES = ("measure_history",)  # rebuilt over the whole release, never merged
SERIES_COLUMNS = ("mission_key", "report_order")  # of `reports`: set over the whole release


def _na(value: Any) -> Any:
    """None for every kind of missing value pandas hands back (NA, NaN)."""
    missing = value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
    return None if missing else value


def _series_documents(frames: Mapping[str, pd.DataFrame]) -> list[SeriesDocument]:
    """Every published document of `frames` with the facts its rows hold: what it says about
    itself (its `reports` row, written when it was extracted), its name and its measures."""
    def get(name: str) -> pd.DataFrame:
        frame = frames.get(name)
        return empty_frame(name) if frame is None else frame

    docs = get("documents")
    published = docs[(docs["state"] == "published").fillna(False).to_numpy(dtype=bool)]
    infos = {r["doc_id"]: ReportInfo(_na(r["mission_title"]), _na(r["report_date"]),
                                     _na(r["report_date_source"]), _na(r["report_label"]))
             for r in get("reports").to_dict("records")}
    measures: dict[str, list[MeasureFacts]] = {}
    for m in get("measures").to_dict("records"):
        measures.setdefault(m["doc_id"], []).append(MeasureFacts(
            m["page"], _na(m["number"]), _na(m["title"]) or "", _na(m["dimension"]),
            _na(m["status"]), _na(m["status_source"]), _na(m["confidence"]),
            _na(m.get("position"))))
    return [SeriesDocument(d, _na(n), infos.get(d, ReportInfo()), tuple(measures.get(d, ())))
            for d, n in zip(published["doc_id"], published["source_name"], strict=True)]


def with_series_tables(frames: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The frames with each published document placed in its series (`reports`: mission_key,
    report_order) and `measure_history` rebuilt (flows from extractors.series.build_series): a
    series spans documents, so it is set again whenever any document changes."""
    placed, history = build_series(_series_documents(frames))
    reports = [(r.doc_id, r.mission_key, r.info.mission_title, r.info.report_date,
                r.info.report_date_source, r.info.report_label, r.order) for r in placed]
    rows = [(h.mission_key, h.followed.measure, h.followed.reference_title, h.report.order,
             h.report.info.report_date, h.report.info.report_label, h.report.doc_id, h.name,
             h.measure.page, h.measure.number, h.measure.title, round(h.followed.similarity, 4),
             h.followed.match, h.measure.dimension, h.measure.status, h.measure.status_source,
             h.measure.confidence) for h in history]
    out = {name: frame for name, frame in frames.items() if name not in SERIES_TABLES}
    out["reports"] = sort_frame("reports", frame_from_rows(TABLES_BY_NAME["reports"], reports))
    out["measure_history"] = sort_frame(
        "measure_history", frame_from_rows(TABLES_BY_NAME["measure_history"], rows))
    return {t.name: out.get(t.name, empty_frame(t.name)) for t in TABLES}
