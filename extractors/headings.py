"""Headings over the measures: the dimension, the horizon and the count they announce, and a
heading wrapped over two lines."""
from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from extractors.numbering import read_number
from extractors.pagelines import PageLine, enclose
from extractors.rules import matches, parse_docs
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
    for label, _s, _e in matches("dimension-heading.v2", doc):
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


_HEADING_LEAD = re.compile(r"^(?:\d{1,2}\s+)?(?:mesures?|dimensions?|axes?|volets?)$",
                           re.IGNORECASE)


def join_wrapped_headings(lines: list[PageLine]) -> list[PageLine]:
    """« Mesures » / « opérationnelles (effets à 3/9 mois) »: a dimension heading wrapped
    after its first word (a narrow column) is one heading."""
    out: list[PageLine] = []
    i = 0
    while i < len(lines):
        pl = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if nxt is not None and nxt.page == pl.page and _HEADING_LEAD.match(pl.line.text.strip()):
            text = f"{pl.line.text.strip()} {nxt.line.text.strip()}"
            doc = parse_docs([text])[0]
            if (read_dimension(doc) is not None and read_dimension(nxt.doc) is None
                    and read_number(nxt.doc) is None and read_number(doc) is None):
                boxes = [b for b in (pl.line.bbox, nxt.line.bbox) if b is not None]
                line = replace(pl.line, text=text, bbox=enclose(boxes),
                               words=pl.line.words + nxt.line.words,
                               raw_text=f"{pl.line.raw_text or pl.line.text} "
                                        f"{nxt.line.raw_text or nxt.line.text}")
                out.append(replace(pl, line=line, doc=doc))
                i += 2
                continue
        out.append(pl)
        i += 1
    return out
