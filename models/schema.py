"""The published dataset's schema: tables, columns, dtypes and descriptions, in one place."""
from __future__ import annotations

from dataclasses import dataclass

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # pandas dtype: "string", "Int64", "Float64"
    description: str

    @property
    def sql_type(self) -> str:
        return {"string": "TEXT", "Int64": "INTEGER", "Float64": "REAL"}[self.dtype]


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


S, I, F = "string", "Int64", "Float64"
DOC_ID = Column("doc_id", S, "sha256 of the input file's bytes (hex); joins every table")
PAGE = Column("page", I, "1-based page number within the document")

TABLES: tuple[Table, ...] = (
    Table(
        "documents",
        "One row per distinct input file (content-addressed).",
        (
            DOC_ID,
            Column("source_name", S, "the file's path as given, or as found under a folder"),
            Column("kind", S, "report, letter, report+letter, text or unknown"),
            Column("n_pages", I, "pages read"),
            Column("state", S, "published or quarantined"),
            Column("error", S, "why it was quarantined, one actionable sentence (NULL when published)"),
            Column("pipeline_version", S, "version of the code and rules that produced the rows"),
            Column("ingested_at", S, "when it was ingested, ISO 8601 UTC"),
            Column("file_type", S, "type detected from the file's signature: pdf, tiff, png, jpeg, text"),
            Column("size_bytes", I, "the file's size in bytes"),
        ),
        ("doc_id",),
    ),
    Table(
        "pages",
        "One row per page read.",
        (
            DOC_ID,
            PAGE,
            Column("method", S, "text-layer, ocr or legacy-text"),
            Column("text", S, "the page's text in reading order, after normalisation"),
            Column("mean_confidence", F, "mean tesseract word confidence 0-100 (NULL for text layers)"),
            Column("width_px", I, "page width in pixels at `dpi` (text layers: PDF points, dpi 72)"),
            Column("height_px", I, "page height in pixels at `dpi`"),
            Column("dpi", I, "resolution the page was read at"),
            Column("skew_degrees", F, "skew detected and corrected before OCR, degrees"),
            Column("rotation", I, "quarter-turn rotation applied before reading, degrees"),
            Column("error", S, "why this page could not be read (NULL when it was)"),
        ),
        ("doc_id", "page"),
    ),
    Table(
        "measures",
        "One row per numbered measure found.",
        (
            DOC_ID,
            PAGE,
            Column("number", I, "the measure's number"),
            Column("number_inferred", I, "1 when the number was not legible and was inferred from neighbours"),
            Column("title", S, "the measure's text as the document says it, OCR damage repaired where certain"),
            Column("dimension", S, "operationnelle, strategique, politique, or NULL"),
            Column("horizon_min_months", I, "lower bound of the heading's time horizon in months, or NULL"),
            Column("horizon_max_months", I, "upper bound of the heading's time horizon in months, or NULL"),
            Column("status", S, "tres_satisfaisant, satisfaisant, retard_explique, remis_en_cause, or NULL when not legible"),
            Column("status_source", S, "how the status was read (legend-colour, text) or NULL"),
            Column("bbox", S, "x0,y0,x1,y1 of the title in page pixels (NULL for legacy text)"),
            Column("confidence", F, "0-1, how sure the extraction is"),
            Column("rule", S, "the versioned rule that produced the row"),
            Column("raw_title", S, "the title as read, before any repair"),
        ),
        ("doc_id", "number"),
    ),
    Table(
        "status_summary",
        "The counts of measures per status that the document itself states.",
        (
            DOC_ID,
            PAGE,
            Column("status", S, "tres_satisfaisant, satisfaisant, retard_explique or remis_en_cause"),
            Column("count", I, "the number of measures the document states for that status (0 for « aucune »)"),
            Column("text", S, "the clause the count was read from"),
        ),
        ("doc_id", "page", "status"),
    ),
    Table(
        "legend",
        "The status legend as printed on a page: each label and where it stands.",
        (
            DOC_ID,
            PAGE,
            Column("status", S, "the status the label names"),
            Column("label", S, "the label as printed"),
            Column("bbox", S, "x0,y0,x1,y1 of the label in page pixels (NULL for legacy text)"),
        ),
        ("doc_id", "page", "status"),
    ),
    Table(
        "letters",
        "One row per cover letter found.",
        (
            DOC_ID,
            PAGE,
            Column("place", S, "where the letter was written (« Vincennes »)"),
            Column("date", S, "the letter's date, ISO YYYY-MM-DD"),
            Column("sender_org", S, "the sending organisation (letterhead)"),
            Column("sender_role", S, "the signatory's role (« Le Président-Fondateur »)"),
            Column("recipient", S, "the addressee as written (« Madame la Secrétaire d'État … »)"),
            Column("recipient_org", S, "the addressee's office (« Ministère de … »)"),
            Column("recipient_address", S, "the addressee's postal address on one line"),
            Column("subject", S, "the text after « Objet : »"),
            Column("salutation", S, "the opening salutation (« Madame la Ministre, »)"),
        ),
        ("doc_id", "page"),
    ),
)

TABLES_BY_NAME = {t.name: t for t in TABLES}


def table(name: str) -> Table:
    return TABLES_BY_NAME[name]
