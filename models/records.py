"""Typed records passed between pipeline stages: source file, page, line, measure, summary, letter."""
from __future__ import annotations

from dataclasses import dataclass, field

BBox = tuple[float, float, float, float]

STATUSES = ("tres_satisfaisant", "satisfaisant", "retard_explique", "remis_en_cause")
DIMENSIONS = ("operationnelle", "strategique", "politique")
PAGE_METHODS = ("text-layer", "ocr", "legacy-text")
DOC_KINDS = ("report", "letter", "report+letter", "text", "unknown")
# Why a measure's status is NULL (`Measure.status_reason`), in the order a reader checks them.
STATUS_REASONS = (
    "no-legend",  # no legend with coloured swatches on the measure's page
    "legend-without-colour",  # the legend's swatches carry no colour (a grey scan)
    "no-mark",  # no status mark seen for this measure
    "mark-not-tied",  # marks were seen but none could be tied to this measure
    "too-far",  # its mark's colour is too far from every swatch
    "ambiguous",  # its mark's colour lies between two swatches
    "conflict",  # words and colour (or two readings) disagree
)


def _check_bbox(bbox: BBox | None) -> None:
    if bbox is not None and (bbox[2] < bbox[0] or bbox[3] < bbox[1]):
        raise ValueError(f"bbox {bbox} has x1 < x0 or y1 < y0")


@dataclass(frozen=True)
class SourceDocument:
    """One input file, identified by the sha256 of its bytes and typed by its signature."""

    doc_id: str
    path: str
    source_name: str
    file_type: str  # pdf, tiff, png, jpeg, text
    size: int


@dataclass(frozen=True)
class Word:
    """One word as read: text, box in page pixels, OCR confidence (0-100, None for text layers)."""

    text: str
    bbox: BBox | None
    conf: float | None = None

    def __post_init__(self) -> None:
        _check_bbox(self.bbox)


@dataclass(frozen=True)
class Line:
    """A line of text in reading order; `para_break` when a blank line or block boundary precedes it."""

    text: str
    bbox: BBox | None
    conf: float | None = None
    para_break: bool = False
    words: tuple[Word, ...] = ()
    raw_text: str | None = None  # before normalisation, when it differs

    def __post_init__(self) -> None:
        _check_bbox(self.bbox)


DIGIT_PLACES = ("in", "above", "below", "left", "right")


@dataclass(frozen=True)
class DigitReading:
    """A number read by a coloured mark: where it is printed (inside the mark, above, below, left
    or right of it), the number, the letter printed before it (`M7`, `S1`; "" for none) and
    tesseract's confidence (0-100). Which place a strip uses, and what the letter says, is decided
    with the whole document in view (extractors/strips.py), not here."""

    place: str
    number: int
    conf: float
    prefix: str = ""

    def __post_init__(self) -> None:
        if self.place not in DIGIT_PLACES:
            raise ValueError(f"unknown digit place {self.place!r}")


@dataclass(frozen=True)
class ColourRegion:
    """A solid, saturated blob of colour seen on the page while its image was in memory.

    Status marks and legend swatches are such blobs; they are kept with the page so that
    statuses can be re-read from cached pages, without the image.
    """

    bbox: BBox  # x0, y0, x1, y1 in page pixels at the page's dpi (deskewed page)
    rgb: tuple[float, float, float]  # median colour of the blob's inside as scanned, 0-255 sRGB
    lab: tuple[float, float, float]  # CIELAB (D65) of its inside once the page is white-balanced
    # on its paper (paper at L* ~92): what marks and swatches are compared by
    area: float  # pixels of the blob, in page pixels
    fill: float  # area / bbox area: 1 for a square, ~0.79 for a disc
    readings: tuple[DigitReading, ...] = ()  # numbers printed by it (a numbered strip)
    label_right: str | None = None  # a short text right of it, read again enlarged (a label)
    label_left: str | None = None  # a short text left of it, read again enlarged
    label_in: str | None = None  # the words printed inside it (a coloured pill holding its
    # status, « Très satisfaisant » in white), read again enlarged, dark on white

    def label(self, side: str) -> str | None:
        return self.label_right if side == "right" else self.label_left

    def __post_init__(self) -> None:
        _check_bbox(self.bbox)
        if not 0.0 < self.fill <= 1.0:
            raise ValueError("fill is a ratio in (0, 1]")

    @property
    def chroma(self) -> float:
        return float((self.lab[1] ** 2 + self.lab[2] ** 2) ** 0.5)

    @property
    def center(self) -> tuple[float, float]:
        return ((self.bbox[0] + self.bbox[2]) / 2, (self.bbox[1] + self.bbox[3]) / 2)


@dataclass(frozen=True)
class Repair:
    """One repair that normalisation made to OCR text: the rule, the text before and after it."""

    rule: str  # versioned rule name, e.g. `elision-l.v2`
    before: str
    after: str
    page: int | None = None  # 1-based page the text stands on


