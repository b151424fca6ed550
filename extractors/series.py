"""Series of reports: which mission a report belongs to, its date and label, and each measure
followed from report to report (matched by number — by place where a report's numbers repeat or are missing — and title similarity)."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from rapidfuzz import fuzz, process

from extractors.folding import fold
from extractors.vocabulary import (
    MONTH_ALTERNATIVES,
    MONTH_NUMBER,
    NUMBER_WORD_ALTERNATIVES,
)
from models.records import Letter, ReportInfo

SAME_NUMBER_MIN = 0.5  # same number: titles this similar are the same measure
TITLE_ONLY_MIN = 0.8  # another number (renumbered): titles must be this similar
NUMBER_BONUS = 0.25  # a shared number outweighs a small difference in title similarity
SAME_MISSION_MIN = 0.92  # mission titles this similar (OCR damage) are one series

_MISSION_RE = re.compile(r"\bmission\s+[«\"“]\s*(?P<title>[^»\"”]{3,200}?)\s*[»\"”]", re.IGNORECASE)
_NUMBER_WORD = rf"(?:\d{{1,2}}|{NUMBER_WORD_ALTERNATIVES})"
_LABEL_RE = re.compile(
    r"\b(?P<kind>rapport|point|bilan|suivi|note|compte[- ]rendu)"
    r"(?P<qual>\s+(?:d['’]\s?[ée]tape|final|finale|de\s+r[ée]sultats|interm[ée]diaire"
    r"|d['’]avancement|de\s+suivi|annuel))?"
    rf"(?P<when>\s+(?:à|a)\s+{_NUMBER_WORD}\s+(?:mois|ans?))?",
    re.IGNORECASE,
)
_DATE_RE = re.compile(rf"\b(?:(?P<day>1er|\d{{1,2}})\s+)?(?P<month>{MONTH_ALTERNATIVES})\s+"
                      r"(?P<year>(?:18|19|20)\d\d)\b", re.IGNORECASE)


@dataclass(frozen=True)
class MeasureRef:
    """One measure of one document, as the history needs it."""

    doc_id: str
    number: int
    title: str


@dataclass(frozen=True)
class Followed:
    """A document's measure tied to a measure of its series.

    `measure` is the measure's number in the earliest report of the series that has it and
    `reference_title` its title there; `match` says how it was tied: `reference` (it defines
    the series measure), `number+title` or `title` (renumbered).
    """

    doc_id: str
    number: int
    measure: int
    reference_title: str
    similarity: float
    match: str


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" ,.;:—–-")


def mission_title(text: str) -> str | None:
    """The name in « … de la mission « Accélérer les alliances » … », or None."""
    m = _MISSION_RE.search(text)
    return _clean(m.group("title")) if m else None


def report_label(text: str) -> str | None:
    """The first phrase naming the kind of report (« Rapport d'étape à 6 mois », « Suivi à un
    an », « Rapport final »), as written, first letter capitalised; None when there is none."""
    for m in _LABEL_RE.finditer(text):
        if m.group("qual") or m.group("when"):
            label = _clean(m.group(0)).replace("’", "'")
            return label[:1].upper() + label[1:]
    return None


def text_date(text: str) -> str | None:
    """The first date written in the text: `YYYY-MM-DD` for « 17 octobre 2020 », `YYYY-MM` for
    « octobre 2020 » (the day is never invented), None when there is none."""
    for m in _DATE_RE.finditer(text):
        year, month = int(m.group("year")), MONTH_NUMBER[fold(m.group("month"))]
        if m.group("day") is None:
            return f"{year}-{month:02d}"
        day = 1 if m.group("day").lower() == "1er" else int(m.group("day"))
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            continue  # « 31 février 2021 »: not a date
    return None


def _heading(text: str) -> str | None:
    """A page's title heading: its first line, when that reads like a title — two to fifteen
    words, a capital first, no sentence end, naming no report kind and not about measures."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    words = line.split()
    if (2 <= len(words) <= 15 and line[0].isupper() and not line.endswith((".", ",", ";"))
            and report_label(line) is None and "mesure" not in fold(line)):
        return _clean(line)
    return None


