"""Measures: numbered titles under dimension headings, joined across wrapped lines."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from extractors.layout import deinterleave_columns
from extractors.normalise import is_known_word
from extractors.numbering import (
    EXPLICIT_STYLES,
    NUMBERING,
    NumberRead,
    Printed,
    is_glyph,
    printed_order,
    read_number,
    settle_numbers,
)
from extractors.rules import INFINITIVE, matches, parse_docs
from extractors.vocabulary import NUMBER_WORDS
from models.records import BBox, Line, Measure

if TYPE_CHECKING:
    from spacy.tokens import Doc

DIMENSION_LABELS = {
    "DIM_OPERATIONNELLE": "operationnelle",
    "DIM_STRATEGIQUE": "strategique",
    "DIM_POLITIQUE": "politique",
}
# A title never ends on one of these: a line that does is continued by the next one.
OPEN_ENDINGS = {"de", "des", "du", "d'", "l'", "la", "le", "les", "un", "une", "à", "au", "aux",
                "en", "et", "ou", "pour", "par", "sur", "dans", "avec", "entre", "vers", "sans",
                "chez", "sous", "qui", "que", "dont", "leur", "leurs", "son", "sa", "ses", "notre",
                "nos", "votre", "vos", "ce", "cette", "ces", "tout", "tous", "toute", "toutes"}
_HORIZON_NUMS = re.compile(r"(\d{1,2})\D+?(\d{1,2})")
_WORDLIKE = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ'\-]*$")
_INFINITIVE = re.compile(r"^[A-ZÀ-Ý][a-zà-ÿ]{2,}(er|ir|re|oir)$")
_VOWELS = set("aeiouyàâäéèêëîïôöùûüœ")
SPLIT_SCORE = 3.0  # a capitalised word after a line that ended its title
_NUMBER_LINE = re.compile(r"^\d{2,4}[,;]?$")


@dataclass(frozen=True)
class PageLine:
    """A normalised line with its page and its parsed doc."""

    page: int
    line: Line
    doc: Doc
    method: str


@dataclass
class _Draft:
    page: int
    number: int | None
    style: str
    dimension: str | None
    horizon: tuple[int, int] | None
    section: int  # index of the heading the measure stands under
    parts: list[PageLine] = field(default_factory=list)
    first_text: str = ""
    soft: bool = False
    prefix: str = ""  # a letter printed before the number (`S1`, `M7`)
    weak: bool = False  # an unnumbered line that may be a title whose number was lost


@dataclass
class _Section:
    announced: int | None  # the count the heading announces (« 7 mesures … »), if any
    dimension: str | None


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


def _reads_on(pl: PageLine) -> bool:
    """A short line that can carry on an open title: it opens in lowercase or with a number and
    holds a known word or a number (`d'ici & 2025`, `2025`), unlike `o vhw`."""
    text = pl.line.text.strip()
    if not (text[:1].islower() or text[:1].isdigit()):
        return False
    tokens = [t.strip(",.;:«»") for t in text.split()]
    words = [re.sub(r"^\w{1,5}'", "", t) for t in tokens if any(c.isalpha() for c in t)]
    if any(not is_known_word(w) for w in words if len(w) >= 2):
        return False
    if read_number(pl.doc) is not None:
        return False
    return (any(_NUMBER_LINE.match(t) for t in tokens) or any("'" in t for t in tokens)
            or any(len(w) >= 4 for w in words))


def _is_full(pl: PageLine, widths: dict[int, int]) -> bool:
    """A line of legacy text as long as the page's long lines: wrapped, so the title goes on."""
    return pl.line.bbox is None and len(pl.line.text) >= 0.85 * widths.get(pl.page, 0)


def _wordlike(token: str, conf: float | None) -> bool:
    """A token that reads as a word: known to the French word list, or a plain lowercase word."""
    token = re.sub(r"^(?:[lLdDnNsScCjJmMtT]|[qQ]u|[jJ]usqu|[lL]orsqu|[pP]uisqu)'", "",
                   token.strip(",.;:«»\"()'"))
    if len(token) < 4 or not _WORDLIKE.match(token):
        return False
    if is_known_word(token):
        return True
    return token.islower() and bool(_VOWELS & set(token)) and (conf is None or conf >= 70)


