"""The published dataset's schema: tables, columns, dtypes and descriptions, in one place."""
from __future__ import annotations

from dataclasses import dataclass

from models.records import DIMENSIONS, DOC_KINDS, PAGE_METHODS, STATUS_REASONS, STATUSES

SCHEMA_VERSION = 7  # 2: status_checks; 3: measures.position, label, status_reason, marks;
# 4: superseded; 5: corrections, measures/letters.corrected_fields; 6: superseded.reason
# (files gone, ignored or forgotten leave too), legend.colour; 7: documents.pdfa_path,
# alto_path; pages.alto_path; measures.alto_words

# What the dataset is, said once: the data package (datapackage.json) and Datasette's metadata
# are both written from here.
DATASET_NAME = "missions"
DATASET_TITLE = "missions — mission reports dataset"
DATASET_DESCRIPTION = (
    "Measures, statuses and cover letters read from French ministerial mission reports "
    "(scanned PDFs, TIFFs, photos, born-digital PDFs and legacy OCR text), one row per measure, "
    "with the pages they stand on, the status legend, the counts each report states and the "
    "measures followed across a mission's reports.")
DATASET_SOURCE = ("Mission reports and cover letters ingested by `missions ingest`; each row "
                  "names its source file by doc_id (sha256 of its bytes) and source_name.")
# The licence the published rows are offered under. Licence Ouverte 2.0 is the French state's
# licence for re-using public-sector information (CRPA L323-2); change it here if the reports
# come under other terms.
DATASET_LICENSE = {"name": "etalab-2.0", "title": "Licence Ouverte / Open Licence 2.0",
                   "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"}
DOC_STATES = ("published", "quarantined")


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # pandas dtype: "string", "Int64", "Float64"
    description: str
    values: tuple[str, ...] = ()  # the only values it may hold (besides NULL), when fixed

    @property
    def sql_type(self) -> str:
        return {"string": "TEXT", "Int64": "INTEGER", "Float64": "REAL"}[self.dtype]


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    unique: bool = False  # the key is unique by construction: the data package's primary key

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


S, I, F = "string", "Int64", "Float64"
DOC_ID = Column("doc_id", S, "sha256 of the input file's bytes (hex); joins every table")
PAGE = Column("page", I, "1-based page number within the document")
CORRECTED = Column("corrected_fields", S, "the fields of this row a person corrected, comma-separated "
                                          "(their machine reading is in `corrections`), or NULL")