def describe_report(pages: Sequence[tuple[int, str]], letters: Sequence[Letter]) -> ReportInfo:
    """Mission, date and label of one document from its pages' text and its letters.

    Mission: the letter's subject (« … de la mission « X » »), else « mission « X » » anywhere
    in the text, else the title heading of the first page that is not a letter. Date: the
    letter's date, else the first date in the text. Label: the subject's, else the text's.
    """
    ordered = sorted(pages)
    letters = sorted(letters, key=lambda lt: lt.page)
    subjects = [lt.subject for lt in letters if lt.subject]
    texts = [t for _p, t in ordered if t]
    title = next((t for t in map(mission_title, [*subjects, *texts]) if t), None)
    if title is None:
        letter_pages = {lt.page for lt in letters}
        title = next((h for p, t in ordered if t and p not in letter_pages
                      for h in [_heading(t)] if h), None)
    date, source = next(((lt.date, "letter") for lt in letters if lt.date), (None, None))
    if date is None:
        date = next((d for d in map(text_date, texts) if d), None)
        source = "text" if date else None
    label = next((lb for lb in map(report_label, [*subjects, *texts]) if lb), None)
    return ReportInfo(mission_title=title, report_date=date, report_date_source=source,
                      report_label=label)


def mission_key(title: str) -> str:
    """A normalised slug of a mission title: accents, case and punctuation folded away."""
    return re.sub(r"[^a-z0-9]+", "-", fold(title)).strip("-")


def series_keys(titles: Mapping[str, str | None]) -> dict[str, str]:
    """Each document's series key from its mission title; titles that differ only by OCR damage
    (slugs at least SAME_MISSION_MIN similar) share the key of the first seen (documents in
    the mapping's order). A document naming no mission is a series of its own, `doc-<12 hex>`."""
    keys: dict[str, str] = {}
    known: list[str] = []
    for doc_id, title in titles.items():
        slug = mission_key(title) if title else ""
        if not slug:
            keys[doc_id] = f"doc-{doc_id[:12]}"
            continue
        same = next((k for k in known if fuzz.ratio(k, slug) / 100 >= SAME_MISSION_MIN), None)
        if same is None:
            known.append(slug)
        keys[doc_id] = same or slug
    return keys


def report_orders(infos: Mapping[str, tuple[str, ReportInfo]]) -> dict[str, int]:
    """Rank of each document's report within its series by date (1 = earliest; undated last).

    `infos` maps doc_id to (series key, info). Copies of one report — same series, date and
    label, such as a scan and its legacy OCR text — share a rank.
    """
    def when(info: ReportInfo) -> tuple[str, str]:
        return (info.report_date or "9999", info.report_label or "")

    ranks: dict[str, int] = {}
    for key in {k for k, _ in infos.values()}:
        members = {d: when(i) for d, (k, i) in infos.items() if k == key}
        distinct = sorted(set(members.values()))
        ranks.update({d: distinct.index(w) + 1 for d, w in members.items()})
    return ranks


def title_similarity(a: str, b: str) -> float:
    """rapidfuzz ratio / 100 of the case- and accent-folded titles (already normalised text)."""
    return fuzz.ratio(_folded(a), _folded(b)) / 100.0


_FOLDED: dict[str, str] = {}


def _folded(title: str) -> str:
    if title not in _FOLDED:
        if len(_FOLDED) > 50_000:
            _FOLDED.clear()
        _FOLDED[title] = fold(title, quotes=True)
    return _FOLDED[title]


MAX_VARIANTS = 8  # distinct (folded) titles kept per series measure to compare with


@dataclass
class _SeriesMeasure:
    measure: int
    reference_title: str
    variants: dict[str, None]  # folded titles seen so far, oldest first (an ordered set)

    def add(self, title: str) -> None:
        self.variants.setdefault(_folded(title))
        while len(self.variants) > MAX_VARIANTS:  # keep the reference and the latest ones
            del self.variants[list(self.variants)[1]]


def _candidates(measures: Sequence[MeasureRef], series: Sequence[_SeriesMeasure]
                ) -> list[tuple[float, int, int, float]]:
    """(-score, measure index, series index, similarity to the reference title) of every pair
    that may be the same measure: the same number with a best title similarity of at least
    SAME_NUMBER_MIN, or any number with at least TITLE_ONLY_MIN (all ratios in one C call)."""
    if not measures or not series:
        return []
    titles = [_folded(m.title) for m in measures]
    flat = [v for s in series for v in s.variants]
    scores = process.cdist(titles, flat, scorer=fuzz.ratio, dtype=np.uint8) / 100.0
    refs = process.cdist(titles, [_folded(s.reference_title) for s in series],
                         scorer=fuzz.ratio, dtype=np.uint8) / 100.0
    pairs = []
    start = 0
    for j, s in enumerate(series):
        best = scores[:, start:start + len(s.variants)].max(axis=1)
        start += len(s.variants)
        for i, m in enumerate(measures):
            same_number = m.number == s.measure
            if (same_number and best[i] >= SAME_NUMBER_MIN) or best[i] >= TITLE_ONLY_MIN:
                score = float(best[i]) + (NUMBER_BONUS if same_number else 0.0)
                pairs.append((-score, i, j, float(refs[i, j])))
    return pairs