@dataclass(frozen=True)
class Page:
    """One page as read by one method, with its lines; `error` set when the page could not be read."""

    page: int
    method: str
    lines: tuple[Line, ...]
    width_px: int | None = None
    height_px: int | None = None
    dpi: int | None = None
    mean_confidence: float | None = None
    skew_degrees: float | None = None
    rotation: int = 0
    error: str | None = None
    regions: tuple[ColourRegion, ...] = ()  # coloured blobs, for status marks and swatches
    # From the same tesseract pass as the words (pages read by OCR only): the page's ALTO 4.2
    # (boxes in this page's pixels, as the words'), and tesseract's text-only PDF page (its
    # invisible text in the deskewed, turned image tesseract read, at `ocr_scale` × its pixels).
    alto: str | None = None
    text_pdf: bytes | None = None
    ocr_scale: int = 1  # how much the page was enlarged for tesseract (a low-dpi scan)
    # The straight rules of its tables and frames, erased before OCR (pages read by OCR only;
    # boxes in this page's pixels, as the words'): where a table's rows and cells are.
    rules: tuple[BBox, ...] = ()

    def __post_init__(self) -> None:
        if self.page < 1:
            raise ValueError("pages are numbered from 1")
        if self.method not in PAGE_METHODS:
            raise ValueError(f"unknown page method {self.method!r}")

    @property
    def text(self) -> str:
        out: list[str] = []
        for line in self.lines:
            if line.para_break and out:
                out.append("")
            out.append(line.text)
        return "\n".join(out)


@dataclass(frozen=True)
class Measure:
    """A numbered measure with its heading context; status stays None unless read from the page."""

    page: int
    number: int | None  # the printed integer (`S1` → 1); None when none is printed or inferable
    title: str
    number_inferred: bool = False
    dimension: str | None = None
    horizon_min_months: int | None = None
    horizon_max_months: int | None = None
    status: str | None = None
    status_source: str | None = None
    bbox: BBox | None = None
    confidence: float = 1.0
    rule: str = ""
    raw_title: str = ""
    position: int = 0  # 1-based place of the measure in its document (its identity); 0 = unset
    label: str | None = None  # the number as printed (`7`, `O1`, `S1`), None when none is printed
    status_reason: str | None = None  # why `status` is None (see STATUS_REASONS), else None

    def __post_init__(self) -> None:
        _check_bbox(self.bbox)
        if self.status_reason is not None and self.status_reason not in STATUS_REASONS:
            raise ValueError(f"unknown status reason {self.status_reason!r}")
        if self.dimension is not None and self.dimension not in DIMENSIONS:
            raise ValueError(f"unknown dimension {self.dimension!r}")
        if self.status is not None and self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError("confidence is between 0 and 1")


@dataclass(frozen=True)
class StatusCount:
    """A count of measures per status, as the document itself states it."""

    page: int
    status: str
    count: int
    rule: str = ""
    text: str = ""

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")
        if self.count < 0:
            raise ValueError("a count is never negative")


@dataclass(frozen=True)
class StatusCheck:
    """The document's stated count for one status beside the count of measures read with it."""

    page: int  # the page of the statement
    status: str
    stated_count: int
    read_count: int
    unread_count: int  # measures of the document whose status could not be read

    @property
    def agrees(self) -> bool:
        return self.stated_count == self.read_count


@dataclass(frozen=True)
class LegendEntry:
    """One label of the page's status legend, with where it stands."""

    page: int
    status: str
    label: str
    bbox: BBox | None = None
    colour: str | None = None  # its swatch's colour as scanned, #rrggbb (None: a text legend)


@dataclass(frozen=True)
class Letter:
    """The fields of a cover letter; None where the letter does not give the field legibly."""

    page: int
    place: str | None = None
    date: str | None = None  # ISO YYYY-MM-DD
    sender_org: str | None = None
    sender_role: str | None = None
    recipient: str | None = None
    recipient_org: str | None = None
    recipient_address: str | None = None
    subject: str | None = None
    salutation: str | None = None


@dataclass(frozen=True)
class ReportInfo:
    """What a document says about itself: its mission, date and kind of report (None: not said)."""

    mission_title: str | None = None
    report_date: str | None = None  # ISO YYYY-MM-DD, or YYYY-MM when only month and year are given
    report_date_source: str | None = None  # letter | text
    report_label: str | None = None  # « Rapport d'étape à 6 mois », « Suivi à un an », …


@dataclass(frozen=True)
class Extraction:
    """Everything extracted from one document's pages."""

    kind: str
    measures: tuple[Measure, ...] = ()
    status_counts: tuple[StatusCount, ...] = ()
    legend: tuple[LegendEntry, ...] = ()
    letters: tuple[Letter, ...] = ()
    marks_seen: int = 0  # status marks seen on the pages a legend keys
    marks_tied: int = 0  # of those, the marks tied to a measure
    checks: tuple[StatusCheck, ...] = ()  # each stated count beside the statuses read
    report: ReportInfo = field(default_factory=ReportInfo)  # mission, date, label it states


@dataclass(frozen=True)
class DocumentResult:
    """The outcome for one input file: its pages and records, or the reason it was quarantined."""

    source: SourceDocument
    state: str  # published | quarantined
    pages: tuple[Page, ...] = ()
    extraction: Extraction = field(default_factory=lambda: Extraction(kind="unknown"))
    error: str | None = None
    also_named: tuple[str, ...] = ()
    repairs: tuple[Repair, ...] = ()  # what normalisation repaired in the pages' text
    archive: tuple[str, ...] = ()  # its archival files built (release names: pdfa/…, alto/…)