TABLES: tuple[Table, ...] = (
    Table(
        "documents",
        "One row per distinct input file (content-addressed).",
        (
            DOC_ID,
            Column("source_name", S, "the file's path as given, or as found under a folder"),
            Column("kind", S, "report, letter, report+letter, text or unknown", DOC_KINDS),
            Column("n_pages", I, "pages read"),
            Column("state", S, "published or quarantined", DOC_STATES),
            Column("error", S, "why it was quarantined, one actionable sentence (NULL when published)"),
            Column("pipeline_version", S, "version of the code and rules that produced the rows"),
            Column("ingested_at", S, "when it was ingested, ISO 8601 UTC"),
            Column("file_type", S, "type detected from the file's signature: pdf, tiff, png, jpeg, text"),
            Column("size_bytes", I, "the file's size in bytes"),
            Column("marks_seen", I, "status marks seen on the pages a legend keys"),
            Column("marks_tied", I, "of those marks, the ones tied to a measure"),
            Column("pdfa_path", S, "its searchable PDF/A-2b, relative to the release folder "
                                   "(pdfa/<doc_id>.pdf): the original page images with the OCR "
                                   "text under them; NULL unless a page was read by OCR"),
            Column("alto_path", S, "folder of its ALTO 4.2 files, one per page read by OCR, "
                                   "relative to the release folder (alto/<doc_id>/); NULL unless "
                                   "a page was read by OCR"),
        ),
        ("doc_id",),
        unique=True,
    ),
    Table(
        "pages",
        "One row per page read.",
        (
            DOC_ID,
            PAGE,
            Column("method", S, "text-layer, ocr or legacy-text", PAGE_METHODS),
            Column("text", S, "the page's text in reading order, after normalisation"),
            Column("mean_confidence", F, "mean tesseract word confidence 0-100 (NULL for text layers)"),
            Column("width_px", I, "page width in pixels at `dpi` (text layers: PDF points, dpi 72)"),
            Column("height_px", I, "page height in pixels at `dpi`"),
            Column("dpi", I, "resolution the page was read at"),
            Column("skew_degrees", F, "skew detected and corrected before OCR, degrees"),
            Column("rotation", I, "quarter-turn rotation applied before reading, degrees"),
            Column("error", S, "why this page could not be read (NULL when it was)"),
            Column("alto_path", S, "the page's ALTO 4.2 file (words, boxes in pixels of the "
                                   "page as read, confidences), relative to the release folder; "
                                   "NULL unless the page was read by OCR"),
        ),
        ("doc_id", "page"),
        unique=True,
    ),
    Table(
        "measures",
        "One row per numbered measure found.",
        (
            DOC_ID,
            PAGE,
            Column("number", I, "the measure's number as printed (S1 -> 1); NULL when none is printed "
                                "and none can be inferred; may repeat when numbering restarts"),
            Column("number_inferred", I, "1 when the number was not legible (inferred from neighbours, "
                                         "or NULL)"),
            Column("title", S, "the measure's text as the document says it, OCR damage repaired where certain"),
            Column("dimension", S, "operationnelle, strategique, politique, or NULL", DIMENSIONS),
            Column("horizon_min_months", I, "lower bound of the heading's time horizon in months, or NULL"),
            Column("horizon_max_months", I, "upper bound of the heading's time horizon in months, or NULL"),
            Column("status", S, "tres_satisfaisant, satisfaisant, retard_explique, remis_en_cause, or NULL when not legible", STATUSES),
            Column("status_source", S, "how the status was read (legend-colour, text), correction "
                                       "when a person set it, or NULL"),
            Column("bbox", S, "x0,y0,x1,y1 of the title in page pixels (NULL for legacy text)"),
            Column("confidence", F, "0-1, how sure the extraction is"),
            Column("rule", S, "the versioned rule that produced the row"),
            Column("raw_title", S, "the title as read, before any repair"),
            Column("position", I, "1-based place of the measure in its document: its identity there"),
            Column("label", S, "the measure's number as printed (7, O1, S1, M7), inferred with "
                               "number_inferred, NULL when none is printed"),
            Column("status_reason", S, "why status is NULL: no-legend, legend-without-colour, no-mark, "
                                       "mark-not-tied, too-far, ambiguous, conflict; correction when a "
                                       "person cleared it (NULL when read)",
                   (*STATUS_REASONS, "correction")),
            CORRECTED,
            Column("alto_words", S, "IDs of the title's words in its page's ALTO file "
                                    "(pages.alto_path), space-separated in reading order; NULL "
                                    "when the page was not read by OCR"),
        ),
        ("doc_id", "position"),
        unique=True,
    ),
    Table(
        "status_summary",
        "The counts of measures per status that the document itself states.",
        (
            DOC_ID,
            PAGE,
            Column("status", S, "tres_satisfaisant, satisfaisant, retard_explique or remis_en_cause", STATUSES),
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
            Column("status", S, "the status the label names", STATUSES),
            Column("label", S, "the label as printed"),
            Column("bbox", S, "x0,y0,x1,y1 of the label in page pixels (NULL for legacy text)"),
            Column("colour", S, "its swatch's colour as scanned, #rrggbb (NULL for a legend of words only, or a document extracted before this column)"),
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
            CORRECTED,
        ),
        ("doc_id", "page"),
    ),
    Table(
        "reports",
        "One row per published document: the mission (series) it reports on, its date and label.",
        (
            DOC_ID,
            Column("mission_key", S, "the series: a slug of the mission title (`doc-<12 hex>` when the document names no mission)"),
            Column("mission_title", S, "the mission as the document names it (letter subject « … de la mission « X » », else its title heading)"),
            Column("report_date", S, "the letter's date, else the first date in the text: YYYY-MM-DD, or YYYY-MM when only month and year are written"),
            Column("report_date_source", S, "where report_date was read: letter or text (NULL when no date)"),
            Column("report_label", S, "the kind of report as written (« Rapport d'étape à 6 mois », « Suivi à un an »), or NULL"),
            Column("report_order", I, "rank of the report in its series by date, 1 = earliest; copies of one report share it"),
        ),
        ("doc_id",),
        unique=True,
    ),
    Table(
        "measure_history",
        "Each measure of a series followed across its reports: one row per measure per document.",
        (
            Column("mission_key", S, "the series (see `reports`)"),
            Column("measure", I, "the measure's number in the earliest report of the series that has it "
                                 "(its place there when that report's numbers repeat or are missing)"),
            Column("reference_title", S, "the measure's title in that report"),
            Column("report_order", I, "rank of the report in its series by date, 1 = earliest"),
            Column("report_date", S, "the report's date (see `reports`)"),
            Column("report_label", S, "the report's label (see `reports`)"),
            DOC_ID,
            Column("source_name", S, "the document's file (copies of one report each have their rows)"),
            Column("page", I, "1-based page of the measure in this document"),
            Column("number", I, "the measure's number in this document, or NULL"),
            Column("title", S, "the measure's title in this document"),
            Column("title_similarity", F, "0-1 similarity of this title to reference_title"),
            Column("match", S, "how it was tied to the series measure: reference, number+title, or title (renumbered)"),
            Column("dimension", S, "operationnelle, strategique, politique, or NULL", DIMENSIONS),
            Column("status", S, "the status published for it in this document, or NULL when not legible",
                   STATUSES),
            Column("status_source", S, "how the status was read, or NULL"),
            Column("confidence", F, "0-1, how sure the extraction of this measure is"),
        ),
        ("mission_key", "measure", "report_order", "doc_id"),
    ),
    Table(
        "document_names",
        "Every name a document's bytes were found under: a file copied under two names is one document with two names.",
        (
            DOC_ID,
            Column("source_name", S, "a path the file was found under, as given or as found under a folder"),
            Column("first_seen", S, "when this name was first seen with these bytes, ISO 8601 UTC"),
        ),
        ("doc_id", "source_name"),
        unique=True,
    ),
    Table(
        "status_checks",
        "Each status count the document states beside the count of its measures read with that status; a disagreement is shown, never corrected.",
        (
            DOC_ID,
            Column("page", I, "1-based page of the statement (see `status_summary`)"),
            Column("status", S, "tres_satisfaisant, satisfaisant, retard_explique or remis_en_cause", STATUSES),
            Column("stated_count", I, "the number of measures the document states for that status"),
            Column("read_count", I, "the document's measures whose status was read as that status"),
            Column("unread_count", I, "the document's measures whose status could not be read (NULL)"),
            Column("agrees", I, "1 when stated_count = read_count, else 0"),
        ),
        ("doc_id", "page", "status"),
    ),
    Table(
        "repairs",
        "Every repair normalisation made to the OCR text before matching, in reading order: raw and repaired text side by side.",
        (
            DOC_ID,
            PAGE,
            Column("rule", S, "the versioned repair rule (typography.v2, hyphenation.v1, elision-l.v2, stray-space.v1, accents.v2, ocr-confusion.v1, glued-words.v1, a-grave.v1, la-ou.v1, mark-junk.v2, guillemets.v1)"),
            Column("before", S, "the text as read (a word, a few words, or the line for typography)"),
            Column("after", S, "the text after the repair (empty when junk was dropped)"),
        ),
        ("doc_id", "page"),
    ),
    Table(
        "superseded",
        "Documents no longer in the current state: earlier versions of a file (bytes once published or quarantined under a name that now holds other bytes), files gone from the folder read or now ignored, and documents forgotten (`missions forget`). Their rows are no longer in the other tables (the previous release in .releases/ still has them; their pages stay in the page cache).",
        (
            Column("doc_id", S, "sha256 of the earlier version's bytes (hex)"),
            Column("source_name", S, "the name the earlier version was found under"),
            Column("superseded_by", S, "doc_id of the bytes that now stand under that name (NULL when none: gone, ignored, forgotten)"),
            Column("superseded_at", S, "when the run that found the replacement ran, ISO 8601 UTC"),
            Column("state", S, "what the earlier version was: published or quarantined", DOC_STATES),
            Column("kind", S, "the earlier version's kind (report, letter, report+letter, text, unknown)",
                   DOC_KINDS),
            Column("n_pages", I, "pages the earlier version had"),
            Column("measures", I, "measures the earlier version had"),
            Column("ingested_at", S, "when the earlier version was ingested, ISO 8601 UTC"),
            Column("pipeline_version", S, "version of the code and rules that produced its rows"),
            Column("reason", S, "why it left: replaced (other bytes under its name), gone (no longer in the folder read), ignored (now junk or listed in a .missionsignore), forgotten (missions forget)"),
        ),
        ("doc_id", "superseded_at"),
    ),
    Table(
        "corrections",
        "Every correction a person made (kept in DIR/corrections/, never rebuilt), with what the "
        "machine read then and now, and whether this release applies it.",
        (
            Column("correction_id", S, "the correction's place in the store: <batch file>:<line>"),
            DOC_ID,
            Column("source_name", S, "the document's file when the correction was made"),
            Column("target", S, "measure or letter"),
            Column("page", I, "1-based page of the measure or letter corrected"),
            Column("position", I, "the measure's place in its document (measures.position); NULL "
                                  "for a letter"),
            Column("label", S, "the measure's printed label (measures.label) when corrected"),
            Column("field", S, "the column corrected (status, title, number, dimension, …)"),
            Column("machine_value", S, "what the machine read when the person corrected it (NULL: "
                                       "nothing)"),
            Column("value", S, "the value the person gave (NULL: cleared)"),
            Column("machine_now", S, "what the machine reads in this release"),
            Column("state", S, "applied; stale (the machine's reading changed since: not applied, "
                               "to check again); orphan (the document or measure is gone); "
                               "superseded (a later correction of the same field)"),
            Column("corrected_by", S, "who made the correction"),
            Column("corrected_at", S, "when, ISO 8601 UTC"),
            Column("why", S, "why, as the person said it, or NULL"),
            Column("machine_columns", S, "JSON: the row an applied correction was applied to "
                                         "(position, or page for a letter) and the machine's "
                                         "values of every column it overwrote (restored before "
                                         "each publish applies the store again)"),
        ),
        ("doc_id", "target", "position", "page", "field", "corrected_at", "correction_id"),
    ),
)

TABLES_BY_NAME = {t.name: t for t in TABLES}


def table(name: str) -> Table:
    return TABLES_BY_NAME[name]