def follow_measures(documents: Iterable[Sequence[MeasureRef]]) -> list[Followed]:
    """Tie the measures of a series' documents together, documents given earliest first.

    The first document's measures define the series measures. Each later document's measures
    are tied to them by best score first: the same number with titles at least
    SAME_NUMBER_MIN similar, or any number with titles at least TITLE_ONLY_MIN similar (a
    renumbered measure); titles are compared with every title the measure had so far. A
    measure tied to none starts a new series measure under its own number. Returns one
    `Followed` per measure given, in the order given.
    """
    series: list[_SeriesMeasure] = []
    out: list[Followed] = []
    for measures in documents:
        pairs = sorted(_candidates(measures, series))
        tied: dict[int, tuple[int, float]] = {}
        taken: set[int] = set()
        for _neg, i, j, sim in pairs:
            if i not in tied and j not in taken:
                tied[i] = (j, sim)
                taken.add(j)
        for i, m in enumerate(measures):
            if i in tied:
                j, sim = tied[i]
                s = series[j]
                s.add(m.title)
                match = "number+title" if m.number == s.measure else "title"
                out.append(Followed(m.doc_id, m.number, s.measure, s.reference_title, sim, match))
            else:
                series.append(_SeriesMeasure(m.number, m.title, {_folded(m.title): None}))
                out.append(Followed(m.doc_id, m.number, m.number, m.title, 1.0, "reference"))
    return out


@dataclass(frozen=True)
class MeasureFacts:
    """One measure of a document, as its series history shows it."""

    page: int
    number: int | None
    title: str
    dimension: str | None = None
    status: str | None = None
    status_source: str | None = None
    confidence: float | None = None
    position: int | None = None


@dataclass(frozen=True)
class SeriesDocument:
    """A published document as a series sees it: what it says about itself (`ReportInfo`, read
    once from its records when it was extracted), its name, and its measures in order."""

    doc_id: str
    name: str | None
    info: ReportInfo
    measures: tuple[MeasureFacts, ...] = ()


@dataclass(frozen=True)
class SeriesReport:
    """A document placed in its series: the series key and its report's rank (1 = earliest)."""

    doc_id: str
    mission_key: str
    info: ReportInfo
    order: int


@dataclass(frozen=True)
class HistoryEntry:
    """One measure of one document tied to its series measure (`followed`)."""

    mission_key: str
    report: SeriesReport
    name: str | None
    measure: MeasureFacts
    followed: Followed


def _mean_confidence(measures: Sequence[MeasureFacts]) -> float:
    values = [m.confidence for m in measures if m.confidence is not None]
    return sum(values) / len(values) if values else 0.0


def _identities(measures: Sequence[MeasureFacts]) -> list[int]:
    """What follows a document's measures across reports: their numbers when each is printed
    once, else their places in the document (numbering that restarts per dimension, or none)."""
    numbers = [m.number for m in measures]
    if all(n is not None for n in numbers) and len(set(numbers)) == len(numbers):
        return [int(n) for n in numbers if n is not None]
    return [m.position if m.position is not None else i for i, m in enumerate(measures, start=1)]


def build_series(documents: Iterable[SeriesDocument]
                 ) -> tuple[list[SeriesReport], list[HistoryEntry]]:
    """Every document placed in its series (its mission, within which reports are ranked by
    date) and every measure followed across its series' reports, earliest first; copies of
    one report are ordered by how many measures, then how confidently, they were read."""
    docs = {d.doc_id: d for d in sorted(documents, key=lambda d: d.doc_id)}
    keys = series_keys({d: doc.info.mission_title for d, doc in docs.items()})
    orders = report_orders({d: (keys[d], doc.info) for d, doc in docs.items()})
    placed = {d: SeriesReport(d, keys[d], doc.info, orders[d]) for d, doc in docs.items()}
    history: list[HistoryEntry] = []
    for key in sorted(set(keys.values())):
        members = sorted((d for d in docs if keys[d] == key),
                         key=lambda d: (orders[d], -len(docs[d].measures),
                                        -_mean_confidence(docs[d].measures), docs[d].name or "", d))
        refs = [[MeasureRef(d, n, m.title)
                 for m, n in zip(docs[d].measures, _identities(docs[d].measures), strict=True)]
                for d in members]
        flat = [(d, m) for d in members for m in docs[d].measures]
        for (d, m), followed in zip(flat, follow_measures(refs), strict=True):
            history.append(HistoryEntry(key, placed[d], docs[d].name, m, followed))
    return list(placed.values()), history
