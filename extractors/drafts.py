"""Draft measures made records: fitted to the counts their headings announce (titles split, or
given back), numbered in their own sequence and scored."""
from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from extractors.numbering import NUMBERING, Printed, printed_order, settle_numbers
from extractors.pagelines import CAPITAL_INFINITIVE, PageLine, enclose, ends_open, is_title_verb
from extractors.spelling import is_known_word
from extractors.vocabulary import RULE_GLYPHS
from models.records import Measure

SPLIT_SCORE = 3.0  # a capitalised word after a line that ended its title


@dataclass
class Draft:
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
class Section:
    announced: int | None  # the count the heading announces (« 7 mesures … »), if any
    dimension: str | None


def is_open(draft: Draft) -> bool:
    return ends_open(draft.parts[-1].line.text)


_OPEN_WORD_DOT = re.compile(r"(?:^|\s)(?:de|des|du|la|le|les|à|au|aux|en|et|pour|par|sur|dans|"
                            r"avec|un|une)\s?\.$")  # « pilotage de. » / « l'irrigation »


def _clean_join(parts: list[str]) -> str:
    out = ""
    for part in parts:
        part = part.strip()
        if out and _OPEN_WORD_DOT.search(out) and part[:1].islower():
            out = out[:-1].rstrip()  # no title stops on « de »: the dot was a speck
        if not out:
            out = part
        elif out.endswith("-") and part[:1].islower():
            joined = out[:-1].rsplit(" ", 1)[-1] + part.split(" ", 1)[0]
            out = out[:-1] + part if is_known_word(joined) else out + part
        else:
            out = f"{out} {part}"
    return re.sub(r"\s+", " ", out).strip(" -—–:;")


def _split_score(draft: Draft, i: int) -> float:
    """How much part i of a draft looks like the start of a title whose number was lost."""
    pl = draft.parts[i]
    text = pl.line.text
    first = text.split(" ", 1)[0]
    if not first[:1].isupper() or not first[1:].islower() or not first.isalpha():
        return 0.0
    score = 1.0
    prefix = Draft(draft.page, None, "", None, None, 0, parts=draft.parts[:i])
    if not is_open(prefix):
        score += 2.0
    if pl.line.para_break:
        score += 1.0
    if CAPITAL_INFINITIVE.match(first):
        score += 1.0
    return score


def _split(draft: Draft, i: int) -> tuple[Draft, Draft]:
    head = replace(draft, parts=draft.parts[:i])
    tail = replace(draft, number=None, style="NUM_NONE", soft=False, weak=False, prefix="",
                   parts=draft.parts[i:], first_text=draft.parts[i].line.text)
    return head, tail


def _fill_to(drafts: list[Draft], in_scope: set[int], want: int) -> list[Draft]:
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


def fit_counts(drafts: list[Draft], sections: list[Section], announced: list[int]
                ) -> list[Draft]:
    """Use the counts headings announce (« 7 mesures opérationnelles », « 21 mesures »); weak
    drafts that no count asks for are given back to the title before them, or dropped when they
    read as a paragraph of their own."""
    for index, section in enumerate(sections):
        if section.announced is not None:
            drafts = _fill_to(drafts, {index}, section.announced)
    if len(announced) == 1 and all(s.announced is None for s in sections):
        drafts = _fill_to(drafts, set(range(len(sections))), announced[0])
    out: list[Draft] = []
    for d in drafts:
        if not d.weak:
            out.append(d)
            continue
        text = " ".join(p.line.text for p in d.parts).rstrip()
        if (out and out[-1].page == d.page and out[-1].section == d.section
                and not text.endswith(".") and len(text) < 160):
            out[-1].parts.extend(d.parts)
    return out


CELL_GAP = 1.5  # a gap this many word heights wide in a title's line: a table's cell border
_CELL_HORIZON = re.compile(r"^(?:(?:de|à|a|d'ici)\s+)?\d{1,2}(?:\s*(?:/|à|a|-|–)\s*\d{1,2})?\s+"
                           r"(?:mois|ans?|années?)$", re.IGNORECASE)
_HEAD_WORDS = {"horizon", "horizons", "avancement", "état", "statut", "niveau", "d'avancement",
               "échéance", "calendrier"}
_HEAD_LABELS = _HEAD_WORDS | {"mesure", "mesures", "n°", "n", "no", "°", "d'avanceme"}


def is_table_head(text: str) -> bool:
    """A table's head read on a line of its own (« Horizon | Niveau d'avancement », « N°
    Mesure »): no measure's title, whatever stands under it."""
    words = [t.lower() for t in text.split() if t.strip(RULE_GLYPHS)]
    return bool(words) and any(w in _HEAD_WORDS for w in words) and all(
        w in _HEAD_LABELS or w.startswith("d'avanc") for w in words)