def is_junk(pl: PageLine) -> bool:
    """Lines left by icons and graphics (`o vhw`, `BIR00000 ROCONDO`), never glued onto titles."""
    text = pl.line.text.strip()
    if sum(c.isalpha() for c in text) < 3:
        return True
    confs = {w.text: w.conf for w in pl.line.words}
    if any(_wordlike(t, confs.get(t)) for t in text.split()):
        return False
    words = [re.sub(r"^\w{1,5}'", "", t.strip(",.;:«»")) for t in text.split()]
    words = [w for w in words if any(c.isalpha() for c in w)]
    if len(words) >= 2 and all(is_known_word(w) for w in words) and any(
            w.lower() in OPEN_ENDINGS for w in words):
        return False  # `de vie`, `à tous`: short words, but French
    return len(text) < 30


def _clean_join(parts: list[str]) -> str:
    out = ""
    for part in parts:
        part = part.strip()
        if not out:
            out = part
        elif out.endswith("-") and part[:1].islower():
            joined = out[:-1].rsplit(" ", 1)[-1] + part.split(" ", 1)[0]
            out = out[:-1] + part if is_known_word(joined) else out + part
        else:
            out = f"{out} {part}"
    return re.sub(r"\s+", " ", out).strip(" -—–:;")


def _union(boxes: list[BBox]) -> BBox | None:
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def _is_heading(pl: PageLine) -> bool:
    return read_number(pl.doc) is None and (read_dimension(pl.doc) is not None
                                            or read_announced(pl.doc) is not None)


def _column_number(pl: PageLine) -> int | None:
    read = read_number(pl.doc)
    return read.number if read and not is_junk(pl) else None


def extract_measures(lines: list[PageLine]) -> tuple[list[Measure], list[int]]:
    """Measures in document order, and the counts of measures that headings announce."""
    lines = _join_wrapped_headings(_reading_order(lines))
    widths: dict[int, int] = {}
    for pl in lines:
        widths[pl.page] = max(widths.get(pl.page, 0), len(pl.line.text))
    drafts: list[_Draft] = []
    sections: list[_Section] = [_Section(None, None)]
    announced: list[int] = []
    in_measures = False
    dimension: str | None = None
    horizon: tuple[int, int] | None = None
    current: _Draft | None = None
    heading: list[str] = []  # a dimension heading whose horizon may follow on its next lines
    paused = False  # a legend stood between an announcement or a heading and more measures

    def finish() -> None:
        nonlocal current
        if current is not None and current.parts:
            drafts.append(current)
        current = None

    for pl in lines:
        doc = pl.doc
        if is_junk(pl) and not (current is not None and _reads_on(pl) and (
                not pl.line.para_break or _is_open(current)
                or _is_full(current.parts[-1], widths))):
            continue  # junk, unless it carries on a title left open (`d'ici à` / `2025`)
        section = {label for label, s, _e in matches("section-heading.v2", doc) if s <= 2}
        dim = read_dimension(doc)
        numbered = read_number(doc)
        if heading and numbered is None and not dim and len(heading) <= 3:
            heading.append(pl.line.text)
            found = read_horizon(parse_docs([" ".join(heading)])[0])
            if found:  # the heading's horizon wrapped onto this line
                horizon = found
                for d in drafts:
                    if d.section == len(sections) - 1:
                        d.horizon = found
                heading = []
                continue
            if pl.line.text.lstrip("(«—–-: ")[:1].islower() or pl.line.text[:1].isdigit():
                continue  # the heading goes on (« aux premiers effets à 3/9 » / « mois) »)
        heading = []
        if _is_summary(doc):
            finish()  # the summary ends the measures, or stands between the heading and them
            paused, in_measures = paused or in_measures, False
            continue
        if numbered is None and _is_legend_entry(doc):
            finish()  # a legend's label under the last measure is not part of its title
            continue
        if numbered is None and dim:
            finish()
            in_measures, paused, dimension, horizon = True, False, dim, read_horizon(doc)
            heading = [pl.line.text] if horizon is None else []
            sections.append(_Section(read_announced(doc), dim))
            continue
        if numbered is None and "ANNOUNCE_MESURES" in section:
            finish()
            value = read_announced(doc)
            if value:
                announced.append(value)
            in_measures, paused, dimension, horizon = True, False, None, None
            continue
        if numbered is None and section & {"ANNOUNCE_OTHER"}:
            finish()  # « 4 chantiers … »: the numbered list that follows is not measures
            in_measures = False
            continue
        if numbered is None and section & {"LEGEND", "PROGRESS"} and len(doc) <= 10:
            finish()  # a legend or a strip ends a title; the measures may go on after it
            paused, in_measures = paused or in_measures, False
            continue
        if numbered is not None and paused and _resumes(numbered, drafts):
            in_measures, paused = True, False
        if numbered is not None and (in_measures or numbered.style in EXPLICIT_STYLES):
            finish()
            in_measures = True
            title_start = pl.line.text[numbered.offset:].lstrip(" .)—–-:|")
            current = _Draft(page=pl.page, number=numbered.number, style=numbered.style,
                             dimension=dimension, horizon=horizon, section=len(sections) - 1,
                             parts=[pl], first_text=title_start, soft=numbered.soft,
                             prefix=numbered.prefix)
            continue
        if in_measures and (dimension is not None or announced) and _starts_like_title(pl) and (
                current is None or not _is_open(current)):
            finish()  # a title whose number was lost entirely: it opens with an infinitive
            current = _Draft(page=pl.page, number=None, style="NUM_NONE", dimension=dimension,
                             horizon=horizon, section=len(sections) - 1, parts=[pl],
                             first_text=_without_glyphs(pl))
            continue
        if current is not None and _continues(current, pl):
            current.parts.append(pl)
            continue
        finish()
        if in_measures and dimension is not None and pl.line.text[:1].isupper():
            current = _Draft(page=pl.page, number=None, style="NUM_NONE", dimension=dimension,
                             horizon=horizon, section=len(sections) - 1, parts=[pl],
                             first_text=_without_glyphs(pl), weak=True)
    finish()
    drafts = _fit_counts(drafts, sections, announced)
    return _infer_numbers(drafts), announced


