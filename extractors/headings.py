"""Headings over the measures: the dimension, the horizon and the count they announce, and a
heading wrapped over two lines."""
from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from extractors.numbering import read_number
from extractors.pagelines import PageLine, enclose
from extractors.rules import dimension_headings, matches, parse_docs
from extractors.vocabulary import NUMBER_WORDS

if TYPE_CHECKING:
    from spacy.tokens import Doc

DIMENSION_LABELS = {
    "DIM_OPERATIONNELLE": "operationnelle",
    "DIM_STRATEGIQUE": "strategique",
    "DIM_POLITIQUE": "politique",
}
_HORIZON_NUMS = re.compile(r"(\d{1,2})\D+?(\d{1,2})")


def read_horizon(doc: Doc) -> tuple[int, int] | None:
    """Months (min, max) from a heading's horizon: `3/9 mois` → (3, 9), `1 à 2 ans` → (12, 24);
    a single horizon is both bounds: `à 6 mois` → (6, 6), `à 1 an` → (12, 12)."""
    found = matches("horizon.v3", doc)
    for label, start, end in sorted(found, key=lambda t: t[0] != "HORIZON"):
        span = doc[start:end]
        months = 12 if span[-1].lower_.startswith(("an", "ann")) else 1
        if label == "HORIZON":
            nums = _HORIZON_NUMS.search(span.text)
            if nums is None:
                continue
            lo, hi = int(nums.group(1)) * months, int(nums.group(2)) * months
        else:
            lo = hi = int(span[1].text) * months
        if 0 < lo <= hi <= 120:
            return lo, hi
    return None


def read_dimension(doc: Doc) -> str | None:
    for label, _s, _e in dimension_headings(doc):
        return DIMENSION_LABELS[label]
    return None


def count_value(text: str) -> int | None:
    """`7`, `sept`, `vingt et une`, `dix-sept` → the number; None otherwise."""
    text = text.lower().strip().replace(" et ", "-et-").replace(" ", "-")
    if re.fullmatch(r"\d{1,3}", text):
        return int(text)
    text = text.replace("vingt-et-une", "vingt-et-un")
    if text in NUMBER_WORDS:
        return NUMBER_WORDS[text]
    parts = [p for p in text.split("-") if p and p != "et"]
    if len(parts) == 2 and parts[0] in ("vingt", "dix", "trente") and parts[1] in NUMBER_WORDS:
        unit = 1 if parts[1] in ("un", "une") else NUMBER_WORDS[parts[1]]
        return NUMBER_WORDS[parts[0]] + unit
    return None


def read_announced(doc: Doc) -> int | None:
    """The count of measures a line announces: « 21 mesures … », « Neuf mesures … »."""
    for label, s, e in matches("section-heading.v2", doc):
        if label == "ANNOUNCE_MESURES":
            value = count_value(doc[s:e - 1].text)
            if value:
                return value
    return None


def is_heading(pl: PageLine) -> bool:
    return read_number(pl.doc) is None and (read_dimension(pl.doc) is not None
                                            or read_announced(pl.doc) is not None)


_HEADING_LEAD = re.compile(r"^(?:\S{1,2}\s+)?(?:\d{1,2}\s+)?(?:mesures?|dimensions?|axes?|volets?)$",
                           re.IGNORECASE)  # an icon read as « © », « + » or « R » may lead
MAX_WRAPPED = 4  # a heading wrapped in a narrow column: at most this many lines
MAX_WRAPPED_WORDS = 6  # … each this short


def _joined(lines: list[PageLine]) -> PageLine:
    first = lines[0]
    text = " ".join(pl.line.text.strip() for pl in lines)
    boxes = [pl.line.bbox for pl in lines if pl.line.bbox is not None]
    line = replace(first.line, text=text, bbox=enclose(boxes),
                   words=tuple(w for pl in lines for w in pl.line.words),
                   raw_text=" ".join(pl.line.raw_text or pl.line.text for pl in lines))
    return replace(first, line=line, doc=parse_docs([text])[0])


def _wrapped_heading(lines: list[PageLine], i: int) -> tuple[PageLine, int] | None:
    """The heading that starts at line i and wraps onto the lines after it (« 5 MESURES » /
    « OPÉRATIONNELLES, » / « AUX PREMIERS » / « EFFETS À 6 MOIS »), and how many lines it
    holds: the first lines that, joined, name a dimension, then the next ones up to the one
    that brings its horizon; every line short, none numbered like a measure, all on one page."""
    first = lines[i]
    if not _HEADING_LEAD.match(first.line.text.strip()):
        return None
    run = [first]
    found: tuple[PageLine, int] | None = None
    for nxt in lines[i + 1:i + MAX_WRAPPED]:
        if (nxt.page != first.page or len(nxt.line.text.split()) > MAX_WRAPPED_WORDS
                or read_number(nxt.doc) is not None or read_dimension(nxt.doc) is not None):
            break
        run.append(nxt)
        joined = _joined(run)
        if read_number(joined.doc) is not None:
            break
        if found is None:
            if read_dimension(joined.doc) is not None:
                found = (joined, len(run))
                if read_horizon(joined.doc) is not None:
                    break
        elif read_horizon(joined.doc) is not None:
            found = (joined, len(run))  # its horizon, a line or two further down
            break
    return found


def join_wrapped_headings(lines: list[PageLine]) -> list[PageLine]:
    """« Mesures » / « opérationnelles (effets à 3/9 mois) »: a dimension heading wrapped
    after its first word (a narrow column), on up to MAX_WRAPPED lines, is one heading."""
    out: list[PageLine] = []
    i = 0
    while i < len(lines):
        wrapped = _wrapped_heading(lines, i)
        if wrapped is not None:
            out.append(wrapped[0])
            i += wrapped[1]
            continue
        out.append(lines[i])
        i += 1
    return out