def _cell_word(text: str) -> bool:
    """A token that may stand in a horizon cell: not a glyph read off a rule or a speck."""
    return len(text) > 1 or text.isdigit() or text in ("à", "a")


def _cell_tail(pl: PageLine) -> str:
    """The words a title's line ends with that stand in cells of their own, after a gap of
    CELL_GAP word heights: the table's horizon cell (« de 3 à 9 mois »), its head (« Horizon
    Avancement ») or a rule read as a glyph (« | »), which are not the title."""
    words = list(pl.line.words)
    if len(words) < 2 or any(w.bbox is None for w in words):
        return ""
    heights = sorted(w.bbox[3] - w.bbox[1] for w in words)
    h = heights[len(heights) // 2]
    cut = len(words)
    while cut > 1:
        k = next((i for i in range(cut - 1, 0, -1)
                  if words[i].bbox[0] - words[i - 1].bbox[2] >= CELL_GAP * h), None)
        if k is None:
            break
        texts = [w.text for w in words[k:cut]]
        kept = " ".join(t for t in texts if _cell_word(t))
        glyphs = all(c in RULE_GLYPHS for t in texts for c in t)  # never « » » or « ) »
        if not (glyphs or _CELL_HORIZON.match(kept)
                or (kept and all(t.lower() in _HEAD_WORDS for t in kept.split()))):
            break
        cut = k
    return " ".join(w.text for w in words[cut:])


def _repair_count(raw: str, text: str) -> int:
    ops = difflib.SequenceMatcher(None, raw.split(), text.split(), autojunk=False).get_opcodes()
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in ops if tag != "equal")


def _without_lead_junk(title: str) -> str:
    """A title without the glyphs of a mark or an icon read before it (« L Harmoniser … »,
    « MES. Doter … »): one or two short tokens with no small letter, before a capitalised
    infinitive that opens the title."""
    words = title.split(" ")
    for k in (1, 2):
        if (len(words) > k and is_title_verb(words[k])
                and all(len(w) <= 4 and not any(c.islower() for c in w) for w in words[:k])):
            return " ".join(words[k:])
    return title


def _to_measure(d: Draft) -> Measure:
    texts = [d.first_text] + [p.line.text for p in d.parts[1:]]
    for i, p in enumerate(d.parts):  # a table's horizon cell read on a title's line
        tail = _cell_tail(p)
        if tail and texts[i].endswith(tail) and len(texts[i]) > len(tail):
            texts[i] = texts[i][:-len(tail)].rstrip()
    raw = [d.parts[0].line.raw_text or d.parts[0].line.text] + [
        p.line.raw_text or p.line.text for p in d.parts[1:]]
    boxes = [p.line.bbox for p in d.parts if p.line.bbox is not None]
    confs = [p.line.conf for p in d.parts if p.line.conf is not None]
    method = d.parts[0].method
    base = (sum(confs) / len(confs) / 100.0) if confs else (1.0 if method == "text-layer" else 0.9)
    repaired = sum(_repair_count(r, p.line.text) for r, p in zip(raw, d.parts, strict=True))
    confidence = base * (0.97 ** repaired) * (0.9 if d.soft else 1.0)
    # `d''alliance`: one apostrophe read twice; a mark's glyphs before the title dropped
    title = _without_lead_junk(re.sub(r"'{2,}", "'", _clean_join(texts)))
    if title[:1].islower():  # titles open with a capital; OCR sometimes loses it
        title = title[0].upper() + title[1:]
    return Measure(
        page=d.page, number=d.number, number_inferred=d.number is None, title=title,
        dimension=d.dimension, horizon_min_months=d.horizon[0] if d.horizon else None,
        horizon_max_months=d.horizon[1] if d.horizon else None, bbox=enclose(boxes),
        confidence=round(max(0.0, min(1.0, confidence)), 3), rule=f"{NUMBERING}:{d.style}",
        raw_title=" ".join(r.strip() for r in raw),
    )


def infer_numbers(drafts: list[Draft], sections: Sequence[Section] = ()) -> list[Measure]:
    """Each draft as a measure with its number and label settled in its own sequence (see
    extractors/numbering.py); an inferred number costs confidence."""
    caps = [s.announced for s in sections]
    settled = settle_numbers([Printed(d.number, d.prefix, d.soft, d.section,
                                      caps[d.section] if d.section < len(caps) else None)
                              for d in drafts])
    order = printed_order(settled)
    out = []
    for d, found in ((drafts[i], settled[i]) for i in order):
        m = _to_measure(d)
        penalty = 0.8 if found.inferred and found.number is not None else 1.0
        out.append(replace(m, number=found.number, label=found.label,
                           number_inferred=found.inferred,
                           confidence=round(m.confidence * penalty, 3)))
    return out