def _reading_order(lines: list[PageLine]) -> list[PageLine]:
    """Legacy text of two columns read across the page is put back column by column."""
    out: list[PageLine] = []
    by_page: dict[int, list[PageLine]] = {}
    for pl in lines:  # one pass: linear in pages (a 200,000-page text is not quadratic)
        by_page.setdefault(pl.page, []).append(pl)
    for on_page in by_page.values():
        if any(pl.line.bbox is not None for pl in on_page):
            out.extend(on_page)
            continue
        out.extend(deinterleave_columns(
            on_page, number=_column_number, heading=_is_heading,
            text=lambda pl: pl.line.text, para_break=lambda pl: pl.line.para_break,
            skip=is_junk, open_end=_ends_open))
    return out


def _resumes(numbered: NumberRead, drafts: list[_Draft]) -> bool:
    """After a legend inside the measures, a numbered line goes on with them when its number
    comes next (or starts them: 1)."""
    last = next((d.number for d in reversed(drafts) if d.number is not None), None)
    return numbered.number is not None and numbered.number in (1, (last or 0) + 1)


def _lead(pl: PageLine) -> int:
    """Index of a line's first token after a table rule's or a mark's glyphs (`|`, `©`)."""
    k = 0
    while k < min(2, len(pl.doc) - 1) and is_glyph(pl.doc[k].text) and not pl.doc[k].is_title:
        k += 1
    return k


def _without_glyphs(pl: PageLine) -> str:
    k = _lead(pl)
    return pl.line.text[pl.doc[k].idx:] if k else pl.line.text


def _starts_like_title(pl: PageLine) -> bool:
    """A line opening with a capitalised infinitive (`Faciliter …`), as measure titles do; a
    line of one or two words (a narrow column) only after a break, with a verb's ending
    (`Rendre`, not `Claire`, `Ministère`)."""
    first = pl.doc[_lead(pl)].text if len(pl.doc) else ""
    if not (_INFINITIVE.match(first) and is_known_word(first)):
        return False
    return len(pl.doc) - _lead(pl) >= 3 or (pl.line.para_break and bool(re.match(INFINITIVE, first.lower())))


