"""Measures: numbered titles under dimension headings, joined across wrapped lines."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Doc

from extractors.normalise import is_known_word
from extractors.rules import matches
from models.records import BBox, Line, Measure

DIMENSION_LABELS = {
    "DIM_OPERATIONNELLE": "operationnelle",
    "DIM_STRATEGIQUE": "strategique",
    "DIM_POLITIQUE": "politique",
}
EXPLICIT_STYLES = {"NUM_MESURE", "NUM_N", "NUM_M"}  # styles that say "measure" by themselves
_HORIZON_NUMS = re.compile(r"(\d{1,2})\D+?(\d{1,2})")
_WORDLIKE = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ'\-]*$")


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
    parts: list[PageLine] = field(default_factory=list)
    first_text: str = ""


def read_horizon(doc: Doc) -> tuple[int, int] | None:
    """Months (min, max) from a heading's horizon, e.g. `3/9 mois` → (3, 9)."""
    for _label, start, end in matches("horizon.v1", doc):
        nums = _HORIZON_NUMS.search(doc[start:end].text)
        if nums:
            lo, hi = int(nums.group(1)), int(nums.group(2))
            if 0 < lo <= hi <= 120:
                return lo, hi
    return None


def read_dimension(doc: Doc) -> str | None:
    for label, _s, _e in matches("dimension-heading.v1", doc):
        return DIMENSION_LABELS[label]
    return None


def read_number(doc: Doc) -> tuple[str, int | None, int] | None:
    """(style, number or None when lost, char offset where the title starts) at line start."""
    for label, start, end in matches("numbering.v1", doc):
        if start != 0:
            continue
        span = doc[start:end]
        if label == "NUM_LOST":
            return label, None, doc[start + 1].idx
        if label == "NUM_COMMA":
            return label, int(doc[start].text), doc[start + 2].idx
        if label == "NUM_GLUED":
            m = re.match(r"^(\d{1,3})[.)]", span.text)
            assert m is not None
            return label, int(m.group(1)), span.start_char + m.end()
        digits = re.search(r"\d{1,3}", span.text)
        if digits is None:
            continue
        return label, int(digits.group(0)), span.end_char
    return None


_VOWELS = set("aeiouyàâäéèêëîïôöùûüœ")


def _wordlike(token: str, conf: float | None) -> bool:
    """A token that reads as a word: known to the French word list, or a plain lowercase word."""
    token = token.strip(",.;:«»\"()'")
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


def extract_measures(lines: list[PageLine]) -> tuple[list[Measure], list[int]]:
    """Measures in document order, and the counts of measures that headings announce."""
    drafts: list[_Draft] = []
    announced: list[int] = []
    in_measures = False
    dimension: str | None = None
    horizon: tuple[int, int] | None = None
    current: _Draft | None = None

    def finish() -> None:
        nonlocal current
        if current is not None and current.parts:
            drafts.append(current)
        current = None

    for pl in lines:
        doc = pl.doc
        if is_junk(pl):
            continue
        section = {label for label, s, _e in matches("section-heading.v1", doc) if s <= 2}
        dim = read_dimension(doc)
        numbered = read_number(doc)
        if _is_summary(doc):
            finish()
            continue
        if numbered is None and dim:
            finish()
            in_measures, dimension, horizon = True, dim, read_horizon(doc)
            continue
        if numbered is None and "ANNOUNCE_MESURES" in section:
            finish()
            announced.append(int(doc[0].text))
            in_measures, dimension, horizon = True, None, None
            continue
        if numbered is None and section & {"ANNOUNCE_OTHER", "LEGEND", "PROGRESS"}:
            finish()
            in_measures = False
            continue
        if numbered is not None and (in_measures or numbered[0] in EXPLICIT_STYLES):
            style, number, offset = numbered
            finish()
            in_measures = True
            title_start = pl.line.text[offset:].lstrip(" .)—–-:")
            current = _Draft(page=pl.page, number=number, style=style, dimension=dimension,
                             horizon=horizon, parts=[pl], first_text=title_start)
            continue
        if in_measures and dimension is not None and _starts_like_title(pl) and (
                current is None or current.parts[-1].line.text.rstrip()[-1:] not in ",'-"):
            finish()  # a title whose number was lost entirely: it opens with an infinitive
            current = _Draft(page=pl.page, number=None, style="NUM_NONE", dimension=dimension,
                             horizon=horizon, parts=[pl], first_text=pl.line.text)
            continue
        if current is not None and _continues(current, pl):
            current.parts.append(pl)
            continue
        finish()
    finish()
    return _infer_numbers([_to_measure(d) for d in drafts]), announced