def _is_summary(doc: Doc) -> bool:
    """Two statuses or more on a line (« Très satisfaisant » is one, not two)."""
    found = matches("status-label.v1", doc)
    statuses = {label for label, s, e in found
                if not any(s2 <= s and e <= e2 and (e2 - s2) > (e - s) for _l, s2, e2 in found)}
    return len(statuses) >= 2


def _is_legend_entry(doc: Doc) -> bool:
    """A short line that opens with a status label (« Retard expliqué », « Rythme
    satisfaisant », « En retard (expliqué) »): a legend's entry, never a title's next line."""
    text = doc.text.lstrip(" |[]■●•-–—")
    if not text[:1].isupper() or len(doc) > 6:
        return False
    return any(s <= 2 for _label, s, _e in matches("status-label.v1", doc))


def stands_across(doc: Doc) -> bool:
    """A line that belongs to no column: a legend row or a summary (two statuses or more)."""
    return _is_summary(doc)


_HEADING_LEAD = re.compile(r"^(?:\d{1,2}\s+)?(?:mesures?|dimensions?|axes?|volets?)$",
                           re.IGNORECASE)


def _join_wrapped_headings(lines: list[PageLine]) -> list[PageLine]:
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
                line = replace(pl.line, text=text, bbox=_union(boxes),
                               words=pl.line.words + nxt.line.words,
                               raw_text=f"{pl.line.raw_text or pl.line.text} "
                                        f"{nxt.line.raw_text or nxt.line.text}")
                out.append(replace(pl, line=line, doc=doc))
                i += 2
                continue
        out.append(pl)
        i += 1
    return out


def _ends_open(text: str) -> bool:
    """A line that cannot end a title: it ends on a comma, hyphen, apostrophe or a word such as
    « de », « pour », « les »."""
    text = text.rstrip()
    if text[-1:] in ",'-«":
        return True
    last = text.rsplit(" ", 1)[-1].lower()
    return last in OPEN_ENDINGS or last.endswith("'")


def _is_open(draft: _Draft) -> bool:
    return _ends_open(draft.parts[-1].line.text)


def _continues(draft: _Draft, pl: PageLine) -> bool:
    if pl.page != draft.page:
        return False
    last = draft.parts[-1].line
    text = pl.line.text
    if pl.line.para_break and (text[:1].isupper() or text[:1].isdigit()) and not _is_open(draft):
        return False
    if last.bbox is not None and pl.line.bbox is not None:
        height = max(1.0, last.bbox[3] - last.bbox[1])
        if pl.line.bbox[1] - last.bbox[3] > 1.2 * height:  # a gap: the title ended
            return False
        if pl.line.bbox[3] <= last.bbox[1]:  # back up the page: the next column's top
            return False
        if pl.line.bbox[0] < last.bbox[0] - 3 * height and not text[:1].islower():
            return False
    return True


def _split_score(draft: _Draft, i: int) -> float:
    """How much part i of a draft looks like the start of a title whose number was lost."""
    pl = draft.parts[i]
    text = pl.line.text
    first = text.split(" ", 1)[0]
    if not first[:1].isupper() or not first[1:].islower() or not first.isalpha():
        return 0.0
    score = 1.0
    prefix = _Draft(draft.page, None, "", None, None, 0, parts=draft.parts[:i])
    if not _is_open(prefix):
        score += 2.0
    if pl.line.para_break:
        score += 1.0
    if _INFINITIVE.match(first):
        score += 1.0
    return score


def _split(draft: _Draft, i: int) -> tuple[_Draft, _Draft]:
    head = replace(draft, parts=draft.parts[:i])
    tail = replace(draft, number=None, style="NUM_NONE", soft=False, weak=False, prefix="",
                   parts=draft.parts[i:], first_text=draft.parts[i].line.text)
    return head, tail


def _fill_to(drafts: list[_Draft], in_scope: set[int], want: int) -> list[_Draft]:
    """Bring the measures of some sections up to an announced count: weak drafts (an unnumbered
    line opening a paragraph) count first, then titles are split where a line inside them looks
    most like a title whose number was lost."""
    drafts = list(drafts)
    missing = want - sum(1 for d in drafts if d.section in in_scope and not d.weak)
    for d in drafts:
        if missing > 0 and d.section in in_scope and d.weak:
            d.weak = False
            missing -= 1
    while missing > 0:
        options = [(score, -pos, pos, i) for pos, d in enumerate(drafts)
                   if d.section in in_scope and not d.weak for i in range(1, len(d.parts))
                   if (score := _split_score(d, i)) >= SPLIT_SCORE]
        if not options:
            break
        _score, _neg, pos, i = max(options)
        drafts[pos:pos + 1] = list(_split(drafts[pos], i))
        missing -= 1
    return drafts


def _fit_counts(drafts: list[_Draft], sections: list[_Section], announced: list[int]
                ) -> list[_Draft]:
    """Use the counts headings announce (« 7 mesures opérationnelles », « 21 mesures »); weak
    drafts that no count asks for are given back to the title before them, or dropped when they
    read as a paragraph of their own."""
    for index, section in enumerate(sections):
        if section.announced is not None:
            drafts = _fill_to(drafts, {index}, section.announced)
    if len(announced) == 1 and all(s.announced is None for s in sections):
        drafts = _fill_to(drafts, set(range(len(sections))), announced[0])
    out: list[_Draft] = []
    for d in drafts:
        if not d.weak:
            out.append(d)
            continue
        text = " ".join(p.line.text for p in d.parts).rstrip()
        if (out and out[-1].page == d.page and out[-1].section == d.section
                and not text.endswith(".") and len(text) < 160):
            out[-1].parts.extend(d.parts)
    return out


def _repair_count(raw: str, text: str) -> int:
    ops = difflib.SequenceMatcher(None, raw.split(), text.split(), autojunk=False).get_opcodes()
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in ops if tag != "equal")


def _to_measure(d: _Draft) -> Measure:
    texts = [d.first_text] + [p.line.text for p in d.parts[1:]]
    raw = [d.parts[0].line.raw_text or d.parts[0].line.text] + [
        p.line.raw_text or p.line.text for p in d.parts[1:]]
    boxes = [p.line.bbox for p in d.parts if p.line.bbox is not None]
    confs = [p.line.conf for p in d.parts if p.line.conf is not None]
    method = d.parts[0].method
    base = (sum(confs) / len(confs) / 100.0) if confs else (1.0 if method == "text-layer" else 0.9)
    repaired = sum(_repair_count(r, p.line.text) for r, p in zip(raw, d.parts, strict=True))
    confidence = base * (0.97 ** repaired) * (0.9 if d.soft else 1.0)
    title = re.sub(r"'{2,}", "'", _clean_join(texts))  # `d''alliance`: one apostrophe read twice
    if title[:1].islower():  # titles open with a capital; OCR sometimes loses it
        title = title[0].upper() + title[1:]
    return Measure(
        page=d.page, number=d.number, number_inferred=d.number is None, title=title,
        dimension=d.dimension, horizon_min_months=d.horizon[0] if d.horizon else None,
        horizon_max_months=d.horizon[1] if d.horizon else None, bbox=_union(boxes),
        confidence=round(max(0.0, min(1.0, confidence)), 3), rule=f"{NUMBERING}:{d.style}",
        raw_title=" ".join(r.strip() for r in raw),
    )


def _infer_numbers(drafts: list[_Draft]) -> list[Measure]:
    """Each draft as a measure with its number and label settled in its own sequence (see
    extractors/numbering.py); an inferred number costs confidence."""
    settled = settle_numbers([Printed(d.number, d.prefix, d.soft, d.section) for d in drafts])
    order = printed_order(settled)
    out = []
    for d, found in ((drafts[i], settled[i]) for i in order):
        m = _to_measure(d)
        penalty = 0.8 if found.inferred and found.number is not None else 1.0
        out.append(replace(m, number=found.number, label=found.label,
                           number_inferred=found.inferred,
                           confidence=round(m.confidence * penalty, 3)))
    return out