_INFINITIVE = re.compile(r"^[A-ZÀ-Ý][a-zà-ÿ]{2,}(er|ir|re|oir)$")


def _starts_like_title(pl: PageLine) -> bool:
    """A line opening with a capitalised infinitive (`Faciliter …`), as measure titles do."""
    first = pl.doc[0].text if len(pl.doc) else ""
    return bool(_INFINITIVE.match(first)) and is_known_word(first) and len(pl.doc) >= 3


def _is_summary(doc: Doc) -> bool:
    statuses = {label for label, _s, _e in matches("status-label.v1", doc)}
    return len(statuses) >= 2


def _continues(draft: _Draft, pl: PageLine) -> bool:
    if pl.page != draft.page:
        return False
    last = draft.parts[-1].line
    text = pl.line.text
    if pl.line.para_break and not text[:1].islower():
        return False
    if last.bbox is not None and pl.line.bbox is not None:
        height = max(1.0, last.bbox[3] - last.bbox[1])
        if pl.line.bbox[1] - last.bbox[3] > 1.2 * height:  # a gap: the title ended
            return False
        if pl.line.bbox[0] < last.bbox[0] - 3 * height and not text[:1].islower():
            return False
    return True


def _to_measure(d: _Draft) -> Measure:
    texts = [d.first_text] + [p.line.text for p in d.parts[1:]]
    raw = [d.parts[0].line.raw_text or d.parts[0].line.text] + [
        p.line.raw_text or p.line.text for p in d.parts[1:]]
    boxes = [p.line.bbox for p in d.parts if p.line.bbox is not None]
    confs = [p.line.conf for p in d.parts if p.line.conf is not None]
    method = d.parts[0].method
    base = (sum(confs) / len(confs) / 100.0) if confs else (1.0 if method == "text-layer" else 0.9)
    repaired = sum(1 for p in d.parts if p.line.raw_text and p.line.raw_text != p.line.text)
    confidence = base * (0.97 ** repaired)
    title = _clean_join(texts)
    if title[:1].islower():  # titles open with a capital; OCR sometimes loses it
        title = title[0].upper() + title[1:]
    return Measure(
        page=d.page, number=d.number if d.number is not None else -1,
        number_inferred=d.number is None, title=title,
        dimension=d.dimension, horizon_min_months=d.horizon[0] if d.horizon else None,
        horizon_max_months=d.horizon[1] if d.horizon else None, bbox=_union(boxes),
        confidence=round(max(0.0, min(1.0, confidence)), 3), rule=f"numbering.v1:{d.style}",
        raw_title=" ".join(r.strip() for r in raw),
    )


def _infer_numbers(measures: list[Measure]) -> list[Measure]:
    """Lost numbers take their place between legible neighbours (marked inferred); a number
    that breaks the sequence where its neighbours leave exactly one place is read as that place."""
    out = list(measures)
    for i in range(1, len(out) - 1):
        prev, cur, nxt = out[i - 1].number, out[i].number, out[i + 1].number
        if cur >= 0 and prev >= 0 and nxt >= 0 and nxt == prev + 2 and cur != prev + 1:
            out[i] = _replace_number(out[i], prev + 1)
    for i in range(1, len(out)):
        prev, cur = out[i - 1].number, out[i].number
        if cur >= 0 and prev >= 0 and cur <= prev:  # out of sequence: not the number printed
            out[i] = _replace_number(out[i], -1)
    for i, m in enumerate(out):
        if m.number >= 0:
            continue
        prev = out[i - 1].number if i > 0 and out[i - 1].number >= 0 else None
        nxt = next((x.number for x in out[i + 1:] if x.number >= 0), None)
        gap = next((j for j, x in enumerate(out[i + 1:]) if x.number >= 0), 0)
        guess = prev + 1 if prev is not None else (nxt - gap - 1 if nxt is not None else None)
        if guess is None or guess < 1:
            guess = i + 1
        out[i] = _replace_number(m, guess)
    return out


def _replace_number(m: Measure, number: int) -> Measure:
    return Measure(page=m.page, number=number, number_inferred=number >= 0 or m.number_inferred, title=m.title,
                   dimension=m.dimension, horizon_min_months=m.horizon_min_months,
                   horizon_max_months=m.horizon_max_months, status=m.status,
                   status_source=m.status_source, bbox=m.bbox,
                   confidence=round(m.confidence * 0.8, 3), rule=m.rule, raw_title=m.raw_title)
